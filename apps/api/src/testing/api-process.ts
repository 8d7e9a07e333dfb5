import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createDatabase, type Database } from '@parley/db'

export interface ApiProcess {
  url: string
  child: ChildProcess
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** Signs up a fresh user on the embedded auth server; returns their access token. */
  signUp(): Promise<string>
  /** The database the process used, opened by the test (PGlite: only after the process exited). */
  openDatabase(): Promise<Database>
  /** Kills the process if it still runs and removes its data folder. */
  cleanUp(): Promise<void>
}

const apiDir = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The API server as production runs it (`node src/server.ts`), in a child process with its own
 * data folder: on an embedded PGlite there, or on `databaseUrl`. Resolves once it listens.
 */
export async function startApiProcess(options: {
  env: Record<string, string>
  databaseUrl?: string | undefined
}): Promise<ApiProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parley-api-process-'))
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: apiDir,
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dataDir,
      PARLEY_WEB_DIST: path.join(dataDir, 'no-web'),
      LOG_LEVEL: 'info',
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const url = await listeningUrl(child, exited)
  return {
    url,
    child,
    exited,
    async signUp() {
      const response = await fetch(`${url}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `user-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`,
          password: 'a long enough password',
        }),
      })
      if (!response.ok) throw new Error(`sign-up failed: ${response.status}`)
      return ((await response.json()) as { access_token: string }).access_token
    },
    openDatabase: () =>
      createDatabase(
        options.databaseUrl
          ? { kind: 'postgres', url: options.databaseUrl }
          : { kind: 'pglite', dataDir: path.join(dataDir, 'pgdata') },
      ),
    async cleanUp() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await exited
      }
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** Reads the server's JSON log until its `listening` line. */
async function listeningUrl(child: ChildProcess, exited: Promise<unknown>): Promise<string> {
  if (!child.stdout) throw new Error('the child process has a stdout')
  const lines = createInterface({ input: child.stdout })
  const found = new Promise<string>((resolve) => {
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'listening' && entry.url) resolve(entry.url)
    })
  })
  const died = exited.then((code) => {
    throw new Error(`the API process exited (${String(code)}) before listening`)
  })
  return Promise.race([found, died])
}
