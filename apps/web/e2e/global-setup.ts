import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFakeUpstream } from '@parley/llm/testing'
import { apiEnvironment, bootstrapAdminToken, publishStack } from './config.ts'

const webDir = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = path.resolve(webDir, '../..')
const startupTimeoutMs = 120_000

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('port')),
      )
    })
  })
}

async function waitForHealth(url: string, api: ChildProcess) {
  const deadline = Date.now() + startupTimeoutMs
  while (Date.now() < deadline) {
    if (api.exitCode !== null) throw new Error(`the API exited with code ${api.exitCode}`)
    const healthy = await fetch(`${url}/api/v1/health`)
      .then((response) => response.ok)
      .catch(() => false)
    if (healthy) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`the API did not answer ${url}/api/v1/health within ${startupTimeoutMs} ms`)
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Starts the stack the tests drive: the fake upstream in this process, and the real API
 * (`apps/api/src/server.ts`) serving `apps/web/dist`, with a fresh PGlite data folder.
 */
export default async function globalSetup() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-e2e-'))
  const logDir = path.join(webDir, 'test-results')
  await mkdir(logDir, { recursive: true })
  const upstream = await startFakeUpstream({ defaultReply: { tokensPerSecond: 60 } })
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`

  const log = createWriteStream(path.join(logDir, 'api.log'))
  const api = spawn(process.execPath, [path.join(repoRoot, 'apps/api/src/server.ts')], {
    cwd: repoRoot,
    env: apiEnvironment({
      PORT: String(port),
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_WEB_DIST: path.join(webDir, 'dist'),
      OPENAI_API_KEY: 'sk-parley-e2e',
      OPENAI_BASE_URL: upstream.openaiBaseUrl,
      // Files are embedded by the fake upstream too, so retrieval in these tests is hybrid.
      PARLEY_EMBEDDINGS_URL: upstream.openaiBaseUrl,
      // Files only: a message's background embedding would land in the usage tests' counts at
      // a moment of its own (semantic search over messages is tested in the API's tests).
      PARLEY_EMBED_MESSAGES: 'false',
      LOG_LEVEL: 'info',
      // Every test signs up from one address and some seed long conversations through the
      // API; the limits themselves are covered by the API's tests, not by tripping them here.
      PARLEY_RATE_LIMIT_TURNS: '10000',
      PARLEY_RATE_LIMIT_AUTH: '10000',
      PARLEY_RATE_LIMIT_REQUESTS: '100000',
      PARLEY_BOOTSTRAP_ADMIN_TOKEN: bootstrapAdminToken,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  api.stdout?.pipe(log)
  api.stderr?.pipe(log)

  try {
    await waitForHealth(baseUrl, api)
  } catch (error) {
    await stopProcess(api)
    await upstream.close()
    await rm(dataDir, { recursive: true, force: true })
    throw new Error(`${(error as Error).message}; see apps/web/test-results/api.log`)
  }
  publishStack({ baseUrl, upstreamUrl: upstream.origin })

  return async () => {
    await stopProcess(api)
    await upstream.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
