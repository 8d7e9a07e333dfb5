import { authStore } from '@parley/db'
import { createClient } from '@supabase/supabase-js'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../testing/test-server.ts'
import { localAuthRoutes } from './routes.ts'
import { createEphemeralSigningKey } from './signing-key.ts'
import type { SignupPolicy } from './signup-policy.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    auth: {
      kind: 'local',
      signingKey: await createEphemeralSigningKey(),
      accessTokenTtlSeconds: 3600,
      signup: { mode: 'invite' },
    },
  })
})
afterAll(() => server?.close())

const options = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }

/** supabase-js against this server's auth, or against the same auth under another policy. */
function client(policy?: SignupPolicy) {
  if (!policy) return createClient(server.url, 'anon', { auth: options })
  const settings = server.deps.localAuth
  if (!settings) throw new Error('embedded mode')
  const auth = localAuthRoutes({
    db: server.db,
    settings: { ...settings, signup: policy },
    verifier: server.deps.verifier,
    limiter: server.deps.limiter,
    limits: server.deps.limits,
    trustedProxies: server.deps.trustedProxies,
  })
  const app = new Hono().route('/auth/v1', auth)
  return createClient('http://auth.test', 'anon', {
    auth: options,
    global: { fetch: async (input, init) => app.request(input, init) },
  })
}

const unique = () => crypto.randomUUID().slice(0, 8)
const password = 'correct horse battery'
const stored = (email: string) =>
  server.db.asService((tx) => authStore.findAuthUserByEmail(tx, email))
const signupSettings = async (policy?: SignupPolicy) => {
  const url = policy ? 'http://auth.test/auth/v1/settings' : `${server.url}/auth/v1/settings`
  const fetcher = policy
    ? (client(policy) as unknown as { rest: { fetch: typeof fetch } }).rest.fetch
    : fetch
  return (await (await fetcher(url)).json()) as { disable_signup: boolean; parley_signup: string }
}

describe('who may sign up', () => {
  it('refuses every sign-up when closed, and says so in the settings', async () => {
    const email = `closed-${unique()}@example.test`
    const { data, error } = await client({ mode: 'closed' }).auth.signUp({ email, password })
    expect(error?.status).toBe(422)
    expect(error?.code).toBe('signup_disabled')
    expect(data.session).toBeNull()
    expect(await stored(email)).toBeNull()
    expect(await signupSettings({ mode: 'closed' })).toMatchObject({
      disable_signup: true,
      parley_signup: 'closed',
    })
    expect(await signupSettings({ mode: 'open' })).toMatchObject({ disable_signup: false })
  })

  it('admits only the listed email domains', async () => {
    const policy: SignupPolicy = { mode: 'domains', domains: ['team.example'] }
    const inside = await client(policy).auth.signUp({
      email: ` Someone-${unique()}@TEAM.example `,
      password,
    })
    expect(inside.error).toBeNull()
    const email = `someone-${unique()}@team.example.evil.test`
    const outside = await client(policy).auth.signUp({ email, password })
    expect(outside.error?.code).toBe('email_address_not_authorized')
    expect(await stored(email)).toBeNull()
  })

  it('in invite mode, admits one sign-up per admin invitation, for its email only', async () => {
    const admin = await server.user({ admin: true })
    const email = `invited-${unique()}@example.test`
    const created = await server.call(admin.token, '/api/v1/admin/invitations', {
      method: 'POST',
      json: { email: ` ${email.toUpperCase()}` },
    })
    expect(created.status).toBe(201)
    const invitation = (await created.json()) as { token: string; link: string; email: string }
    expect(invitation.email).toBe(email)
    expect(invitation.link).toBe(
      `${server.url}/sign-up?invitation=${encodeURIComponent(invitation.token)}`,
    )
    expect(await signupSettings()).toMatchObject({ disable_signup: true, parley_signup: 'invite' })

    const uninvited = await client().auth.signUp({ email, password })
    expect(uninvited.error?.code).toBe('signup_disabled')
    const otherEmail = `other-${unique()}@example.test`
    const wrongEmail = await client().auth.signUp({
      email: otherEmail,
      password,
      options: { data: { invitation_token: invitation.token } },
    })
    expect(wrongEmail.error?.code).toBe('invite_not_found')
    expect(await stored(otherEmail)).toBeNull()

    const accepted = await client().auth.signUp({
      email,
      password,
      options: { data: { display_name: 'Invited', invitation_token: invitation.token } },
    })
    expect(accepted.error).toBeNull()
    expect(accepted.data.user?.user_metadata).toEqual({ display_name: 'Invited' })
    const again = await client().auth.signUp({
      email: `again-${unique()}@example.test`,
      password,
      options: { data: { invitation_token: invitation.token } },
    })
    expect(again.error?.code).toBe('invite_not_found')
  })

  it('lets only admins invite', async () => {
    const user = await server.user()
    const response = await server.call(user.token, '/api/v1/admin/invitations', {
      method: 'POST',
      json: { email: `x-${unique()}@example.test` },
    })
    expect(response.status).toBe(403)
    const body = (await response.json()) as { error: { code: string; requestId: string } }
    expect(body.error.code).toBe('forbidden')
    expect(body.error.requestId).toBeTruthy()
    const admin = await server.user({ admin: true })
    const bad = await server.call(admin.token, '/api/v1/admin/invitations', {
      method: 'POST',
      json: { email: 'not an email' },
    })
    expect(bad.status).toBe(400)
  })
})
