import { createClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

const client = () =>
  createClient(server.url, 'embedded-anon-key', {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })

let counter = 0
const password = 'correct horse battery'

/** Someone with an account and a password, signed in on one device. */
async function person() {
  const supabase = client()
  const email = `reset-${Date.now()}-${counter++}@example.test`
  const { data, error } = await supabase.auth.signUp({ email, password })
  if (error || !data.user || !data.session) throw new Error(`sign-up failed: ${error?.message}`)
  return { supabase, email, id: data.user.id, session: data.session }
}

async function resetLink(admin: { token: string }, userId: string) {
  const response = await server.call(admin.token, `/api/v1/admin/users/${userId}/recovery-link`, {
    method: 'POST',
  })
  expect(response.status).toBe(201)
  const { link } = (await response.json()) as { link: string }
  const fragment = new URLSearchParams(new URL(link).hash.slice(1))
  return { link, tokenHash: fragment.get('token_hash') ?? '' }
}

describe('a password reset link', () => {
  it('signs its person in once, lets them set a new password, and ends their other sessions', async () => {
    const admin = await server.user({ admin: true })
    const someone = await person()
    const { link, tokenHash } = await resetLink(admin, someone.id)
    expect(new URL(link).pathname).toBe('/reset-password')

    const device = client()
    const verified = await device.auth.verifyOtp({ token_hash: tokenHash, type: 'recovery' })
    expect(verified.error).toBeNull()
    expect(verified.data.user?.email).toBe(someone.email)
    const reused = await client().auth.verifyOtp({ token_hash: tokenHash, type: 'recovery' })
    expect(reused.error?.code).toBe('otp_expired')

    const updated = await device.auth.updateUser({ password: 'a brand new passphrase' })
    expect(updated.error).toBeNull()
    const old = await client().auth.signInWithPassword({ email: someone.email, password })
    expect(old.error?.code).toBe('invalid_credentials')
    const fresh = await client().auth.signInWithPassword({
      email: someone.email,
      password: 'a brand new passphrase',
    })
    expect(fresh.error).toBeNull()
    // The session from before the reset (say, on a lost laptop) cannot be renewed.
    const stale = await someone.supabase.auth.refreshSession()
    expect(stale.error).not.toBeNull()
  })

  it('does not let an ordinary session change the password without the old one', async () => {
    const someone = await person()
    const { error } = await someone.supabase.auth.updateUser({ password: 'another passphrase' })
    expect(error?.code).toBe('current_password_required')
  })

  it('stops working after an hour, and a newer link replaces an older one', async () => {
    const admin = await server.user({ admin: true })
    const someone = await person()
    const first = await resetLink(admin, someone.id)
    const second = await resetLink(admin, someone.id)
    const replaced = await client().auth.verifyOtp({
      token_hash: first.tokenHash,
      type: 'recovery',
    })
    expect(replaced.error?.code).toBe('otp_expired')
    await server.db.ownerStatement(
      `update auth.users set recovery_sent_at = now() - interval '61 minutes' where id = $1`,
      [someone.id],
    )
    const late = await client().auth.verifyOtp({ token_hash: second.tokenHash, type: 'recovery' })
    expect(late.error?.code).toBe('otp_expired')
  })

  it('is made by admins only, for a user that exists', async () => {
    const admin = await server.user({ admin: true })
    const ordinary = await server.user()
    const someone = await person()
    await expectEnvelope(
      await server.call(ordinary.token, `/api/v1/admin/users/${someone.id}/recovery-link`, {
        method: 'POST',
      }),
      403,
      'forbidden',
    )
    await expectEnvelope(
      await server.call(
        admin.token,
        '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/recovery-link',
        { method: 'POST' },
      ),
      404,
      'not_found',
    )
  })
})
