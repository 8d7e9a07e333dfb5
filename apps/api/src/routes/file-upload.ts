import { sanitizeFileName } from '@parley/documents'
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { AppEnv } from '../env.ts'
import { AppError, payloadTooLarge } from '../errors.ts'

/** Room for the multipart boundary and part headers around the file itself. */
const multipartOverhead = 64 * 1024

/** The one route whose body may be larger than the app's general limit: `POST /api/v1/files`. */
export const isUpload = (method: string, path: string) =>
  method === 'POST' && /^\/api\/v1\/files\/?$/.test(path)

const tooLarge = (maxBytes: number) =>
  payloadTooLarge(`the file is over the ${Math.floor(maxBytes / 2 ** 20)} MB upload limit`)

/** The upload's body limit: the configured largest file, plus its multipart framing. */
export const uploadLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  const { maxUploadBytes } = c.var.deps.files
  return bodyLimit({
    maxSize: maxUploadBytes + multipartOverhead,
    onError: () => {
      throw tooLarge(maxUploadBytes)
    },
  })(c, next)
}

export interface Upload {
  /** The name the user gave, cleaned for display and download. */
  name: string
  bytes: Uint8Array
}

/**
 * The file of a multipart upload (field `file`): `415` for another kind of body, `400` when the
 * field is missing or not a file, `413` over the limit.
 */
export async function readUpload(c: Context<AppEnv>): Promise<Upload> {
  if (!/^multipart\/form-data\s*;/i.test(c.req.header('content-type') ?? '')) {
    throw new AppError(
      'unsupported_media_type',
      'send the file as multipart/form-data, in a field named "file"',
    )
  }
  let form: FormData
  try {
    form = await c.req.raw.formData()
  } catch (error) {
    throw new AppError('validation_error', 'the multipart body could not be read', {
      cause: error,
    })
  }
  const file = form.get('file')
  if (!(file instanceof File)) {
    throw new AppError('validation_error', 'file: a file is required, in a field named "file"', {
      details: { target: 'form', issues: [{ path: 'file', message: 'a file is required' }] },
    })
  }
  const { maxUploadBytes } = c.var.deps.files
  if (file.size > maxUploadBytes) throw tooLarge(maxUploadBytes)
  return { name: sanitizeFileName(file.name), bytes: new Uint8Array(await file.arrayBuffer()) }
}
