import { AuthApiError } from '@supabase/supabase-js'
import { describe, expect, it } from 'vitest'
import { authErrorMessage } from './auth-error-message.ts'

const rateLimited = (message: string) => new AuthApiError(message, 429, 'over_request_rate_limit')

describe('authErrorMessage for a rate-limited sign-in', () => {
  it('tells the real wait the server sent', () => {
    expect(authErrorMessage(rateLimited('Too many requests. Try again in 1 second.'))).toBe(
      'Too many attempts. Try again in 1 second.',
    )
    expect(authErrorMessage(rateLimited('Too many requests. Try again in 42 seconds.'))).toBe(
      'Too many attempts. Try again in 42 seconds.',
    )
    expect(authErrorMessage(rateLimited('Too many requests. Try again in 300 seconds.'))).toBe(
      'Too many attempts. Try again in 5 minutes.',
    )
  })

  it('does not invent a wait when the server gave none', () => {
    expect(authErrorMessage(rateLimited('Too many requests. Try again later.'))).toBe(
      'Too many attempts. Wait a little, then try again.',
    )
  })
})
