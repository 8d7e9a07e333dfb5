import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** An error in Supabase Auth's (GoTrue's) wire format: `{ code, message }`. */
export class GoTrueError extends Error {
  override readonly name = 'GoTrueError'
  readonly status: ContentfulStatusCode
  readonly code: string
  readonly extra: Record<string, unknown>
  readonly retryAfterSeconds: number | undefined

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { extra?: Record<string, unknown>; retryAfterSeconds?: number } = {},
  ) {
    super(message)
    this.status = status
    this.code = code
    this.extra = options.extra ?? {}
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** The API version whose error format (`code` rather than `error_code`) this server speaks. */
export const apiVersion = '2024-01-01'
