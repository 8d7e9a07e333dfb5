import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { lstat, mkdir, mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { type FakeUpstream, startFakeUpstream } from '@parley/llm/testing'
import { createParser } from 'eventsource-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RuntimeStage, readRuntimeStage } from './dockerfile.ts'
import { buildStepEnv } from './testing/env.ts'

/**
 * The API image's recipe without a container runtime: the Dockerfile's bundle step into an
 * empty folder outside the repository, then the result started as the image starts it (its
 * CMD, WORKDIR and ENV, nothing of the checkout reachable) on a Postgres reached over the wire.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const chatModel = 'gpt-6.1-terra'

let work: string
let bundle: string
let stage: RuntimeStage
let pglite: PGlite
let postgres: PGLiteSocketServer
let fake: FakeUpstream
let api: { url: string; port: string; child: ChildProcess; exited: Promise<number | null> }
let serverEnv: Record<string, string>

/** Runs a command to its end; rejects with its output when it fails. */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const [code] = (await once(child, 'exit')) as [number | null]
  return { code, output }
}

/** The image's paths on this machine: /app is the bundle, the data folder a fresh one. */
function hostPath(containerPath: string, dataDir: string): string {
  if (containerPath === '/app' || containerPath.startsWith('/app/')) {
    return path.join(bundle, containerPath.slice('/app'.length))
  }
  if (containerPath === stage.env.PARLEY_DATA_DIR) return dataDir
  throw new Error(`the Dockerfile names ${containerPath}, which this test does not map`)
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    yield full
    if (entry.isDirectory()) yield* walk(full)
  }
}

async function startServer(env: Record<string, string>, cwd: string) {
  const [program, ...args] = stage.cmd
  expect(program).toBe('node')
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const listening = new Promise<string>((resolve) => {
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'listening' && entry.url) resolve(entry.url)
    })
  })
  const died = exited.then((code) => {
    throw new Error(`the bundled API exited (${String(code)}) before listening:\n${stderr}`)
  })
  const url = await Promise.race([listening, died])
  return { url, port: new URL(url).port, child, exited }
}

beforeAll(async () => {
  stage = await readRuntimeStage(new URL('../../apps/api/Dockerfile', import.meta.url))
  work = await realpath(await mkdtemp(path.join(os.tmpdir(), 'parley-image-')))
  bundle = path.join(work, 'app')

  // The bundle builds in its own processes while this one starts the database and the provider.
  const building = run('bash', [path.join(repoRoot, 'deploy/build-api-bundle.sh'), bundle], {
    cwd: repoRoot,
    env: buildStepEnv(),
  })
  pglite = await PGlite.create({ extensions: { vector, pgcrypto } })
  postgres = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 32 })
  await postgres.start()
  fake = await startFakeUpstream()
  const built = await building
  if (built.code !== 0) throw new Error(`the bundle script failed:\n${built.output}`)

  const dataDir = path.join(work, 'data')
  await mkdir(dataDir)
  // The image's ENV, then what a deployment sets (docs/deploy.md): the database, a provider.
  serverEnv = {
    ...Object.fromEntries(
      Object.entries(stage.env).map(([name, value]) => [
        name,
        value.startsWith('/') ? hostPath(value, dataDir) : value,
      ]),
    ),
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `postgres://postgres:postgres@${postgres.getServerConn()}/postgres`,
    // The socket server runs every client's statements in PGlite's one session, so two
    // connections' transactions would interleave (the server's background work beside a turn's
    // transaction): one connection, as an embedded server has.
    DATABASE_POOL_SIZE: '1',
    OPENAI_API_KEY: 'test-openai-key',
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    PARLEY_DEFAULT_MODEL: chatModel,
  }
  api = await startServer(serverEnv, hostPath(stage.workdir, dataDir))
})

afterAll(async () => {
  if (api && api.child.exitCode === null && api.child.signalCode === null) {
    api.child.kill('SIGKILL')
    await api.exited
  }
  await postgres?.stop()
  await pglite?.close()
  await fake?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

describe('the API image recipe', () => {
  it('runs as an unprivileged user, stops on SIGTERM, and points the server at the bundle', () => {
    expect(stage.from).toBe('node:24-slim')
    expect(stage.user).toBe('node')
    expect(stage.stopSignal).toBe('SIGTERM')
    expect(stage.env).toMatchObject({ PARLEY_WEB_DIST: '/app/apps/web/dist' })
  })

  it('holds a self-contained bundle: links stay inside, every file is readable, no dev tools', async () => {
    for (let dir = path.dirname(work); ; dir = path.dirname(dir)) {
      expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false)
      if (dir === path.dirname(dir)) break
    }
    let bytes = 0
    let files = 0
    const seen = new Set<number>()
    for await (const entry of walk(bundle)) {
      const info = await lstat(entry)
      if (info.isSymbolicLink()) {
        const target = await realpath(entry)
        expect(target.startsWith(`${bundle}${path.sep}`), `${entry} -> ${target}`).toBe(true)
        continue
      }
      // Root owns the files in the image; the server's user only reads them.
      const wanted = info.isDirectory() ? 0o005 : 0o004
      expect(info.mode & wanted, `${entry} is not readable by others`).toBe(wanted)
      if (info.isFile() && !seen.has(info.ino)) {
        seen.add(info.ino)
        files++
        bytes += info.blocks * 512
      }
    }
    const store = await readdir(path.join(bundle, 'node_modules/.pnpm'))
    for (const devOnly of ['vitest@', 'typescript@', 'vite@', '@biomejs+', 'eventsource-parser@']) {
      expect(store.filter((name) => name.startsWith(devOnly))).toEqual([])
    }
    expect(existsSync(path.join(bundle, 'apps/web/dist/index.html'))).toBe(true)

    const archive = path.join(work, 'bundle.tar.gz')
    const packed = await run('tar', ['czf', archive, '-C', bundle, '.'], {
      cwd: work,
      env: buildStepEnv(),
    })
    expect(packed.code, packed.output).toBe(0)
    const compressed = (await stat(archive)).size
    const mb = (n: number) => (n / 2 ** 20).toFixed(1)
    console.info(
      `API bundle: ${files} files, ${mb(bytes)} MB on disk, ${mb(compressed)} MB as tar.gz`,
    )
    // The image is node:24-slim (about 80 MB compressed) plus this layer; the goal is 200 MB.
    expect(compressed).toBeLessThan(100 * 2 ** 20)
  })

  it('is live and ready on the database over the wire, and passes its own HEALTHCHECK', async () => {
    const health = await fetch(`${api.url}/api/v1/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'ok', mode: 'embedded' })
    const ready = await fetch(`${api.url}/api/v1/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready' })

    const [program, ...args] = stage.healthcheck
    expect(program).toBe('node')
    const check = await run(process.execPath, args, {
      cwd: work,
      env: { ...serverEnv, PORT: api.port },
    })
    expect(check.code, check.output).toBe(0)
  })

  it('serves the built web app', async () => {
    const page = await fetch(`${api.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(await page.text()).toMatch(/<script type="module"[^>]* src="\/assets\//)
  })

  it('signs up through the embedded auth and streams a chat turn from the provider', async () => {
    const signUp = await fetch(`${api.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `image-${randomUUID()}@example.test`,
        password: 'a long enough password',
      }),
    })
    expect(signUp.status).toBe(200)
    const { access_token: token } = (await signUp.json()) as { access_token: string }
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const created = await fetch(`${api.url}/api/v1/conversations`, {
      method: 'POST',
      headers,
      body: '{}',
    })
    expect(created.status).toBe(201)
    const conversation = (await created.json()) as { id: string }

    const content = `hello from the image ${randomUUID()}`
    fake.enqueue({ kind: 'text', text: 'Served from the bundle.' }, { lastUserMessage: content })
    const reply = await fetch(`${api.url}/api/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { ...headers, accept: 'text/event-stream' },
      body: JSON.stringify({ content }),
    })
    expect(reply.status).toBe(200)
    const events: { event: string; data: unknown }[] = []
    const parser = createParser({
      onEvent: (message) =>
        events.push({ event: message.event ?? 'message', data: JSON.parse(message.data) }),
    })
    parser.feed(await reply.text())
    const text = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text)
      .join('')
    expect(text).toBe('Served from the bundle.')
    expect(events.at(-1)?.event).toBe('done')
  })

  it('drains and exits 0 on SIGTERM, having migrated the database with the bundled files', async () => {
    api.child.kill(stage.stopSignal as NodeJS.Signals)
    expect(await api.exited).toBe(0)

    const [program, ...args] = stage.healthcheck
    expect(program).toBe('node')
    const check = await run(process.execPath, args, {
      cwd: work,
      env: { ...serverEnv, PORT: api.port },
    })
    expect(check.code).toBe(1)

    const migrations = (await readdir(path.join(repoRoot, 'supabase/migrations'))).filter((file) =>
      file.endsWith('.sql'),
    )
    const applied = await pglite.query<{ count: number }>(
      'select count(*)::int as count from supabase_migrations.schema_migrations',
    )
    expect(applied.rows[0]?.count).toBe(migrations.length)
  })
})
