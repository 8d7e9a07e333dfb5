import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from './app.ts'
import { clientAddressOf, parseTrustedProxies, type TrustedProxies } from './client-address.ts'
import { defaultLimits, loadConfig } from './config.ts'
import { buildDeps } from './deps.ts'
import { StreamLimiter } from './services/stream-limiter.ts'
import { eventually, readEvents, startTestServer, type TestServer } from './testing/test-server.ts'

/** The limiters' clock: tests move it instead of waiting. */
let clock = Date.parse('2026-12-05T12:00:00.000Z')
const now = () => clock

let server: TestServer
/** A second API instance on the same database, as another process behind the balancer would be. */
let second: ReturnType<typeof createApp>
beforeAll(async () => {
  server = await startTestServer({
    now,
    limits: { ...defaultLimits, requestsPerMinute: 3, turnsPerMinute: 1 },
    trustedProxies: { kind: 'hops', hops: 1 },
  })
  const settings = server.deps.localAuth
  if (!settings) throw new Error('embedded mode')
  const logger = pino({ level: 'silent' })
  const deps = await buildDeps(
    {
      db: server.db,
      mode: 'embedded',
      providers: {},
      auth: { kind: 'local', signingKey: settings.signingKey, accessTokenTtlSeconds: 3600 },
      webDist: '/nonexistent',
      maxConcurrentStreams: 3,
      limits: { ...defaultLimits, requestsPerMinute: 3 },
      now,
      rateLimitScope: server.deps.limiter.scope,
      files: { storage: server.deps.files.storage },
    },
    logger,
  )
  second = createApp(deps, logger)
})
afterAll(() => server?.close())

const me = (token: string) => server.call(token, '/api/v1/me')

describe('per-user request limits', () => {
  it('answer 429 rate_limited with Retry-After and RateLimit headers once the minute is spent', async () => {
    const user = await server.user()
    const seen: (string | null)[] = []
    for (let i = 0; i < 3; i++) {
      const response = await me(user.token)
      expect(response.status).toBe(200)
      seen.push(response.headers.get('ratelimit'))
      clock += 10_000
    }
    expect(seen).toEqual(['"requests";r=2;t=60', '"requests";r=1;t=50', '"requests";r=0;t=40'])

    const refused = await me(user.token)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({
      error: { code: 'rate_limited', requestId: expect.any(String) },
    })
    expect(refused.headers.get('retry-after')).toBe('30')
    expect(refused.headers.get('ratelimit-policy')).toBe('"requests";q=3;w=60')
    expect(refused.headers.get('ratelimit')).toBe('"requests";r=0;t=30')

    clock += 30_000
    expect((await me(user.token)).status).toBe(200)
  })

  it('are shared by two API instances on one database', async () => {
    const user = await server.user()
    const onSecond = () =>
      second.request('/api/v1/me', { headers: { authorization: `Bearer ${user.token}` } })
    expect((await me(user.token)).status).toBe(200)
    expect((await onSecond()).status).toBe(200)
    expect((await me(user.token)).status).toBe(200)
    // The fourth request of the minute, whichever instance it reaches.
    const refused = await onSecond()
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    expect((await me(user.token)).status).toBe(429)
  })

  it('count chat turns on their own, before any model is called', async () => {
    const user = await server.user()
    const created = await server.call(user.token, '/api/v1/conversations', {
      method: 'POST',
      json: {},
    })
    const { id } = (await created.json()) as { id: string }
    const send = (content: string) =>
      server.call(user.token, `/api/v1/conversations/${id}/messages`, {
        method: 'POST',
        json: { content },
        headers: { accept: 'text/event-stream' },
      })
    const first = `first turn ${randomUUID()}`
    server.fake.enqueue({ kind: 'text', text: 'One.' }, { lastUserMessage: first })
    await readEvents(await send(first))

    const second = `second turn ${randomUUID()}`
    const refused = await send(second)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('ratelimit-policy')).toBe('"turns";q=1;w=60, "requests";q=3;w=60')
    expect(server.fake.requestsFor({ lastUserMessage: second })).toEqual([])
  })
})

describe('concurrent streams', () => {
  it('are capped across instances, and a crashed instance’s slots lapse', async () => {
    const userId = randomUUID()
    const options = { db: server.db, max: 1, ttlSeconds: 60, now }
    const [a, b] = [new StreamLimiter(options), new StreamLimiter(options)]
    const release = await a.acquire(userId)
    await expect(b.acquire(userId)).rejects.toMatchObject({ code: 'rate_limited' })
    release()
    const held = await a.acquire(userId)
    expect(held).toBeTypeOf('function')
    // `a` dies holding the slot: no release, no renewal. Once it lapses `b` may stream.
    await expect(b.acquire(userId)).rejects.toMatchObject({ code: 'rate_limited' })
    clock += 61_000
    await expect(b.acquire(userId)).resolves.toBeTypeOf('function')
  })
})

describe('a chat turn’s stream slot', () => {
  it('is taken with the turn’s rate limits: refused at the cap naming every policy, and given back by a request that never streamed', async () => {
    // A server of its own, with one stream per user.
    const one = await startTestServer({ maxConcurrentStreams: 1 })
    onTestFinished(() => one.close())
    const user = await one.user()
    const id = await one.newConversation(user.token)
    const send = (content: string, signal?: AbortSignal) =>
      one.sendStreamed(user.token, id, { content }, signal)

    // Counted (and its slot taken), but bad input: the slot is given back at once.
    expect((await send('   ')).status).toBe(400)

    const held = `held open ${randomUUID()}`
    one.fake.enqueue({ kind: 'hang', text: 'held open', afterTokens: 1 }, { lastUserMessage: held })
    const aborts = new AbortController()
    expect((await send(held, aborts.signal)).status).toBe(200)

    const refusedText = `refused ${randomUUID()}`
    const refused = await send(refusedText)
    expect(refused.status).toBe(429)
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } })
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(refused.headers.get('ratelimit-policy')).toBe(
      `"turns";q=${defaultLimits.turnsPerMinute};w=60, "requests";q=${defaultLimits.requestsPerMinute};w=60`,
    )
    expect(one.fake.requestsFor({ lastUserMessage: refusedText })).toEqual([])

    // The held reply ends (its reader left): its slot is free for the next turn.
    aborts.abort()
    await eventually(() => one.deps.turns.liveCount === 0)
    const after = `after ${randomUUID()}`
    one.fake.enqueue({ kind: 'text', text: 'Free again.' }, { lastUserMessage: after })
    const events = await readEvents(await send(after))
    expect(events.at(-1)?.event).toBe('done')
  })
})

describe('sign-in delays', () => {
  const password = 'correct horse battery'
  const signIn = (email: string, pass: string, from: string) =>
    fetch(`${server.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.9.9, ${from}` },
      body: JSON.stringify({ email, password: pass }),
    })

  it('slow an attacker down progressively while the owner still signs in from their address', async () => {
    const email = `owner-${randomUUID()}@example.test`
    const signUp = await fetch(`${server.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    expect(signUp.status).toBe(200)

    const attacker = '203.0.113.7'
    const codes: string[] = []
    for (let i = 0; i < 6; i++) {
      codes.push(
        ((await (await signIn(email, `guess-${i}`, attacker)).json()) as { code: string }).code,
      )
    }
    expect(codes).toEqual(Array(6).fill('invalid_credentials'))
    const waits: (string | null)[] = []
    for (const step of [1, 2]) {
      const refused = await signIn(email, password, attacker)
      expect(refused.status).toBe(429)
      expect(await refused.json()).toEqual({
        code: 'over_request_rate_limit',
        message: `Too many requests. Try again in ${step} ${step === 1 ? 'second' : 'seconds'}.`,
      })
      waits.push(refused.headers.get('retry-after'))
      clock += step * 1000
      expect((await signIn(email, 'another guess', attacker)).status).toBe(400)
    }
    expect(waits).toEqual(['1', '2'])

    const owner = await signIn(email, password, '198.51.100.1')
    expect(owner.status).toBe(200)
    expect(await owner.json()).toMatchObject({ access_token: expect.any(String) })
  })
})

describe('the client address', () => {
  const none: TrustedProxies = { kind: 'none' }
  const ranges = parseTrustedProxies('10.0.0.0/8, ::1')

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', () => {
    if (typeof ranges === 'string') throw new Error(ranges)
    expect(clientAddressOf('10.1.2.3', '198.51.100.1', none)).toBe('10.1.2.3')
    expect(clientAddressOf('192.0.2.5', '198.51.100.1', ranges)).toBe('192.0.2.5')
    expect(clientAddressOf('::ffff:10.1.2.3', '198.51.100.1', ranges)).toBe('198.51.100.1')
    // A client's own X-Forwarded-For entries sit left of what trusted proxies appended.
    expect(clientAddressOf('10.1.2.3', '1.1.1.1, 198.51.100.1, 10.0.0.7', ranges)).toBe(
      '198.51.100.1',
    )
    expect(clientAddressOf('::1', '1.1.1.1, 198.51.100.1', { kind: 'hops', hops: 1 })).toBe(
      '198.51.100.1',
    )
    expect(
      clientAddressOf('::1', '1.1.1.1, 198.51.100.1, 35.1.1.1', { kind: 'hops', hops: 2 }),
    ).toBe('198.51.100.1')
  })

  it('comes from PARLEY_TRUSTED_PROXIES, which rejects what is neither a count nor CIDRs', () => {
    expect(loadConfig({}).trustedProxies).toEqual({ kind: 'none' })
    expect(loadConfig({ PARLEY_TRUSTED_PROXIES: '2' }).trustedProxies).toEqual({
      kind: 'hops',
      hops: 2,
    })
    expect(() => loadConfig({ PARLEY_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(
      /PARLEY_TRUSTED_PROXIES: must be a number of proxies or a comma-separated list of CIDRs/,
    )
  })

  it('is the socket peer when it is not trusted, whatever X-Forwarded-For claims', async () => {
    const untrusted = parseTrustedProxies('10.0.0.0/8')
    if (typeof untrusted === 'string') throw new Error(untrusted)
    const strict = await startTestServer({
      limits: { ...defaultLimits, authRequestsPerMinute: 2 },
      trustedProxies: untrusted,
    })
    try {
      const statuses: number[] = []
      for (const spoofed of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
        const response = await fetch(`${strict.url}/auth/v1/token?grant_type=refresh_token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': spoofed },
          body: JSON.stringify({ refresh_token: 'not-a-token' }),
        })
        statuses.push(response.status)
      }
      expect(statuses).toEqual([400, 400, 429])
    } finally {
      await strict.close()
    }
  })
})
