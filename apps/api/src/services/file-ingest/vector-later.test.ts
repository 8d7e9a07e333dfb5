import { migrate } from '@parley/db'
import { testDatabaseUrl } from '@parley/db/testing'
import type { FileResource } from '@parley/schema/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processedFile, uploadedFileId } from '../../testing/files.ts'
import { startTestServer, type TestServer } from '../../testing/test-server.ts'

// A database migrated while its server lacked pgvector: dropping the extension from a migrated
// one takes the vector columns and indexes with it. On a shared TEST_DATABASE_URL it cannot be
// dropped, so this runs embedded only.
let server: TestServer
beforeAll(async () => {
  if (testDatabaseUrl) return
  server = await startTestServer({ embeddings: true })
  await server.db.asOwner((sql) => sql.exec('drop extension vector cascade'))
})
afterAll(() => server?.close())

const notes = (word: string) => `# Garden notes

## Tomatoes

Water the ${word} tomatoes every morning in summer.
`

async function searchFiles(token: string, q: string) {
  const response = await server.call(token, `/api/v1/search?q=${q}&scope=files`)
  expect(response.status).toBe(200)
  return (await response.json()) as { semantic: boolean; items: { fileId: string }[] }
}

describe.skipIf(testDatabaseUrl)('pgvector enabled after the migrations', () => {
  it('keeps files readable by keyword, then embeds and fuses them once the start step ran', async () => {
    const user = await server.user()
    // Enabled by hand: its type exists, the columns do not yet.
    await server.db.asOwner((sql) => sql.exec('create extension vector with schema extensions'))
    const before = await uploadedFileId(server, user.token, 'before.md', notes('heirloom'))
    expect(await processedFile(server, user.token, before)).toMatchObject<Partial<FileResource>>({
      status: 'ready',
      embedded: false,
    })
    expect(await searchFiles(user.token, 'heirloom')).toMatchObject({
      semantic: false,
      items: [{ fileId: before }],
    })

    // The start step adds what the migrations skipped.
    expect(await migrate(server.db)).toMatchObject({ missingExtensions: [] })
    const after = await uploadedFileId(server, user.token, 'after.md', notes('cherry'))
    expect(await processedFile(server, user.token, after)).toMatchObject<Partial<FileResource>>({
      status: 'ready',
      embedded: true,
    })
    const found = await searchFiles(user.token, 'cherry')
    expect(found.semantic).toBe(true)
    expect(found.items[0]).toMatchObject({ fileId: after })
  })
})
