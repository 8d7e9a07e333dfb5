import { minPasswordLength } from '@parley/schema/limits'
import type { Context } from 'hono'
import { z } from 'zod'
import { GoTrueError } from './gotrue-error.ts'

const email = z.string().trim().toLowerCase().pipe(z.email().max(255))
export const signupBody = z.looseObject({
  email,
  password: z.string().max(1024),
  data: z.record(z.string(), z.unknown()).optional(),
})
const invitationToken = z.string().min(1).max(200).optional()
export const passwordGrant = z.looseObject({ email, password: z.string().max(1024) })
export const refreshGrant = z.looseObject({ refresh_token: z.string().min(1).max(200) })
/** supabase-js `updateUser`: the embedded auth changes only the password, and wants the current one. */
export const userUpdate = z.looseObject({
  password: z.string().max(1024),
  current_password: z.string().max(1024).optional(),
})

export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    throw new GoTrueError(400, 'validation_failed', 'Could not read the request body as JSON')
  }
}

/** `value` parsed by `schema`, or GoTrue's 400 naming the first field that failed. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue?.path[0]
  const message =
    field === 'email'
      ? 'Unable to validate email address: invalid format'
      : `${String(field ?? 'body')}: ${issue?.message ?? 'invalid'}`
  throw new GoTrueError(400, 'validation_failed', message)
}

/**
 * Sign-up metadata is the user's to set; keep it small and plain. An invitation token travels
 * in it (`data.invitation_token`, the one extra field supabase-js can send) and is taken out.
 */
export function splitInvitation(data: Record<string, unknown> | undefined): {
  invitation: string | undefined
  metadata: Record<string, unknown>
} {
  if (!data) return { invitation: undefined, metadata: {} }
  const { invitation_token: token, ...metadata } = data
  const invitation = invitationToken.safeParse(token)
  if (!invitation.success) {
    throw new GoTrueError(400, 'validation_failed', 'data.invitation_token: invalid')
  }
  if (JSON.stringify(metadata).length > 4096) {
    throw new GoTrueError(400, 'validation_failed', 'data: too large')
  }
  return { invitation: invitation.data, metadata }
}

export function checkPasswordStrength(password: string): void {
  if (password.length >= minPasswordLength) return
  const message = `Password should be at least ${minPasswordLength} characters.`
  throw new GoTrueError(422, 'weak_password', message, {
    extra: { weak_password: { reasons: ['length'], message } },
  })
}
