import { z } from 'zod'

export const health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'unavailable']),
  mode: z.enum(['embedded', 'supabase']),
  version: z.string(),
})
export type Health = z.infer<typeof health>
