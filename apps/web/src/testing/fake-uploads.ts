import { vi } from 'vitest'

/** One upload the page sent, which the test answers step by step. */
export interface FakeUploadRequest {
  method: string
  url: string
  body: FormData | null
  aborted: boolean
  /** Reports this share of the bytes as sent (0 to 1). */
  progress: (share: number) => void
  respond: (status: number, body: unknown) => void
}

type Handler = ((event?: unknown) => void) | null

/**
 * Replaces `XMLHttpRequest`, the only way a browser reports upload progress, with one the test
 * drives: every request sent is returned in order, to be answered when the test chooses.
 */
export function fakeUploads(): FakeUploadRequest[] {
  const requests: FakeUploadRequest[] = []
  class FakeXMLHttpRequest implements FakeUploadRequest {
    upload: { onprogress: Handler } = { onprogress: null }
    onload: Handler = null
    onerror: Handler = null
    onabort: Handler = null
    status = 0
    statusText = ''
    responseText = ''
    method = ''
    url = ''
    body: FormData | null = null
    aborted = false

    open(method: string, url: string) {
      this.method = method
      this.url = url
    }
    setRequestHeader() {}
    getResponseHeader(name: string) {
      return name.toLowerCase() === 'x-request-id' ? 'req-upload' : null
    }
    send(body: FormData) {
      this.body = body
      requests.push(this)
    }
    abort() {
      this.aborted = true
      this.onabort?.()
    }
    progress(share: number) {
      this.upload.onprogress?.({ lengthComputable: true, loaded: share * 1000, total: 1000 })
    }
    respond(status: number, body: unknown) {
      this.status = status
      this.responseText = JSON.stringify(body)
      this.onload?.()
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXMLHttpRequest)
  return requests
}
