import { describe, expect, it } from 'vitest'
import { ApiRequestError, endsSession } from './api-error.ts'

const failure = (status: number, code: ApiRequestError['code']) =>
  new ApiRequestError({ status, code, message: 'x' })

describe('endsSession', () => {
  it('signs out only when the server refused the session itself', () => {
    expect(endsSession(failure(401, 'unauthorized'))).toBe(true)
    expect(endsSession(failure(401, 'anonymous_not_allowed'))).toBe(true)
  })

  it('keeps the session through an auth outage, server errors and lost connections', () => {
    expect(endsSession(failure(503, 'auth_unavailable'))).toBe(false)
    expect(endsSession(failure(503, 'service_unavailable'))).toBe(false)
    expect(endsSession(failure(0, 'network_error'))).toBe(false)
    expect(endsSession(failure(403, 'forbidden'))).toBe(false)
    expect(endsSession(new Error('offline'))).toBe(false)
  })
})
