import { mkdir, writeFile } from 'node:fs/promises'
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
}

export async function writeReport(report: BenchReport): Promise<string> {
  await mkdir(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${report.name}.json`)
  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  }
  const body = { ...report, machine, recordedAt: new Date().toISOString() }
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`)
  return file
}

export function printReport(report: BenchReport): void {
  console.log(`\n## ${report.name}: ${report.description}`)
  console.table(report.rows)
  if (report.details) console.log(JSON.stringify(report.details, null, 2))
}
