import { readFile } from 'node:fs/promises'

/** What the runtime stage of a Dockerfile (the instructions after its last `FROM`) sets. */
export interface RuntimeStage {
  /** The base image of the stage. */
  from: string
  env: Record<string, string>
  workdir: string
  user: string | undefined
  stopSignal: string | undefined
  /** The exec-form command and health check, as JSON arrays in the Dockerfile. */
  cmd: string[]
  healthcheck: string[]
}

interface Instruction {
  keyword: string
  args: string
}

/** Instructions, with comments dropped and `\` continuation lines joined. */
export function parseInstructions(text: string): Instruction[] {
  const logical: string[] = []
  let current = ''
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('#') || (line === '' && current === '')) continue
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `
      continue
    }
    logical.push(current + line)
    current = ''
  }
  if (current.trim()) logical.push(current.trim())
  return logical
    .filter((line) => line !== '')
    .map((line) => {
      const space = line.search(/\s/)
      return space === -1
        ? { keyword: line.toUpperCase(), args: '' }
        : { keyword: line.slice(0, space).toUpperCase(), args: line.slice(space).trim() }
    })
}

function execForm(args: string, what: string): string[] {
  const parsed: unknown = JSON.parse(args)
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`${what} must be in exec form (a JSON array of strings)`)
  }
  return parsed
}

/** Reads the runtime stage; only the instruction forms this repository uses are understood. */
export function parseRuntimeStage(text: string): RuntimeStage {
  const instructions = parseInstructions(text)
  const lastFrom = instructions.findLastIndex((instruction) => instruction.keyword === 'FROM')
  if (lastFrom === -1) throw new Error('the Dockerfile has no FROM')
  const stage: RuntimeStage = {
    from: instructions[lastFrom]?.args.split(/\s+/)[0] ?? '',
    env: {},
    workdir: '/',
    user: undefined,
    stopSignal: undefined,
    cmd: [],
    healthcheck: [],
  }
  for (const { keyword, args } of instructions.slice(lastFrom + 1)) {
    if (keyword === 'ENV') {
      for (const pair of args.split(/\s+/)) {
        const equals = pair.indexOf('=')
        if (equals < 1) throw new Error(`ENV ${pair}: only the KEY=value form is understood`)
        stage.env[pair.slice(0, equals)] = pair.slice(equals + 1)
      }
    } else if (keyword === 'WORKDIR') {
      stage.workdir = args
    } else if (keyword === 'USER') {
      stage.user = args
    } else if (keyword === 'STOPSIGNAL') {
      stage.stopSignal = args
    } else if (keyword === 'CMD') {
      stage.cmd = execForm(args, 'CMD')
    } else if (keyword === 'HEALTHCHECK') {
      const command = args.indexOf('CMD ')
      if (command === -1) throw new Error('HEALTHCHECK has no CMD')
      stage.healthcheck = execForm(args.slice(command + 4), 'HEALTHCHECK CMD')
    }
  }
  return stage
}

export async function readRuntimeStage(file: string | URL): Promise<RuntimeStage> {
  return parseRuntimeStage(await readFile(file, 'utf8'))
}
