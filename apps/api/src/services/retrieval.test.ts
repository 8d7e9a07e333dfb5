import { createFile, type Database, type Tx } from '@parley/db'
import { inspect } from '@parley/db/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../testing/files.ts'
import { readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

/**
 * Users whose nested transactions (savepoints, where retrieval runs) fail inside Postgres: they
 * first insert this file id again, which the primary key refuses.
 */
const broken = new Map<string, string>()

/** The database, except that a broken user's savepoints first run a statement Postgres refuses. */
function withBrokenSavepoints(db: Database): Database {
  return {
    ...db,
    withUser: (claims, fn, options) =>
      db.withUser(
        claims,
        (tx) =>
          fn(
            new Proxy(tx, {
              get(target, prop) {
                const value: unknown = Reflect.get(target, prop)
                const existingFileId = broken.get(claims.sub ?? '')
                if (prop !== 'transaction' || !existingFileId) {
                  return typeof value === 'function' ? value.bind(target) : value
                }
                return <T>(inner: (savepoint: Tx) => Promise<T>) =>
                  target.transaction(async (savepoint) => {
                    await createFile(savepoint, {
                      id: existingFileId,
                      name: 'again.md',
                      kind: 'markdown',
                      mimeType: 'text/markdown',
                      sizeBytes: 1,
                      sha256: '0'.repeat(64),
                      storageKey: 'again',
                    })
                    return inner(savepoint)
                  })
              },
            }),
          ),
        options,
      ),
  }
}

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ wrapDb: withBrokenSavepoints })
})
afterAll(() => server?.close())

describe('a retrieval that fails in the database', () => {
  it('is logged and the turn is answered without passages, its messages kept', async () => {
    const user = await server.user()
    const fileId = await uploadedFileId(
      server,
      user.token,
      'hours.md',
      '# Hours\n\nOpen at nine.\n',
    )
    expect(await processedFile(server, user.token, fileId)).toMatchObject({ status: 'ready' })
    const conversationId = await server.newConversation(user.token)
    await server.call(user.token, `/api/v1/conversations/${conversationId}/files`, {
      method: 'PUT',
      json: { mode: 'all' },
    })
    broken.set(user.id, fileId)
    const question = 'When do you open?'
    server.fake.enqueue(
      { kind: 'text', text: 'I cannot see your files.' },
      { lastUserMessage: question },
    )

    const events = await readEvents(
      await server.sendStreamed(user.token, conversationId, { content: question }),
    )
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { assistantMessage: { status: 'complete', citations: [] } },
    })
    const [request] = server.fake.requestsFor({ lastUserMessage: question, stream: true })
    expect(JSON.stringify(request?.body)).not.toContain('Open at nine')
    const stored = await inspect.messages(server.db, conversationId)
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ])
  })
})
