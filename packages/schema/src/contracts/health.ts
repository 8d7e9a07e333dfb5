import { z } from 'zod'

export const health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'unavailable']),
  mode: z.enum(['embedded', 'supabase']),
  version: z.string(),
})
export type Health = z.infer<typeof health>

/** `GET /api/v1/ready`: whether this instance should be sent traffic. */
export const readiness = z.object({
  status: z.enum(['ready', 'draining', 'unavailable']),
  database: z.enum(['ok', 'unavailable']),
})
export type Readiness = z.infer<typeof readiness>
