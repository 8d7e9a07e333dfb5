import { createClient } from '@supabase/supabase-js'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { embeddedIssuer } from '../deps.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'
import { BootstrapAdminToken } from './bootstrap-admin.ts'
import { hashRefreshToken } from './sessions.ts'

const bootstrapToken = 'the-operators-bootstrap-admin-token'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    auth: {
      kind: 'local',
      signingKey: await (await import('./signing-key.ts')).createEphemeralSigningKey(),
      accessTokenTtlSeconds: 3600,
      bootstrapAdmin: BootstrapAdminToken.configured(bootstrapToken),
    },
  })
})
afterAll(() => server?.close())

const client = () =>
  createClient(server.url, 'embedded-anon-key', {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })

let emailCounter = 0
const newEmail = () => `person-${Date.now()}-${emailCounter++}@example.test`

const me = (token: string) => server.call(token, '/api/v1/me')

describe('the embedded auth server, driven by @supabase/supabase-js', () => {
  it('signs up, signs in, refreshes, reads the user and signs out', async () => {
    const supabase = client()
    const email = newEmail()
    const signUp = await supabase.auth.signUp({
      email,
      password: 'correct horse battery',
      options: { data: { display_name: 'Ada' } },
    })
    expect(signUp.error).toBeNull()
    expect(signUp.data.session?.access_token).toBeTruthy()
    expect(signUp.data.user?.email).toBe(email)

    const signIn = await supabase.auth.signInWithPassword({
      email,
      password: 'correct horse battery',
    })
    expect(signIn.error).toBeNull()
    const session = signIn.data.session
    if (!session) throw new Error('signed in')

    const profile = await me(session.access_token)
    expect(profile.status).toBe(200)
    expect(await profile.json()).toMatchObject({ email, displayName: 'Ada', role: 'user' })

    const refreshed = await supabase.auth.refreshSession()
    expect(refreshed.error).toBeNull()
    expect(refreshed.data.session?.refresh_token).not.toBe(session.refresh_token)
    expect((await me(refreshed.data.session?.access_token ?? '')).status).toBe(200)

    const user = await supabase.auth.getUser()
    expect(user.error).toBeNull()
    expect(user.data.user?.email).toBe(email)

    const signOut = await supabase.auth.signOut()
    expect(signOut.error).toBeNull()
    // Signing out revokes the refresh tokens of the session.
    const again = await fetch(`${server.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: refreshed.data.session?.refresh_token }),
    })
    expect(again.status).toBe(400)
  })

  it('says invalid_credentials for a wrong password and user_already_exists for a taken email', async () => {
    const supabase = client()
    const email = newEmail()
    await supabase.auth.signUp({ email, password: 'correct horse battery' })
    const wrong = await supabase.auth.signInWithPassword({ email, password: 'wrong password!' })
    expect(wrong.error?.status).toBe(400)
    expect(wrong.error?.code).toBe('invalid_credentials')
    const unknown = await supabase.auth.signInWithPassword({
      email: newEmail(),
      password: 'whatever12',
    })
    expect(unknown.error?.code).toBe('invalid_credentials')
    const duplicate = await client().auth.signUp({ email, password: 'another password' })
    expect(duplicate.error?.status).toBe(422)
    expect(duplicate.error?.code).toBe('user_already_exists')
    const weak = await client().auth.signUp({ email: newEmail(), password: 'short' })
    expect(weak.error?.code).toBe('weak_password')
  })

  const refresh = (token: string) =>
    fetch(`${server.url}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ refresh_token: token }),
    })
  const refreshed = async (token: string) => {
    const response = await refresh(token)
    expect(response.status).toBe(200)
    return (await response.json()) as { refresh_token: string; access_token: string }
  }
  const newSession = async () => {
    const { data } = await client().auth.signUp({
      email: newEmail(),
      password: 'correct horse battery',
    })
    return data.session?.refresh_token ?? ''
  }

  it('gives two refreshes of one token (two tabs, a retry) the same successor', async () => {
    const original = await newSession()
    const [a, b] = await Promise.all([refreshed(original), refreshed(original)])
    expect(a.refresh_token).toBe(b.refresh_token)
    expect(a.refresh_token).not.toBe(original)
    // A retry after a lost response, still within the interval, gets it too.
    expect((await refreshed(original)).refresh_token).toBe(a.refresh_token)
    // And the session lives on: the successor rotates normally.
    const next = await refreshed(a.refresh_token)
    expect(next.refresh_token).not.toBe(a.refresh_token)
    expect((await me(next.access_token)).status).toBe(200)
  })

  it('revokes the whole session when a rotated refresh token is used after the reuse interval', async () => {
    const original = await newSession()
    const child = (await refreshed(original)).refresh_token
    // The rotation happened 11 s ago (the interval is 10 s).
    await server.db.asOwner((sql) =>
      sql.query(
        `update auth.refresh_tokens set updated_at = now() - interval '11 seconds' where token = $1`,
        [hashRefreshToken(original)],
      ),
    )
    const replay = await refresh(original)
    expect(replay.status).toBe(400)
    expect(replay.headers.get('x-supabase-api-version')).toBe('2024-01-01')
    expect(await replay.json()).toMatchObject({ code: 'refresh_token_already_used' })
    // The family is gone: the legitimate child no longer works either.
    expect((await refresh(child)).status).toBe(400)
  })

  it('revokes the session when a token is reused after its successor was itself rotated', async () => {
    const original = await newSession()
    const child = (await refreshed(original)).refresh_token
    const grandchild = (await refreshed(child)).refresh_token
    expect((await refresh(original)).status).toBe(400)
    expect((await refresh(grandchild)).status).toBe(400)
  })

  it('treats differently written forms of one email address as one account', async () => {
    const local = `Person-${crypto.randomUUID().slice(0, 8)}`
    const first = await client().auth.signUp({
      email: `  ${local}@Example.test `,
      password: 'correct horse battery',
    })
    expect(first.data.user?.email).toBe(`${local.toLowerCase()}@example.test`)
    const again = await client().auth.signUp({
      email: `${local.toLowerCase()}@example.test`,
      password: 'another password',
    })
    expect(again.error?.code).toBe('user_already_exists')
    const signIn = await client().auth.signInWithPassword({
      email: `${local.toUpperCase()}@EXAMPLE.TEST`,
      password: 'correct horse battery',
    })
    expect(signIn.error).toBeNull()
  })

  it('makes admin only a signed-in user who presents the bootstrap admin token', async () => {
    const supabase = client()
    const { data } = await supabase.auth.signUp({
      email: '  BOSS@Example.test ',
      password: 'correct horse battery',
      options: { data: { role: 'admin' } },
    })
    const token = data.session?.access_token ?? ''
    expect(data.user?.app_metadata.role).toBeUndefined()
    expect(await (await me(token)).json()).toMatchObject({ role: 'user' })

    const claim = (body: unknown, bearer = token) =>
      server.call(bearer, '/api/v1/admin/claim', { method: 'POST', json: body })
    const wrong = await claim({ token: `${bootstrapToken}x` })
    expect(wrong.status).toBe(403)
    expect(await wrong.json()).toMatchObject({ error: { code: 'forbidden' } })
    expect((await claim({ token: bootstrapToken }, 'not-a-token')).status).toBe(401)
    expect((await claim({})).status).toBe(400)

    // Guessing is throttled per user: five wrong tokens, then 429 even for the right one.
    const guesser = (
      await client().auth.signUp({ email: newEmail(), password: 'correct horse battery' })
    ).data.session?.access_token
    const guesses: number[] = []
    for (let i = 0; i < 6; i++) guesses.push((await claim({ token: `guess-${i}` }, guesser)).status)
    expect(guesses).toEqual([403, 403, 403, 403, 403, 429])
    expect((await claim({ token: bootstrapToken }, guesser)).status).toBe(429)

    const granted = await claim({ token: bootstrapToken })
    expect(granted.status).toBe(200)
    expect(await granted.json()).toEqual({ role: 'admin' })
    const { data: next } = await supabase.auth.refreshSession()
    expect(next.session?.user.app_metadata.role).toBe('admin')
    expect(await (await me(next.session?.access_token ?? '')).json()).toMatchObject({
      role: 'admin',
    })
    // Signing in again keeps the role: it lives in app_metadata, not in a list of emails.
    const { data: again } = await client().auth.signInWithPassword({
      email: 'boss@example.test',
      password: 'correct horse battery',
    })
    expect(again.user?.app_metadata.role).toBe('admin')
  })

  it('publishes its public key and never the private part', async () => {
    const jwks = (await (await fetch(`${server.url}/auth/v1/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[]
    }
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' })
    expect(jwks.keys[0]).not.toHaveProperty('d')
  })
})

describe('the API', () => {
  async function validToken() {
    const { data } = await client().auth.signUp({
      email: newEmail(),
      password: 'correct horse battery',
    })
    return data.session?.access_token ?? ''
  }

  it('accepts tokens the auth server issued', async () => {
    expect((await me(await validToken())).status).toBe(200)
  })

  it('rejects missing, tampered, expired, foreign and unsigned tokens with 401', async () => {
    const token = await validToken()
    const [header, payload, signature] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: crypto.randomUUID() })).toString('base64url')}.${signature}`
    const signingKey = server.deps.localAuth?.signingKey
    if (!signingKey) throw new Error('embedded mode')
    const now = Math.floor(Date.now() / 1000)
    const sign = (
      overrides: Record<string, unknown>,
      { issuer = embeddedIssuer, expiresAt = now + 3600 } = {},
    ) =>
      new SignJWT({ ...claims, ...overrides })
        .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid })
        .setIssuer(issuer)
        .setAudience('authenticated')
        .setSubject(String(claims.sub))
        .setIssuedAt(now - 7200)
        .setExpirationTime(expiresAt)
        .sign(signingKey.privateKey)
    // The same recipe with nothing wrong is accepted, so each failure below has one cause.
    expect((await me(await sign({}))).status).toBe(200)
    const expired = await sign({}, { expiresAt: now - 60 })
    const foreignIssuer = await sign({}, { issuer: 'https://evil.example/auth/v1' })
    const serviceRole = await sign({ role: 'service_role' })
    const unsigned = new UnsecuredJWT({ ...claims })
      .setIssuer(embeddedIssuer)
      .setAudience('authenticated')
      .setExpirationTime('1h')
      .encode()

    for (const [name, bad] of Object.entries({
      tampered,
      expired,
      foreignIssuer,
      serviceRole,
      unsigned,
      garbage: 'not.a.jwt',
    })) {
      const response = await me(bad)
      expect(response.status, name).toBe(401)
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'unauthorized',
      )
    }
    const missing = await fetch(`${server.url}/api/v1/me`)
    expect(missing.status).toBe(401)
  })
})
