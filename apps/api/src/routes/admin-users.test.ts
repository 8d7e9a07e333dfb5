import { randomUUID } from 'node:crypto'
import { inspect } from '@parley/db/testing'
import type { AdminUser, AdminUserPage } from '@parley/schema/contracts'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { eventually, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
let admin: Awaited<ReturnType<TestServer['user']>>
beforeAll(async () => {
  server = await startTestServer()
  admin = await server.user({ admin: true })
})
afterAll(() => server?.close())

const password = 'correct horse battery'

/** A person who signed up through the auth server, on their own client (one browser). */
async function signedUp(email = `member-${randomUUID()}@example.test`) {
  const supabase: SupabaseClient = createClient(server.url, 'embedded-anon-key', {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })
  const { data, error } = await supabase.auth.signUp({ email, password })
  if (error || !data.session || !data.user) throw error ?? new Error('signed up')
  return { supabase, email, id: data.user.id, token: data.session.access_token }
}

const list = async (query: string) => {
  const response = await server.call(admin.token, `/api/v1/admin/users${query}`)
  expect(response.status).toBe(200)
  return (await response.json()) as AdminUserPage
}

const patch = (token: string, id: string, json: unknown) =>
  server.call(token, `/api/v1/admin/users/${id}`, { method: 'PATCH', json })

describe('listing accounts', () => {
  it('searches by email and pages newest first with a cursor', async () => {
    const tag = randomUUID().slice(0, 8)
    const people = []
    for (const n of [1, 2, 3]) people.push(await signedUp(`list-${tag}-${n}@example.test`))
    await signedUp(`other-${randomUUID()}@example.test`)

    const first = await list(`?q=${tag.toUpperCase()}&limit=2`)
    expect(first.items.map((user) => user.email)).toEqual([
      `list-${tag}-3@example.test`,
      `list-${tag}-2@example.test`,
    ])
    expect(first.items[0]).toMatchObject({
      id: people[2]?.id,
      role: 'user',
      status: 'active',
      spentUsd: '0',
      spendPeriod: 'monthly',
    })
    expect(first.items[0]?.lastSignInAt).not.toBeNull()
    expect(first.nextCursor).toEqual(expect.any(String))

    const second = await list(`?q=${tag}&limit=2&cursor=${first.nextCursor}`)
    expect(second.items.map((user) => user.email)).toEqual([`list-${tag}-1@example.test`])
    expect(second.nextCursor).toBeNull()
  })
})

describe('changing the role', () => {
  it('makes a user admin and back; the role reaches their token at the next refresh', async () => {
    const member = await signedUp()
    const promoted = await patch(admin.token, member.id, { role: 'admin' })
    expect(promoted.status).toBe(200)
    expect((await promoted.json()) as AdminUser).toMatchObject({ id: member.id, role: 'admin' })

    expect((await server.call(member.token, '/api/v1/admin/users')).status).toBe(403)
    const refreshed = await member.supabase.auth.refreshSession()
    const adminToken = refreshed.data.session?.access_token ?? ''
    expect((await server.call(adminToken, '/api/v1/admin/users')).status).toBe(200)

    const demoted = await patch(admin.token, member.id, { role: 'user' })
    expect(((await demoted.json()) as AdminUser).role).toBe('user')
    const again = await member.supabase.auth.refreshSession()
    const userToken = again.data.session?.access_token ?? ''
    expect((await server.call(userToken, '/api/v1/admin/users')).status).toBe(403)
  })

  it('records every change in the admin audit and the activity log, before and after', async () => {
    const member = await signedUp()
    expect((await patch(admin.token, member.id, { disabled: true })).status).toBe(200)
    const audit = await server.call(admin.token, '/api/v1/admin/audit?targetType=user')
    const entries = (
      (await audit.json()) as {
        items: {
          targetId: string
          action: string
          actorId: string
          before: unknown
          after: unknown
        }[]
      }
    ).items.filter((entry) => entry.targetId === member.id)
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'user.change',
        actorId: admin.id,
        before: { email: member.email, role: 'user', disabled: false },
        after: { email: member.email, role: 'user', disabled: true },
      }),
    ])
    await server.deps.activity.flush()
    const activity = await server.call(
      admin.token,
      `/api/v1/admin/activity?type=user_changed&userId=${admin.id}`,
    )
    const logged = (
      (await activity.json()) as {
        items: { targetId: string; metadata: unknown }[]
      }
    ).items.find((entry) => entry.targetId === member.id)
    expect(logged?.metadata).toEqual({ disabled: true })
  })

  it('refuses to let an admin remove their own role or disable themselves', async () => {
    for (const change of [{ role: 'user' }, { disabled: true }]) {
      const body = await expectEnvelope(await patch(admin.token, admin.id, change), 409, 'conflict')
      expect(body.error.message).toMatch(/own admin role/)
    }
    const [me] = (await list(`?q=${encodeURIComponent(admin.email)}`)).items
    expect(me).toMatchObject({ role: 'admin', status: 'active' })
  })
})

describe('disabling an account', () => {
  it('answers the user’s very next request 401, refuses their refresh, and enabling restores sign-in', async () => {
    const member = await signedUp()
    expect((await server.call(member.token, '/api/v1/me')).status).toBe(200)

    const disabled = await patch(admin.token, member.id, { disabled: true })
    expect(disabled.status).toBe(200)
    expect(((await disabled.json()) as AdminUser).status).toBe('disabled')

    await expectEnvelope(await server.call(member.token, '/api/v1/me'), 401, 'unauthorized')
    await expectEnvelope(
      await server.call(member.token, '/api/v1/conversations'),
      401,
      'unauthorized',
    )
    expect((await member.supabase.auth.refreshSession()).error).not.toBeNull()
    const signIn = await member.supabase.auth.signInWithPassword({ email: member.email, password })
    expect(signIn.error).not.toBeNull()

    const enabled = await patch(admin.token, member.id, { disabled: false })
    expect(((await enabled.json()) as AdminUser).status).toBe('active')
    const back = await member.supabase.auth.signInWithPassword({ email: member.email, password })
    expect(back.error).toBeNull()
    const token = back.data.session?.access_token ?? ''
    expect((await server.call(token, '/api/v1/me')).status).toBe(200)
  })

  it('still records the reply and cost of a turn that was streaming when the account was disabled', async () => {
    const member = await signedUp()
    const conversationId = await server.newConversation(member.token)
    const content = `held open ${randomUUID()}`
    server.fake.enqueue(
      { kind: 'hang', text: 'a reply held open', afterTokens: 2 },
      {
        lastUserMessage: content,
      },
    )
    const stop = new AbortController()
    const response = await server.sendStreamed(
      member.token,
      conversationId,
      { content },
      stop.signal,
    )
    // Reading on (not cancelling the body, which would stop the turn) until the first text.
    let streaming: (id: string) => void = () => {}
    const started = new Promise<string>((resolve) => {
      streaming = resolve
    })
    const reading = readEvents(response, (event, all) => {
      const start = all[0]?.data as { assistantMessage: { id: string } }
      if (event.event === 'delta') streaming(start.assistantMessage.id)
      return undefined
    }).catch(() => [])
    const assistantMessage = { id: await started }

    expect((await patch(admin.token, member.id, { disabled: true })).status).toBe(200)
    stop.abort()
    await reading

    const [usage] = await eventually(async () => {
      const rows = await inspect.usageOfMessage(server.db, assistantMessage.id)
      return rows.length > 0 && rows
    })
    expect(usage?.status).toBe('aborted')
    const reply = (await inspect.messages(server.db, conversationId)).find(
      (message) => message.id === assistantMessage.id,
    )
    expect(reply?.status).not.toBe('streaming')
    await expectEnvelope(await server.call(member.token, '/api/v1/me'), 401, 'unauthorized')
  })

  it('answers 404 for an account that does not exist', async () => {
    await expectEnvelope(
      await patch(admin.token, randomUUID(), { disabled: true }),
      404,
      'not_found',
    )
  })
})

describe('who may manage accounts', () => {
  it('refuses an ordinary user on both routes with 403', async () => {
    const member = await signedUp()
    const other = await signedUp()
    await expectEnvelope(await server.call(member.token, '/api/v1/admin/users'), 403, 'forbidden')
    await expectEnvelope(await patch(member.token, other.id, { disabled: true }), 403, 'forbidden')
    const [still] = (await list(`?q=${encodeURIComponent(other.email)}`)).items
    expect(still?.status).toBe('active')
  })

  it('answers bad input with a validation envelope', async () => {
    const member = await signedUp()
    for (const body of [{}, { role: 'owner' }, { disabled: 'yes' }, { role: 'admin', extra: 1 }]) {
      await expectEnvelope(await patch(admin.token, member.id, body), 400, 'validation_error')
    }
    await expectEnvelope(
      await patch(admin.token, 'not-a-uuid', { role: 'admin' }),
      400,
      'validation_error',
    )
    for (const query of ['?cursor=not*a*cursor', '?cursor=bm90LWEtY3Vyc29y', '?limit=0']) {
      await expectEnvelope(
        await server.call(admin.token, `/api/v1/admin/users${query}`),
        400,
        'validation_error',
      )
    }
  })
})
