import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))

export interface BenchReport {
  name: string
  description: string
  /** Rows printed as a table; every value should be a number or a short string. */
  rows: Record<string, string | number>[]
  /** Anything else worth keeping in the JSON (ratios, parameters). */
  details?: Record<string, unknown>
  /** Lines printed between the title and the table (the machine, say). */
  header?: string[]
  /** Lines printed under the table (definitions, what could not be measured). */
  notes?: string[]
  /** `markdown` prints the rows as a Markdown table (their keys are the columns). */
  layout?: 'table' | 'markdown'
  /** Also kept in `<partOf>.json` under `parts[name]`, beside that report's own rows. */
  partOf?: string
}

export async function writeReport(report: BenchReport): Promise<string> {
  await mkdir(resultsDir, { recursive: true })
  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  }
  const { partOf, ...body } = { ...report, machine, recordedAt: new Date().toISOString() }
  const file = resultFile(report.name)
  // A report keeps the parts other runs merged into its file.
  const { parts } = await readResult(file)
  await writeResult(file, parts === undefined ? body : { ...body, parts })
  if (partOf) {
    const whole = resultFile(partOf)
    const existing = await readResult(whole)
    const merged = { ...(existing.parts ?? {}), [report.name]: body }
    await writeResult(whole, { ...existing, parts: merged })
  }
  return file
}

const resultFile = (name: string) => path.join(resultsDir, `${name}.json`)

async function readResult(file: string): Promise<{ parts?: Record<string, unknown> }> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { parts?: Record<string, unknown> }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw error
  }
}

const writeResult = (file: string, body: object) =>
  writeFile(file, `${JSON.stringify(body, null, 2)}\n`)

export function printReport(report: BenchReport): void {
  console.log(`\n## ${report.name}: ${report.description}`)
  for (const line of report.header ?? []) console.log(line)
  if (report.layout === 'markdown') console.log(`\n${markdownTable(report.rows)}\n`)
  else console.table(report.rows)
  for (const line of report.notes ?? []) console.log(`- ${line}`)
  if (report.details && report.layout !== 'markdown') {
    console.log(JSON.stringify(report.details, null, 2))
  }
}

/** Rows as a Markdown table, padded so that it also reads as plain text. */
export function markdownTable(rows: BenchReport['rows']): string {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cells = [keys, ...rows.map((row) => keys.map((key) => String(row[key] ?? '')))]
  const widths = keys.map((_, i) => Math.max(3, ...cells.map((line) => (line[i] ?? '').length)))
  const line = (values: string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`
  const [head = [], ...body] = cells
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}
