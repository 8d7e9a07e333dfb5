import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createParser } from 'eventsource-parser'
import OpenAI from 'openai'
import type { BenchReport } from './report.ts'
import { round, summarize } from './stats.ts'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const replyTokens = 64
/** Pace of the fake upstream: tokens arrive 1 ms apart, so each delta is flushed on its own. */
const tokensPerSecond = 1_000
const model = 'gpt-6.1-terra'
const turnsPerConversation = 10

interface Timing {
  ttftMs: number
  totalMs: number
}

/** Starts a child process and resolves with the first stdout line `match` accepts. */
function start(
  args: string[],
  env: Record<string, string>,
  match: (line: string) => string | null,
) {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise<{ child: ChildProcess; value: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      const value = match(line)
      if (value) resolve({ child, value })
    })
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)))
  })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  const ticks = Number(fields[11]) + Number(fields[12])
  return ticks / 100
}

export default async function gatewayBench(): Promise<BenchReport> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-gateway-bench-'))
  const upstream = await start(
    [
      'packages/llm/src/testing/fake-upstream-cli.ts',
      '--reply-tokens',
      String(replyTokens),
      '--tokens-per-second',
      String(tokensPerSecond),
      '--first-byte-delay-ms',
      '0',
    ],
    {},
    (line) => (line.startsWith('http') ? line.trim() : null),
  )
  const origin = upstream.value
  const port = await freePort()
  const api = await start(
    ['apps/api/src/server.ts'],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_WEB_DIST: path.join(dataDir, 'no-web'),
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: `${origin}/v1`,
      LOG_LEVEL: 'info',
    },
    (line) => (line.includes('"msg":"listening"') ? 'ready' : null),
  )
  const apiUrl = `http://127.0.0.1:${port}`
  const apiPid = api.child.pid ?? 0

  try {
    const users = await Promise.all(
      Array.from({ length: 32 }, async (_, i) => {
        const response = await fetch(`${apiUrl}/auth/v1/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: `bench-${i}@example.test`, password: 'bench password' }),
        })
        const session = (await response.json()) as { access_token: string }
        return { token: session.access_token, conversation: '', turns: 0 }
      }),
    )

    async function nextConversation(user: (typeof users)[number]) {
      if (user.conversation && user.turns < turnsPerConversation) return user.conversation
      const response = await fetch(`${apiUrl}/api/v1/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Benchmark' }),
      })
      user.conversation = ((await response.json()) as { id: string }).id
      user.turns = 0
      return user.conversation
    }

    async function throughApi(user: (typeof users)[number]): Promise<Timing> {
      const conversation = await nextConversation(user)
      user.turns++
      const started = performance.now()
      let ttft = 0
      let done = false
      const response = await fetch(`${apiUrl}/api/v1/conversations/${conversation}/messages`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.token}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify({ content: 'Write a short paragraph about latency.' }),
      })
      const parser = createParser({
        onEvent(event) {
          if (event.event === 'delta' && ttft === 0) ttft = performance.now() - started
          if (event.event === 'done') done = true
          if (event.event === 'error') throw new Error(event.data)
        },
      })
      const decoder = new TextDecoder()
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }))
      }
      if (!done) throw new Error(`the turn did not finish (HTTP ${response.status})`)
      return { ttftMs: ttft, totalMs: performance.now() - started }
    }

    const sdk = new OpenAI({ apiKey: 'bench', baseURL: `${origin}/v1`, maxRetries: 0 })
    async function direct(): Promise<Timing> {
      const started = performance.now()
      let ttft = 0
      const stream = await sdk.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Write a short paragraph about latency.' }],
      })
      for await (const chunk of stream) {
        if (ttft === 0 && chunk.choices[0]?.delta?.content) ttft = performance.now() - started
      }
      return { ttftMs: ttft, totalMs: performance.now() - started }
    }

    // Warm both paths (JIT, connection pools, the database's caches).
    for (let i = 0; i < 30; i++) {
      await direct()
      await throughApi(users[0] as (typeof users)[number])
    }

    const rows: BenchReport['rows'] = []
    const details: Record<string, unknown> = {
      replyTokens,
      upstream: `fake upstream, no first-byte delay, ${replyTokens} tokens at ${tokensPerSecond}/s`,
    }

    for (const concurrency of [1, 32]) {
      const rounds = concurrency === 1 ? 300 : 12
      const directTimings: Timing[] = []
      const apiTimings: Timing[] = []
      let apiCpu = 0
      let apiTurns = 0
      // Alternate the two paths so drift on a shared machine hits both alike.
      for (let round = 0; round < rounds; round++) {
        const workers = users.slice(0, concurrency)
        directTimings.push(...(await Promise.all(workers.map(() => direct()))))
        const cpuBefore = cpuSeconds(apiPid)
        apiTimings.push(...(await Promise.all(workers.map((user) => throughApi(user)))))
        apiCpu += cpuSeconds(apiPid) - cpuBefore
        apiTurns += workers.length
      }
      const d = {
        ttft: summarize(directTimings.map((t) => t.ttftMs)),
        total: summarize(directTimings.map((t) => t.totalMs)),
      }
      const a = {
        ttft: summarize(apiTimings.map((t) => t.ttftMs)),
        total: summarize(apiTimings.map((t) => t.totalMs)),
      }
      for (const [path, s] of [
        ['SDK → upstream', d],
        ['API → upstream', a],
      ] as const) {
        rows.push({
          concurrency,
          path,
          'ttft p50 ms': round(s.ttft.p50Ms, 2),
          'ttft p95 ms': round(s.ttft.p95Ms, 2),
          'total p50 ms': round(s.total.p50Ms, 2),
          'total p95 ms': round(s.total.p95Ms, 2),
          turns: s.total.samples,
        })
      }
      details[`c${concurrency}`] = {
        ttftOverheadMsP50: round(a.ttft.p50Ms - d.ttft.p50Ms, 2),
        ttftOverheadMsP95: round(a.ttft.p95Ms - d.ttft.p95Ms, 2),
        ttftRatioP50: round(a.ttft.p50Ms / d.ttft.p50Ms, 2),
        totalOverheadMsP50: round(a.total.p50Ms - d.total.p50Ms, 2),
        totalRatioP50: round(a.total.p50Ms / d.total.p50Ms, 2),
        apiCpuMsPerTurn: round((apiCpu / apiTurns) * 1000, 2),
      }
    }

    return {
      name: 'gateway',
      description:
        'a streamed turn through the API (auth + database + SSE) vs the same fake upstream through the SDK',
      rows,
      details,
    }
  } finally {
    api.child.kill('SIGTERM')
    upstream.child.kill('SIGTERM')
    await new Promise((resolve) => api.child.once('exit', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
}
