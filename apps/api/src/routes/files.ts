import { createHash, randomUUID } from 'node:crypto'
import {
  countProcessingFiles,
  createFile,
  deleteFile,
  type FileRow,
  forgetOriginalDeletions,
  getFile,
  listFiles,
  noteOriginalDeletion,
  setFileScope,
  toFileResource,
} from '@parley/db'
import { DocumentError, detectFileKind } from '@parley/documents'
import {
  conversation,
  fileCapabilities,
  fileKinds,
  filePage,
  fileResource,
  fileScope,
  idParam,
  pageQuery,
  uploadedFile,
} from '@parley/schema/contracts'
import { Hono } from 'hono'
import type { AppEnv } from '../env.ts'
import { AppError, notFound, safeError } from '../errors.ts'
import { validate } from '../middleware/validate.ts'
import { recordActivity } from '../observability/activity-log.ts'
import { originalKey } from '../services/file-storage/index.ts'
import { docs } from './docs.ts'
import { readUpload, uploadLimit } from './file-upload.ts'

/** `429` for an upload while the user already has `limit` files waiting to be read. */
const tooManyWaiting = (limit: number) =>
  new AppError(
    'rate_limited',
    `${limit} of your files are still being read; upload more once some are ready`,
    { details: { waitingFilesLimit: limit }, headers: { 'retry-after': '30' } },
  )

export const files = new Hono<AppEnv>()
  .get(
    '/capabilities',
    docs(
      'files',
      'What this server does with files: size limit, kinds, semantic search (of files and messages)',
      {
        200: { description: 'OK', schema: fileCapabilities },
      },
    ),
    (c) => {
      const { maxUploadBytes, embedder } = c.var.deps.files
      return c.json({
        maxUploadBytes,
        kinds: [...fileKinds],
        semanticSearch: embedder !== undefined,
        embeddingModel: embedder?.model ?? null,
      })
    },
  )
  .post(
    '/',
    docs('files', 'Upload a file (multipart field `file`); it is read in the background', {
      202: {
        description: 'Stored; `status` is `processing` until it is `ready` or `failed`',
        schema: uploadedFile,
      },
    }),
    uploadLimit,
    async (c) => {
      const upload = await readUpload(c)
      const { kind, mimeType } = await detected(upload.bytes, upload.name)
      const { storage, ingest, maxFilesWaiting } = c.var.deps.files
      const id = randomUUID()
      const storageKey = originalKey(c.var.claims.sub, id)
      await storage.put(storageKey, upload.bytes, { contentType: mimeType })
      let created: FileRow
      try {
        created = await c.var.deps.db.withUser(c.var.claims, async (tx) => {
          // One user's backlog is bounded, so the shared queue stays fair to everyone.
          if ((await countProcessingFiles(tx)) >= maxFilesWaiting)
            throw tooManyWaiting(maxFilesWaiting)
          return createFile(tx, {
            id,
            name: upload.name,
            kind,
            mimeType,
            sizeBytes: upload.bytes.byteLength,
            sha256: createHash('sha256').update(upload.bytes).digest('hex'),
            storageKey,
          })
        })
      } catch (error) {
        // The upload's own error is what the caller hears; an original that cannot be removed
        // now is noted, so the sweep removes it later.
        await storage.delete(storageKey).catch(async (cleanup: unknown) => {
          c.var.logger.error(
            { err: safeError(cleanup) },
            'removing the original of an upload that was not recorded failed',
          )
          await noteOriginalDeletion(c.var.deps.db, {
            storageKey,
            ownerId: c.var.claims.sub,
          }).catch((noting: unknown) =>
            c.var.logger.error({ err: safeError(noting) }, 'noting an original to remove failed'),
          )
        })
        throw error
      }
      ingest.enqueue({ fileId: id, ownerId: c.var.claims.sub, storageKey, name: upload.name })
      const { name, sizeBytes, status } = created
      // The log names the file by id and kind, never by its name (which may say what it holds).
      recordActivity(c, 'file_uploaded', { targetId: id, meta: { kind, sizeBytes } })
      return c.json({ id, name, mimeType, sizeBytes, status }, 202)
    },
  )
  .get(
    '/',
    docs('files', 'The caller’s files, newest first', {
      200: { description: 'A page', schema: filePage },
    }),
    validate('query', pageQuery),
    async (c) => {
      const page = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        listFiles(tx, c.req.valid('query')),
      )
      return c.json({ items: page.items.map(toFileResource), nextCursor: page.nextCursor })
    },
  )
  .get(
    '/:id',
    docs('files', 'One file and how its processing went', {
      200: { description: 'OK', schema: fileResource },
    }),
    validate('param', idParam),
    async (c) => c.json(toFileResource(await ownFile(c.var, c.req.valid('param').id))),
  )
  .get(
    '/:id/content',
    docs('files', 'Download the original (the caller’s own files only)', {
      200: { description: 'The file, as an attachment' },
    }),
    validate('param', idParam),
    async (c) => {
      const file = await ownFile(c.var, c.req.valid('param').id)
      const bytes = await c.var.deps.files.storage.get(file.storageKey)
      if (!bytes) throw notFound('file')
      return c.body(bytes, 200, {
        'content-type': file.mimeType,
        'content-length': String(bytes.byteLength),
        'content-disposition': attachment(file.name),
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      })
    },
  )
  .delete(
    '/:id',
    docs('files', 'Delete a file: its passages, their embeddings and the original', {
      204: { description: 'Deleted' },
    }),
    validate('param', idParam),
    async (c) => {
      const deleted = await c.var.deps.db.withUser(c.var.claims, (tx) =>
        deleteFile(tx, c.req.valid('param').id),
      )
      if (!deleted) throw notFound('file')
      recordActivity(c, 'file_deleted', { targetId: c.req.valid('param').id })
      // After the commit: the row and passages are gone whatever happens to the original. The
      // deletion noted its key; the note goes once the original is gone, else the sweep retries.
      const { db, files: fileDeps } = c.var.deps
      await fileDeps.storage
        .delete(deleted.storageKey)
        .then(() => forgetOriginalDeletions(db, [deleted.storageKey]))
        .catch((error: unknown) =>
          c.var.logger.error({ err: safeError(error) }, 'deleting a file original failed'),
        )
      return c.body(null, 204)
    },
  )

/** `PUT /conversations/:id/files`: which files the conversation's turns read. */
export const conversationFiles = new Hono<AppEnv>().put(
  '/:id/files',
  docs('files', 'Choose the files a conversation reads: none, some, or all', {
    200: { description: 'The conversation, with its `fileScope`', schema: conversation },
  }),
  validate('param', idParam),
  validate('json', fileScope),
  async (c) => {
    const updated = await c.var.deps.db.withUser(c.var.claims, (tx) =>
      setFileScope(tx, c.req.valid('param').id, c.req.valid('json')),
    )
    if (!updated) throw notFound('conversation')
    c.var.deps.turns.changed({ conversationId: updated.id })
    return c.json(updated)
  },
)

/** The kind the bytes say (never the name): `415` for another kind, `422` for nothing to read. */
async function detected(bytes: Uint8Array, name: string) {
  try {
    return await detectFileKind(bytes, name)
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error
    if (error.code === 'empty') throw new AppError('empty_file', error.message)
    throw new AppError('unsupported_media_type', error.message, {
      details: { supported: [...fileKinds] },
    })
  }
}

async function ownFile(vars: AppEnv['Variables'], id: string): Promise<FileRow> {
  const file = await vars.deps.db.withUser(vars.claims, (tx) => getFile(tx, id))
  if (!file) throw notFound('file')
  return file
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
function attachment(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`
}
