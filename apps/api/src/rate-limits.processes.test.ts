import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { testDatabaseUrl } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newSigningKeyJson } from './auth-local/signing-key.ts'

const serverEntry = fileURLToPath(new URL('./server.ts', import.meta.url))

/** Starts `node src/server.ts` and resolves with its URL once it logs that it is listening. */
function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [serverEntry], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'listening' && entry.url) resolve({ url: entry.url, child })
    })
  })
}

/**
 * Two API processes on one Postgres, as two instances behind a load balancer: each with its own
 * data folder, sharing only the database and the configured signing key.
 */
describe.skipIf(!testDatabaseUrl)('two API processes on one Postgres', () => {
  const dataDirs: string[] = []
  const servers: { url: string; child: ChildProcess }[] = []
  beforeAll(async () => {
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: testDatabaseUrl ?? '',
      PARLEY_AUTH_SIGNING_KEYS: await newSigningKeyJson(),
      PARLEY_BOOTSTRAP_ADMIN_TOKEN: 'the-processes-test-admin-token',
      PARLEY_RATE_LIMIT_REQUESTS: '3',
      PARLEY_WEB_DIST: '/nonexistent',
      LOG_LEVEL: 'info',
    }
    for (let i = 0; i < 2; i++) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-processes-'))
      dataDirs.push(dataDir)
      servers.push(await startServer({ ...env, PARLEY_DATA_DIR: dataDir }))
    }
  })
  afterAll(async () => {
    for (const { child } of servers) child.kill('SIGTERM')
    for (const dataDir of dataDirs) await rm(dataDir, { recursive: true, force: true })
  })

  it('accept each other’s tokens and share one request budget per user', async () => {
    const [a, b] = servers
    if (!a || !b) throw new Error('two servers')
    const signUp = await fetch(`${a.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `two-${randomUUID()}@example.test`,
        password: 'correct horse',
      }),
    })
    const { access_token: token } = (await signUp.json()) as { access_token: string }
    const me = (on: { url: string }) =>
      fetch(`${on.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })
    const statuses = []
    for (const on of [a, b, a, b]) statuses.push((await me(on)).status)
    expect(statuses).toEqual([200, 200, 200, 429])
  })
})
