import { expect } from 'vitest'

/** Asserts an error response: its status, and the envelope's code, message and request id. */
export async function expectEnvelope(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  const body = (await response.json()) as {
    error: { code: string; message: string; requestId: string }
  }
  expect(body.error.code).toBe(code)
  expect(body.error.message).toBeTruthy()
  expect(body.error.requestId).toBe(response.headers.get('x-request-id'))
  return body
}
