import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { listFileChunks } from '@parley/db'
import type { FileResource } from '@parley/schema/contracts'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileStorage, type FileStorage } from '../services/file-storage/index.ts'
import { documentFixtures } from '../testing/document-fixtures.ts'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { processedFile, type UploadBody, uploadFile } from '../testing/files.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

const maxUploadBytes = 256 * 1024
/** What a Word document may inflate to here: small, so a bomb need not be huge to show. */
const unzippedLimit = 2 * 1024 * 1024

let server: TestServer
let folder: string
let storage: FileStorage
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-files-test-'))
  storage = createFileStorage({ kind: 'local', directory: folder })
  server = await startTestServer({
    files: { storage, maxUploadBytes, readerLimits: { maxUnzippedBytes: unzippedLimit } },
  })
})
afterAll(async () => {
  await server?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

type User = Awaited<ReturnType<TestServer['user']>>

type FileJson = FileResource

const upload = (user: User, name: string, body: UploadBody, type?: string) =>
  uploadFile(server, user.token, name, body, type)

async function uploaded(user: User, name: string, body: UploadBody): Promise<FileJson> {
  const response = await upload(user, name, body)
  expect(response.status).toBe(202)
  return (await response.json()) as FileJson
}

const processed = (user: User, id: string) => processedFile(server, user.token, id)

const ownedFiles = async (user: User) => readdir(path.join(folder, user.id)).catch(() => [])

describe('uploading a file', () => {
  it('answers 202 processing at once, then reads each kind into passages', async () => {
    const user = await server.user()
    const cases = [
      { name: 'notes.md', body: documentFixtures.markdown, kind: 'markdown' },
      { name: 'notes.txt', body: documentFixtures.text, kind: 'text' },
      { name: 'page.html', body: documentFixtures.html, kind: 'html' },
      { name: 'rows.csv', body: documentFixtures.csv, kind: 'csv' },
      { name: 'report.pdf', body: await documentFixtures.pdf(), kind: 'pdf' },
      { name: 'memo.docx', body: documentFixtures.docx(), kind: 'docx' },
    ]
    for (const { name, body, kind } of cases) {
      const accepted = await uploaded(user, name, body)
      expect(accepted).toEqual({
        id: expect.any(String),
        name,
        mimeType: expect.any(String),
        sizeBytes: new Blob([body]).size,
        status: 'processing',
      })
      const file = await processed(user, accepted.id)
      expect(file, name).toMatchObject({ kind, status: 'ready', error: null, embedded: false })
      expect(file.chunkCount, name).toBeGreaterThan(0)
    }
    const pdf = await listed(user).then((items) => items.find((f) => f.kind === 'pdf'))
    expect(pdf?.pageCount).toBe(2)
  })

  it('lists the caller’s files newest first, a page at a time', async () => {
    const user = await server.user()
    const ids: string[] = []
    for (const n of [1, 2, 3]) ids.push((await uploaded(user, `n${n}.txt`, `note ${n}`)).id)
    const first = await server.call(user.token, '/api/v1/files?limit=2')
    const page = (await first.json()) as { items: FileJson[]; nextCursor: string }
    expect(page.items.map((f) => f.id)).toEqual([ids[2], ids[1]])
    const second = await server.call(
      user.token,
      `/api/v1/files?limit=2&cursor=${encodeURIComponent(page.nextCursor)}`,
    )
    expect(((await second.json()) as { items: FileJson[] }).items.map((f) => f.id)).toEqual([
      ids[0],
    ])
  })

  it('gives the original back as a download that no browser runs', async () => {
    const user = await server.user()
    const file = await uploaded(user, 'page <b>.html', documentFixtures.html)
    const response = await server.call(user.token, `/api/v1/files/${file.id}/content`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(documentFixtures.html)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('deletes the file, every passage of it and its original', async () => {
    const user = await server.user()
    const file = await uploaded(user, 'gone.md', documentFixtures.markdown)
    await processed(user, file.id)
    expect(await ownedFiles(user)).toEqual([file.id])

    const deleted = await server.call(user.token, `/api/v1/files/${file.id}`, {
      method: 'DELETE',
    })
    expect(deleted.status).toBe(204)
    await expectEnvelope(
      await server.call(user.token, `/api/v1/files/${file.id}`),
      404,
      'not_found',
    )
    await expectEnvelope(
      await server.call(user.token, `/api/v1/files/${file.id}/content`),
      404,
      'not_found',
    )
    expect(await server.db.asService((tx) => listFileChunks(tx, file.id))).toEqual([])
    expect(await ownedFiles(user)).toEqual([])
    await expectEnvelope(
      await server.call(user.token, `/api/v1/files/${file.id}`, { method: 'DELETE' }),
      404,
      'not_found',
    )
  })

  it('says what it can do with files', async () => {
    const user = await server.user()
    const response = await server.call(user.token, '/api/v1/files/capabilities')
    expect(await response.json()).toEqual({
      maxUploadBytes,
      kinds: ['pdf', 'docx', 'markdown', 'text', 'html', 'csv'],
      semanticSearch: false,
      embeddingModel: null,
    })
  })
})

async function listed(user: User): Promise<FileJson[]> {
  const response = await server.call(user.token, '/api/v1/files?limit=100')
  return ((await response.json()) as { items: FileJson[] }).items
}

describe('bad uploads', () => {
  it('refuses a file over the limit with 413, and the same connection goes on working', async () => {
    const user = await server.user()
    const client = new Agent({ connections: 1, pipelining: 1 })
    try {
      const form = new FormData()
      form.set('file', new File([new Uint8Array(maxUploadBytes * 2)], 'big.txt'))
      const body = new Request('http://x', { method: 'POST', body: form })
      const tooLarge = await request(`${server.url}/api/v1/files`, {
        dispatcher: client,
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.token}`,
          'content-type': body.headers.get('content-type') ?? '',
        },
        body: Buffer.from(await body.arrayBuffer()),
      })
      expect(tooLarge.statusCode).toBe(413)
      expect(await tooLarge.body.json()).toMatchObject({
        error: { code: 'payload_too_large', requestId: expect.any(String) },
      })
      for (let i = 0; i < 2; i++) {
        const me = await request(`${server.url}/api/v1/files`, {
          dispatcher: client,
          headers: { authorization: `Bearer ${user.token}` },
        })
        expect(me.statusCode).toBe(200)
        expect(await me.body.json()).toEqual({ items: [], nextCursor: null })
      }
    } finally {
      await client.close()
    }
    expect(await ownedFiles(user)).toEqual([])
  })

  it('refuses a kind it cannot read (415) and an empty file (422), storing nothing', async () => {
    const user = await server.user()
    const png = await expectEnvelope(
      await upload(user, 'photo.pdf', documentFixtures.png, 'application/pdf'),
      415,
      'unsupported_media_type',
    )
    expect(png.error.message).toBeTruthy()
    await expectEnvelope(
      await upload(user, 'archive.docx', documentFixtures.zip()),
      415,
      'unsupported_media_type',
    )
    await expectEnvelope(await upload(user, 'empty.txt', ''), 422, 'empty_file')
    expect(await listed(user)).toEqual([])
    expect(await ownedFiles(user)).toEqual([])
  })

  it('refuses a body that is not a multipart upload of a field named file', async () => {
    const user = await server.user()
    await expectEnvelope(
      await server.call(user.token, '/api/v1/files', { method: 'POST', json: { file: 'x' } }),
      415,
      'unsupported_media_type',
    )
    const noFile = new FormData()
    noFile.set('document', new File(['hello'], 'a.txt'))
    await expectEnvelope(
      await server.call(user.token, '/api/v1/files', { method: 'POST', body: noFile }),
      400,
      'validation_error',
    )
    const text = new FormData()
    text.set('file', 'just a string')
    await expectEnvelope(
      await server.call(user.token, '/api/v1/files', { method: 'POST', body: text }),
      400,
      'validation_error',
    )
    expect(await listed(user)).toEqual([])
  })

  it('cleans path separators and control characters out of the name', async () => {
    const user = await server.user()
    const file = await uploaded(user, '../../etc/pass\u0000wd\u202e.txt', 'hello there')
    for (const unsafe of ['/', '\\', '\u0000', '\u202e']) expect(file.name).not.toContain(unsafe)
    expect(file.name).toBe('passwd.txt')
    expect(await ownedFiles(user)).toEqual([file.id])
  })

  it('marks a corrupt or encrypted PDF and a DOCX zip bomb failed, with a reason a person understands', async () => {
    const user = await server.user()
    const cases = [
      { name: 'broken.pdf', body: await documentFixtures.truncatedPdf(), reason: /damaged/ },
      { name: 'locked.pdf', body: await documentFixtures.encryptedPdf(), reason: /password/i },
      {
        name: 'bomb.docx',
        body: documentFixtures.docxBomb(4 * unzippedLimit),
        reason: /would expand to \d+ MB/,
      },
    ]
    for (const { name, body, reason } of cases) {
      const { id } = await uploaded(user, name, body)
      const file = await processed(user, id)
      expect(file, name).toMatchObject({ status: 'failed', chunkCount: 0 })
      expect(file.error, name).toMatch(reason)
      expect(await server.db.asService((tx) => listFileChunks(tx, id))).toEqual([])
    }
  })

  it('refuses bad ids and a bad file scope with 400', async () => {
    const user = await server.user()
    await expectEnvelope(
      await server.call(user.token, '/api/v1/files/nope'),
      400,
      'validation_error',
    )
    await expectEnvelope(
      await server.call(user.token, '/api/v1/files/nope/content'),
      400,
      'validation_error',
    )
    const conversationId = await server.newConversation(user.token)
    for (const body of [
      { mode: 'some' },
      { mode: 'files', fileIds: [] },
      { mode: 'files', fileIds: ['x'] },
    ]) {
      await expectEnvelope(
        await server.call(user.token, `/api/v1/conversations/${conversationId}/files`, {
          method: 'PUT',
          json: body,
        }),
        400,
        'validation_error',
      )
    }
  })
})

describe('another user’s files', () => {
  it('cannot be read, downloaded, deleted, searched or put in a conversation', async () => {
    const owner = await server.user()
    const other = await server.user()
    const secret = 'The vault combination is quintessential marmalade.'
    const file = await uploaded(owner, 'secret.md', `# Vault\n\n${secret}\n`)
    expect(await processed(owner, file.id)).toMatchObject({ status: 'ready' })

    for (const suffix of ['', '/content']) {
      await expectEnvelope(
        await server.call(other.token, `/api/v1/files/${file.id}${suffix}`),
        404,
        'not_found',
      )
    }
    await expectEnvelope(
      await server.call(other.token, `/api/v1/files/${file.id}`, { method: 'DELETE' }),
      404,
      'not_found',
    )
    const search = await server.call(
      other.token,
      `/api/v1/search?q=${encodeURIComponent(secret)}&scope=all`,
    )
    expect(((await search.json()) as { items: unknown[] }).items).toEqual([])

    const conversationId = await server.newConversation(other.token)
    const scoped = await server.call(other.token, `/api/v1/conversations/${conversationId}/files`, {
      method: 'PUT',
      json: { mode: 'files', fileIds: [file.id] },
    })
    await expectEnvelope(scoped, 400, 'validation_error')
    expect(await processed(owner, file.id)).toMatchObject({ status: 'ready' })
  })
})
