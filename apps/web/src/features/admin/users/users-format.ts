const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
})

/** A UTC instant as a date a person reads (`5 Dec 2026`); a dash for never. */
export const formatDay = (iso: string | null) => (iso ? dateFormat.format(new Date(iso)) : '–')

/** A decimal USD string from the API (`"0.00126"`) as money a person reads. */
export function formatSpend(usd: string): string {
  const value = Number(usd)
  if (value === 0) return '$0'
  if (value < 0.01) return '<$0.01'
  return `$${value.toFixed(2)}`
}

export const periodWords = { monthly: 'this month', weekly: 'this week', daily: 'today' } as const
