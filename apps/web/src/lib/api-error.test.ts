import { describe, expect, it } from 'vitest'
import { ApiRequestError, describeError, endsSession } from './api-error.ts'

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

describe('describeError for a send over budget', () => {
  it('says what is left and when the budget resets', () => {
    const error = new ApiRequestError({
      status: 402,
      code: 'budget_exceeded',
      message: 'x',
      details: { remainingUsd: '0.25', resetsAt: '2027-01-01T00:00:00.000Z' },
    })
    expect(describeError(error)).toBe(
      'This message could cost more than your spending budget allows. Your budget has $0.25 left, too little for it. It resets on January 1, 2027 at 12:00 AM UTC.',
    )
  })
})
