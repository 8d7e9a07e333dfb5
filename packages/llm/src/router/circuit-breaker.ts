import type { LlmError } from '../errors.ts'
import type { Clock } from '../time.ts'

export interface CircuitSettings {
  /** Consecutive failures (5xx, connection errors, timeouts) that open a provider's circuit. */
  failureThreshold: number
  /** How long an open circuit skips the provider before letting one probe call through. */
  cooldownMs: number
}

export const defaultCircuitSettings: CircuitSettings = { failureThreshold: 5, cooldownMs: 30_000 }

export type CircuitState = 'closed' | 'open' | 'half_open'

/** Leave to call a provider, settled exactly once; settling it again does nothing. */
export interface CircuitTicket {
  /** The provider answered. */
  success(): void
  /** The call failed; it counts against the provider only when the error speaks to its health. */
  failure(error: LlmError): void
  /** The call ended without telling whether the provider works (an abort, the deadline). */
  release(): void
}

interface Entry {
  failures: number
  openedAt: number | null
  probing: boolean
}

/** Per-provider circuit: a dead provider is skipped without spending latency on it. */
export class CircuitBreaker {
  private readonly entries = new Map<string, Entry>()
  private readonly settings: CircuitSettings
  private readonly clock: Clock

  constructor(settings: CircuitSettings, clock: Clock) {
    this.settings = settings
    this.clock = clock
  }

  state(provider: string): CircuitState {
    const entry = this.entries.get(provider)
    if (!entry || entry.openedAt === null) return 'closed'
    return this.clock() - entry.openedAt >= this.settings.cooldownMs ? 'half_open' : 'open'
  }

  /** A ticket when the provider may be called (a half-open circuit lets one probe through), null to skip it. */
  acquire(provider: string): CircuitTicket | null {
    const state = this.state(provider)
    if (state !== 'closed') {
      const entry = this.entry(provider)
      if (state === 'open' || entry.probing) return null
      entry.probing = true
    }
    let settled = false
    const settle = (effect: () => void) => {
      if (settled) return
      settled = true
      effect()
    }
    return {
      success: () => settle(() => this.succeed(provider)),
      failure: (error) =>
        settle(() => (countsAgainstCircuit(error) ? this.fail(provider) : this.release(provider))),
      release: () => settle(() => this.release(provider)),
    }
  }

  /** A stream that breaks after its first token, its ticket already settled, still counts. */
  streamFailed(provider: string, error: LlmError): void {
    if (countsAgainstCircuit(error)) this.fail(provider)
  }

  private entry(provider: string): Entry {
    let entry = this.entries.get(provider)
    if (!entry) {
      entry = { failures: 0, openedAt: null, probing: false }
      this.entries.set(provider, entry)
    }
    return entry
  }

  private succeed(provider: string): void {
    this.entries.set(provider, { failures: 0, openedAt: null, probing: false })
  }

  private fail(provider: string): void {
    const entry = this.entry(provider)
    entry.failures += 1
    if (entry.probing || entry.failures >= this.settings.failureThreshold) {
      entry.openedAt = this.clock()
    }
    entry.probing = false
  }

  private release(provider: string): void {
    const entry = this.entries.get(provider)
    if (entry) entry.probing = false
  }
}

/** Whether a failure says something about the provider's health (not the request, not rate limits). */
function countsAgainstCircuit(error: LlmError): boolean {
  return (
    error.code === 'provider_unavailable' ||
    error.code === 'timeout' ||
    (error.code === 'provider_error' && error.retryable)
  )
}
