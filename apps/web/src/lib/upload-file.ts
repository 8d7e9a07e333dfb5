import type { UploadedFile } from '@parley/schema/contracts'
import { errorFromAnswer, urlFor } from './api-client.ts'
import { ApiRequestError } from './api-error.ts'
import { accessToken } from './supabase.ts'

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

/**
 * Uploads one file (`POST /files`, multipart field `file`). It uses `XMLHttpRequest` because
 * `fetch` reports no upload progress; `onProgress` gets the share sent, from 0 to 1. Failures
 * reject with the same `ApiRequestError` the rest of the client throws; an abort with an
 * `AbortError`.
 */
export async function uploadFile(
  file: File,
  options: { onProgress?: (sent: number) => void; signal?: AbortSignal } = {},
): Promise<UploadedFile> {
  const token = await accessToken()
  const { onProgress, signal } = options
  signal?.throwIfAborted()
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', urlFor('/files'))
    request.setRequestHeader('Accept', 'application/json')
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`)
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total)
    }
    request.onload = () => {
      const body = parseBody(request.responseText)
      if (request.status >= 200 && request.status < 300) {
        onProgress?.(1)
        resolve(body as UploadedFile)
        return
      }
      reject(
        errorFromAnswer({
          status: request.status,
          statusText: request.statusText,
          header: (name) => request.getResponseHeader(name),
          body,
        }),
      )
    }
    request.onerror = () =>
      reject(
        new ApiRequestError({
          status: 0,
          code: 'network_error',
          message: 'The server could not be reached.',
        }),
      )
    request.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
    signal?.addEventListener('abort', () => request.abort(), { once: true })
    const form = new FormData()
    form.append('file', file, file.name)
    request.send(form)
  })
}
