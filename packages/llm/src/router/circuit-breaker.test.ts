import { describe, expect, it } from 'vitest'
import { abortedError, LlmError } from '../errors.ts'
import { CircuitBreaker, type CircuitTicket } from './circuit-breaker.ts'

const down = () => new LlmError('provider_unavailable', { provider: 'p' })
const rateLimited = () => new LlmError('rate_limited', { provider: 'p' })

function breaker(failureThreshold = 2, cooldownMs = 1_000) {
  let now = 0
  const circuit = new CircuitBreaker({ failureThreshold, cooldownMs }, () => now)
  const take = (): CircuitTicket => {
    const ticket = circuit.acquire('p')
    if (!ticket) throw new Error('expected a ticket')
    return ticket
  }
  return {
    circuit,
    take,
    advance: (ms: number) => {
      now += ms
    },
  }
}

describe('circuit ticket', () => {
  it('opens after consecutive failures and skips the provider until the cool-down', () => {
    const { circuit, take, advance } = breaker(2, 1_000)
    take().failure(down())
    expect(circuit.state('p')).toBe('closed')
    take().failure(down())
    expect(circuit.state('p')).toBe('open')
    expect(circuit.acquire('p')).toBeNull()
    advance(1_000)
    expect(circuit.state('p')).toBe('half_open')
  })

  it('lets one probe through a half-open circuit and closes it when the probe succeeds', () => {
    const { circuit, take, advance } = breaker(1)
    take().failure(down())
    advance(1_000)
    const probe = take()
    expect(circuit.acquire('p')).toBeNull()
    probe.success()
    expect(circuit.state('p')).toBe('closed')
    expect(circuit.acquire('p')).not.toBeNull()
  })

  it('reopens the circuit for a whole cool-down when the probe fails', () => {
    const { circuit, take, advance } = breaker(2, 1_000)
    take().failure(down())
    take().failure(down())
    advance(1_000)
    take().failure(down())
    expect(circuit.state('p')).toBe('open')
    advance(999)
    expect(circuit.acquire('p')).toBeNull()
  })

  it('counts a ticket settled twice only once', () => {
    const { circuit, take } = breaker(2)
    const ticket = take()
    ticket.failure(down())
    ticket.failure(down())
    ticket.success()
    expect(circuit.state('p')).toBe('closed')
    take().failure(down())
    expect(circuit.state('p')).toBe('open')
  })

  it('ignores a failure after the ticket was settled as a success', () => {
    const { circuit, take } = breaker(1)
    const ticket = take()
    ticket.success()
    ticket.failure(down())
    expect(circuit.state('p')).toBe('closed')
  })

  it('does not count rate limits or aborts against the provider', () => {
    const { circuit, take } = breaker(1)
    take().failure(rateLimited())
    take().failure(abortedError('p'))
    take().failure(new LlmError('invalid_request', { provider: 'p' }))
    take().release()
    expect(circuit.state('p')).toBe('closed')
  })

  it('frees the probe slot when the probe ends without a verdict', () => {
    const { circuit, take, advance } = breaker(1)
    take().failure(down())
    advance(1_000)
    take().release()
    expect(circuit.state('p')).toBe('half_open')
    const probe = take()
    probe.failure(rateLimited())
    expect(circuit.state('p')).toBe('half_open')
    expect(circuit.acquire('p')).not.toBeNull()
  })

  it('still counts a stream that breaks after its ticket was settled', () => {
    const { circuit, take } = breaker(1)
    take().success()
    circuit.streamFailed('p', down())
    expect(circuit.state('p')).toBe('open')
  })

  it('does not count a stream the caller aborted', () => {
    const { circuit, take } = breaker(1)
    take().success()
    circuit.streamFailed('p', abortedError('p'))
    expect(circuit.state('p')).toBe('closed')
  })
})
