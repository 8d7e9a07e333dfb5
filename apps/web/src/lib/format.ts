/** A decimal USD string from the API (`"0.00126"`) as money a person reads. */
export function formatUsd(usd: string): string {
  const value = Number(usd)
  if (value === 0) return '$0'
  if (value < 0.0001) return '<$0.0001'
  if (value < 0.01) return `$${value.toFixed(4)}`
  if (value < 1) return `$${value.toFixed(3)}`
  return `$${value.toFixed(2)}`
}

const integer = new Intl.NumberFormat('en')

export const formatCount = (count: number) => integer.format(count)

const units = ['KB', 'MB', 'GB']

/** A size in bytes as a person reads it (`812 bytes`, `1.4 MB`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${integer.format(bytes)} bytes`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

export const formatMs = (ms: number | null) => (ms === null ? '–' : `${integer.format(ms)} ms`)

/** Every UTC day from `from` to `to` inclusive, as `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = []
  const end = Date.parse(`${to}T00:00:00Z`)
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= end; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10))
  }
  return days
}

/** A UTC instant as a date in the reader's words (`5 Jan 2027`). */
export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(iso))
}

/** Tick labels with as many decimals as the step between ticks needs (`$0.00012`). */
export function usdTicks(ticks: number[]): string[] {
  const step = ticks.length > 1 ? Math.abs((ticks[1] ?? 0) - (ticks[0] ?? 0)) : 1
  const decimals = step > 0 ? Math.min(8, Math.max(2, Math.ceil(-Math.log10(step)))) : 2
  return ticks.map((usd) => `$${usd.toFixed(decimals)}`)
}

/** `part` of `whole` as a percentage (`2.5%`); a dash when there is no whole. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '–'
  const percent = (100 * part) / whole
  return `${percent < 10 && percent > 0 ? percent.toFixed(1) : Math.round(percent)}%`
}
