import { type BenchReport, printReport, writeReport } from './report.ts'

/** A benchmark gives one report, or several for a suite of related measures. */
type Bench = () => Promise<BenchReport | BenchReport[]>

const benches: Record<string, () => Promise<Bench>> = {
  db: async () => (await import('./db.ts')).default,
  llm: async () => (await import('./llm.ts')).default,
  gateway: async () => (await import('./gateway/index.ts')).default,
  'early-calls': async () => (await import('./gateway/early-calls.ts')).default,
  knowledge: async () => (await import('./knowledge/suite.ts')).default,
  web: async () => (await import('./web.ts')).default,
  spend: async () => (await import('./spend.ts')).default,
}

const requested = process.argv.slice(2).filter((arg) => arg !== '--')
const names = requested.length ? requested : Object.keys(benches)
const unknown = names.filter((name) => !(name in benches))
if (unknown.length) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`,
  )
  process.exit(2)
}

for (const name of names) {
  const load = benches[name]
  if (!load) continue
  const bench = await load()
  for (const report of [await bench()].flat()) {
    printReport(report)
    console.log(`written ${await writeReport(report)}`)
  }
}
