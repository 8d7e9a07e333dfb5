import { formatDate } from '../../../lib/format.ts'

/** A UTC instant as a date a person reads (`5 Dec 2026`); a dash for never. */
export const formatDay = (iso: string | null) => (iso ? formatDate(iso) : '–')

export const periodWords = { monthly: 'this month', weekly: 'this week', daily: 'today' } as const
