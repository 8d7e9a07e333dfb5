import { randomUUID } from 'node:crypto'
import { listActivity, listErrors } from '@parley/db'
import { withFaults } from '@parley/db/testing'
import type {
  ActivityEntry,
  ActivityPage,
  ErrorEntry,
  ErrorGroups,
  ErrorPage,
} from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import { chatModel, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

type User = Awaited<ReturnType<TestServer['user']>>

let server: TestServer
let user: User
let other: User
let admin: User
let usageFails = false
beforeAll(async () => {
  // Reports fail while `usageFails` is set, the way they do when the database connection drops.
  server = await startTestServer({
    wrapDb: (db) => withFaults(db, (statement) => usageFails && statement.includes('usage_daily')),
  })
  user = await server.user()
  other = await server.user()
  admin = await server.user({ admin: true })
})
afterAll(() => server?.close())

/** Every queued log row reaches the database. */
const flushLogs = () => Promise.all([server.deps.activity.flush(), server.deps.errors.flush()])

/** Entries in a fixed order whatever their times (two may share a millisecond). */
const byType = (items: ActivityEntry[]) => [...items].sort((a, b) => a.type.localeCompare(b.type))

async function json<T>(response: Response): Promise<T> {
  expect(response.status).toBe(200)
  return (await response.json()) as T
}

/** Sends `content` as a streamed turn; returns the request id the server answered with. */
async function sendTurn(who: User, content: string): Promise<string> {
  const conversationId = await server.newConversation(who.token)
  const response = await server.sendStreamed(who.token, conversationId, { content })
  await readEvents(response)
  const requestId = response.headers.get('x-request-id')
  if (!requestId) throw new Error('every response has a request id')
  return requestId
}

async function errorsFor(requestId: string): Promise<ErrorEntry[]> {
  const page = await json<ErrorPage>(
    await server.call(admin.token, '/api/v1/admin/errors?limit=100'),
  )
  return page.items.filter((item) => item.requestId === requestId)
}

describe('the error log', () => {
  it('shows a failing provider with its request id and none of the message text', async () => {
    const marker = `secret-marker-${randomUUID()}`
    server.fake.enqueue({ kind: 'status', status: 500, times: 20 }, { lastUserMessage: marker })
    const requestId = await sendTurn(user, marker)
    await flushLogs()

    const [failure] = await errorsFor(requestId)
    expect(failure).toMatchObject({
      source: 'provider',
      severity: 'error',
      code: 'provider_error',
      userId: user.id,
      status: 500,
      resolvedAt: null,
    })
    const everyRow = await server.db.asOwner((sql) => sql.query('select * from public.error_log'))
    expect(JSON.stringify(everyRow)).not.toContain(marker)
    const csv = await server.call(admin.token, '/api/v1/admin/errors?format=csv')
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const text = await csv.text()
    expect(text).toContain(requestId)
    expect(text).not.toContain(marker)
  })

  it('records a server error with its route pattern, code and request id', async () => {
    usageFails = true
    const failed = await server.call(user.token, '/api/v1/usage?groupBy=model')
    usageFails = false
    const body = await expectEnvelope(failed, 503, 'service_unavailable')
    await flushLogs()
    const [entry] = await errorsFor(body.error.requestId)
    expect(entry).toMatchObject({
      source: 'server',
      severity: 'error',
      code: 'service_unavailable',
      method: 'GET',
      route: '/api/v1/usage',
      status: 503,
      userId: user.id,
    })
  })

  it('keeps a warning when the first model fails and its fallback answers', async () => {
    const marker = `fallback-marker-${randomUUID()}`
    server.fake.enqueue(
      { kind: 'status', status: 503, times: 20 },
      { lastUserMessage: marker, api: 'openai' },
    )
    const requestId = await sendTurn(user, marker)
    await flushLogs()
    const [warning] = await errorsFor(requestId)
    expect(warning).toMatchObject({ source: 'provider', severity: 'warning', model: chatModel })
    expect(JSON.stringify(warning)).not.toContain(marker)
  })

  it('counts errors per code and per route, and an admin resolves one with a note', async () => {
    const requestId = await sendTurn(user, `count-marker-${randomUUID()}`)
    server.fake.enqueue(
      { kind: 'status', status: 500, times: 20 },
      { lastUserMessageIncludes: 'resolve-marker' },
    )
    const failingId = await sendTurn(user, `resolve-marker-${randomUUID()}`)
    await flushLogs()
    expect(await errorsFor(requestId)).toEqual([])
    const [failure] = await errorsFor(failingId)
    if (!failure) throw new Error('the failure is in the log')

    const byCode = await json<ErrorGroups>(
      await server.call(admin.token, '/api/v1/admin/errors?groupBy=code&resolved=false'),
    )
    expect(byCode.items.find((group) => group.key === 'provider_error')).toMatchObject({
      count: expect.any(Number),
      unresolved: expect.any(Number),
    })
    const byRoute = await json<ErrorGroups>(
      await server.call(admin.token, '/api/v1/admin/errors?groupBy=route'),
    )
    expect(byRoute.groupBy).toBe('route')
    expect(byRoute.items.reduce((sum, group) => sum + group.count, 0)).toBeGreaterThan(0)

    const resolved = await server.call(admin.token, `/api/v1/admin/errors/${failure.id}`, {
      method: 'PATCH',
      json: { resolved: true, note: 'upstream outage, over now' },
    })
    expect(await json<ErrorEntry>(resolved)).toMatchObject({
      id: failure.id,
      resolvedBy: admin.id,
      resolutionNote: 'upstream outage, over now',
    })
    const open = await json<ErrorPage>(
      await server.call(admin.token, '/api/v1/admin/errors?resolved=false&limit=100'),
    )
    expect(open.items.map((item) => item.id)).not.toContain(failure.id)

    const reopened = await server.call(admin.token, `/api/v1/admin/errors/${failure.id}`, {
      method: 'PATCH',
      json: { resolved: false },
    })
    expect(await json<ErrorEntry>(reopened)).toMatchObject({
      resolvedAt: null,
      resolutionNote: null,
    })
    await expectEnvelope(
      await server.call(admin.token, `/api/v1/admin/errors/${randomUUID()}`, {
        method: 'PATCH',
        json: { resolved: true },
      }),
      404,
      'not_found',
    )
  })
})

describe('the activity log', () => {
  it('shows a user their own activity, and not to anyone else', async () => {
    const conversationId = await server.newConversation(user.token)
    const deleted = await server.call(user.token, `/api/v1/conversations/${conversationId}`, {
      method: 'DELETE',
    })
    expect(deleted.status).toBe(204)
    await flushLogs()

    const own = await json<ActivityPage>(await server.call(user.token, '/api/v1/activity'))
    const mine = own.items.filter((item) => item.targetId === conversationId)
    expect(byType(mine).map((item) => item.type)).toEqual([
      'conversation_created',
      'conversation_deleted',
    ])
    expect(mine.find((item) => item.type === 'conversation_deleted')?.requestId).toBe(
      deleted.headers.get('x-request-id'),
    )

    const theirs = await json<ActivityPage>(await server.call(other.token, '/api/v1/activity'))
    expect(theirs.items.filter((item) => item.userId === user.id)).toEqual([])
    const direct = await server.db.withUser(other.claims, (tx) =>
      listActivity(tx, { limit: 100, scope: 'visible', userId: user.id }),
    )
    expect(direct.items).toEqual([])
    const asOwner = await server.db.withUser(user.claims, (tx) =>
      listActivity(tx, { limit: 100, scope: 'visible', userId: user.id }),
    )
    expect(asOwner.items.filter((item) => item.targetId === conversationId)).toHaveLength(2)
  })

  it('names shares by their conversation and votes by their reply, never a link or a comment', async () => {
    const conversationId = await server.newConversation(user.token)
    const sent = await server.call(user.token, `/api/v1/conversations/${conversationId}/messages`, {
      method: 'POST',
      json: { content: `share-marker-${randomUUID()}` },
    })
    expect(sent.status).toBe(201)
    const replyId = ((await sent.json()) as { assistantMessage: { id: string } }).assistantMessage
      .id
    const shared = await server.call(user.token, `/api/v1/conversations/${conversationId}/shares`, {
      method: 'POST',
      json: {},
    })
    const shareId = ((await shared.json()) as { id: string }).id
    await server.call(user.token, `/api/v1/shares/${shareId}`, { method: 'DELETE' })
    const comment = `comment-marker-${randomUUID()}`
    await server.call(user.token, `/api/v1/messages/${replyId}/feedback`, {
      method: 'PUT',
      json: { vote: 'down', reasons: ['inaccurate'], comment },
    })
    await server.call(user.token, `/api/v1/messages/${replyId}/feedback`, { method: 'DELETE' })
    await flushLogs()

    const page = await json<ActivityPage>(await server.call(user.token, '/api/v1/activity'))
    const related = page.items.filter((item) =>
      [conversationId, replyId].includes(item.targetId ?? ''),
    )
    expect(byType(related).map((item) => [item.type, item.targetId, item.metadata])).toEqual([
      ['conversation_created', conversationId, {}],
      ['feedback_cleared', replyId, {}],
      ['feedback_given', replyId, { vote: 'down', reasons: 1, comment: true }],
      ['share_created', conversationId, { messageCount: 2 }],
      ['share_revoked', conversationId, {}],
    ])
    expect(JSON.stringify(page)).not.toContain(shareId)
    expect(JSON.stringify(page)).not.toContain(comment)
  })

  it('records a file’s upload and deletion by its id and kind, never its name', async () => {
    const name = `name-marker-${randomUUID()}.md`
    const fileId = await uploadedFileId(server, user.token, name, '# Notes\n\nA short note.')
    await processedFile(server, user.token, fileId)
    const deleted = await server.call(user.token, `/api/v1/files/${fileId}`, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    await flushLogs()

    const page = await json<ActivityPage>(await server.call(user.token, '/api/v1/activity'))
    const related = page.items.filter((item) => item.targetId === fileId)
    expect(byType(related).map((item) => [item.type, item.metadata])).toEqual([
      ['file_deleted', {}],
      ['file_uploaded', { kind: 'markdown', sizeBytes: 22 }],
    ])
    expect(JSON.stringify(page)).not.toContain(name)
  })

  it('lets an admin filter everyone’s activity by user, type and time, and download it', async () => {
    const conversationId = await server.newConversation(other.token)
    await flushLogs()
    const query = `userId=${other.id}&type=conversation_created&from=${new Date(Date.now() - 60_000).toISOString()}`
    const page = await json<ActivityPage>(
      await server.call(admin.token, `/api/v1/admin/activity?${query}`),
    )
    expect(page.items.map((item: ActivityEntry) => item.targetId)).toContain(conversationId)
    expect(new Set(page.items.map((item) => `${item.userId} ${item.type}`))).toEqual(
      new Set([`${other.id} conversation_created`]),
    )
    const past = await json<ActivityPage>(
      await server.call(admin.token, `/api/v1/admin/activity?userId=${other.id}&to=2020-01-01`),
    )
    expect(past.items).toEqual([])

    const csv = await server.call(admin.token, `/api/v1/admin/activity?${query}&format=csv`)
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="activity-/)
    const lines = (await csv.text()).trim().split('\r\n')
    expect(lines[0]).toBe('created_at,user_id,type,target_id,metadata,request_id,ip')
    expect(lines.some((line) => line.includes(conversationId))).toBe(true)
  })

  it('records sign-in, password change and sign-out of the embedded auth', async () => {
    const email = `activity-${randomUUID().slice(0, 8)}@example.test`
    const auth = (path: string, body: unknown, token?: string, method = 'POST') =>
      fetch(`${server.url}/auth/v1${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      })
    const signedUp = await auth('/signup', { email, password: 'first password' })
    expect(signedUp.status).toBe(200)
    const session = (await signedUp.json()) as { access_token: string; user: { id: string } }
    const signedIn = await auth('/token?grant_type=password', { email, password: 'first password' })
    expect(signedIn.status).toBe(200)
    const changed = await auth(
      '/user',
      { password: 'second password', current_password: 'first password' },
      session.access_token,
      'PUT',
    )
    expect(changed.status).toBe(200)
    expect((await auth('/logout?scope=local', {}, session.access_token)).status).toBe(204)
    await flushLogs()

    const page = await json<ActivityPage>(
      await server.call(admin.token, `/api/v1/admin/activity?userId=${session.user.id}`),
    )
    expect(page.items.map((item) => [item.type, item.metadata])).toEqual(
      expect.arrayContaining([
        ['sign_out', { scope: 'local' }],
        ['password_changed', {}],
        ['sign_in', { method: 'password' }],
        ['sign_in', { method: 'signup' }],
      ]),
    )
    expect(page.items).toHaveLength(4)
    expect(JSON.stringify(page)).not.toMatch(/first password|second password|access_token/)
  })
})

describe('who may read the logs', () => {
  it('answers 403 to an ordinary user on every admin log route, and the error table shows them nothing', async () => {
    const marker = `forbidden-marker-${randomUUID()}`
    server.fake.enqueue({ kind: 'status', status: 500, times: 20 }, { lastUserMessage: marker })
    await sendTurn(user, marker)
    await flushLogs()
    const routes: [string, RequestInit & { json?: unknown }][] = [
      ['/api/v1/admin/activity', {}],
      ['/api/v1/admin/activity?format=csv', {}],
      ['/api/v1/admin/errors', {}],
      ['/api/v1/admin/errors?groupBy=route', {}],
      ['/api/v1/admin/errors?format=csv', {}],
      [`/api/v1/admin/errors/${randomUUID()}`, { method: 'PATCH', json: { resolved: true } }],
    ]
    for (const [path, init] of routes) {
      await expectEnvelope(await server.call(user.token, path, init), 403, 'forbidden')
    }
    expect(
      await server.db.asOwner((sql) => sql.query('select * from public.error_log')),
    ).not.toEqual([])
    const asUser = await server.db.withUser(user.claims, (tx) => listErrors(tx, { limit: 100 }))
    expect(asUser.items).toEqual([])
  })

  it('refuses a note on reopening and a bad filter with a clear error', async () => {
    await expectEnvelope(
      await server.call(admin.token, `/api/v1/admin/errors/${randomUUID()}`, {
        method: 'PATCH',
        json: { resolved: false, note: 'why' },
      }),
      400,
      'validation_error',
    )
    await expectEnvelope(
      await server.call(admin.token, '/api/v1/admin/activity?type=dancing'),
      400,
      'validation_error',
    )
    await expectEnvelope(
      await server.call(admin.token, '/api/v1/admin/errors?groupBy=user'),
      400,
      'validation_error',
    )
  })
})
