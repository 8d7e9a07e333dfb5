import type { FileResource } from '@parley/schema/contracts'
import { eventually, type TestServer } from './test-server.ts'

/** What a test uploads: text, or bytes. */
export type UploadBody = string | Uint8Array<ArrayBuffer>

/** `POST /files` of one file in the field `file`, as a browser's form would send it. */
export function uploadFile(
  server: TestServer,
  token: string,
  name: string,
  body: UploadBody,
  type = 'application/octet-stream',
): Promise<Response> {
  const form = new FormData()
  form.set('file', new File([body], name, { type }))
  return server.call(token, '/api/v1/files', { method: 'POST', body: form })
}

/** Uploads a file the server accepts; returns its id. */
export async function uploadedFileId(
  server: TestServer,
  token: string,
  name: string,
  body: UploadBody,
): Promise<string> {
  const response = await uploadFile(server, token, name, body)
  if (response.status !== 202) throw new Error(`upload refused: ${response.status}`)
  return ((await response.json()) as { id: string }).id
}

/** The file once its reading is over (`ready` or `failed`). */
export function processedFile(
  server: TestServer,
  token: string,
  id: string,
): Promise<FileResource> {
  return eventually(async () => {
    const response = await server.call(token, `/api/v1/files/${id}`)
    const file = (await response.json()) as FileResource
    return file.status === 'processing' ? undefined : file
  })
}
