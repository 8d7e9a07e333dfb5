import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** Every child this bench started; all of them die with it, however it ends. */
const children = new Set<ChildProcess>()
/** Temporary folders that go with it too. */
const folders = new Set<string>()

function killAll(signal: NodeJS.Signals) {
  for (const child of children) if (child.exitCode === null) child.kill(signal)
}

/** Removes `folder` when the bench exits, if nothing has removed it before. */
export function removeOnExit(folder: string) {
  folders.add(folder)
}

process.once('exit', () => {
  killAll('SIGKILL')
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll('SIGKILL')
    process.exit(130)
  })
}

export interface Child {
  name: string
  child: ChildProcess
  pid: number
  /** Warnings and errors the child logged (pino levels 40 and up). */
  problems: { count: number; samples: string[] }
  /** The last lines it wrote to stderr. */
  stderr: string[]
  /** How it ended, once it has: by itself (a crash) unless `stop` ended it. */
  exit: { code: number | null; signal: string | null; stopped: boolean } | null
  stop(): Promise<void>
}

interface StartOptions {
  /** For messages. */
  name: string
  args: string[]
  env?: Record<string, string>
  cwd?: string
  /** Is this stdout line the sign that the child is ready? */
  ready: (line: string) => boolean
  timeoutMs?: number
}

/** Starts `node <args>` and resolves once a stdout line says it is ready. */
export function startNode(options: StartOptions): Promise<Child> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const problems = { count: 0, samples: [] as string[] }
  const stderr: string[] = []
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    stderr.push(line)
    if (stderr.length > 40) stderr.shift()
  })
  const { name } = options
  return new Promise<Child>((resolve, reject) => {
    let ready = false
    let stopping = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${name} was not ready within ${options.timeoutMs ?? 60_000} ms`))
    }, options.timeoutMs ?? 60_000)
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      recordProblem(problems, line)
      if (ready || !options.ready(line)) return
      ready = true
      clearTimeout(timer)
      const started: Child = {
        name,
        child,
        pid: child.pid ?? 0,
        problems,
        stderr,
        exit: null,
        stop: async () => {
          stopping = true
          await stop(child)
        },
      }
      child.once('exit', (code, signal) => {
        started.exit = { code, signal, stopped: stopping }
      })
      resolve(started)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (ready) return
      reject(new Error(`${name} exited with ${code} before it was ready:\n${stderr.join('\n')}`))
    })
  })
}

function recordProblem(problems: Child['problems'], line: string) {
  if (!/"level":(40|50|60)/.test(line)) return
  problems.count++
  if (problems.samples.length < 5) problems.samples.push(line.slice(0, 600))
}

/** SIGTERM, then SIGKILL if the child has not exited within 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** Throws, with what it last wrote to stderr, if one of them has exited without being stopped. */
export function assertRunning(children: readonly Child[]) {
  for (const { name, exit, stderr } of children) {
    if (!exit || exit.stopped) continue
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`
    throw new Error(`${name} exited with ${how} during the run:\n${stderr.slice(-15).join('\n')}`)
  }
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** CPU time (user + system, all threads) a process has used, in ms, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Resident set size of a process, in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
  return kb / 1024
}
