import type { Clock } from '../time.ts'

export interface CircuitSettings {
  /** Consecutive failures (5xx, connection errors, timeouts) that open a provider's circuit. */
  failureThreshold: number
  /** How long an open circuit skips the provider before letting one probe call through. */
  cooldownMs: number
}

export const defaultCircuitSettings: CircuitSettings = { failureThreshold: 5, cooldownMs: 30_000 }

export type CircuitState = 'closed' | 'open' | 'half_open'

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

  private entry(provider: string): Entry {
    let entry = this.entries.get(provider)
    if (!entry) {
      entry = { failures: 0, openedAt: null, probing: false }
      this.entries.set(provider, entry)
    }
    return entry
  }

  state(provider: string): CircuitState {
    const entry = this.entries.get(provider)
    if (!entry || entry.openedAt === null) return 'closed'
    return this.clock() - entry.openedAt >= this.settings.cooldownMs ? 'half_open' : 'open'
  }

  /** `call` when the provider may be used, `probe` for the single trial call of a half-open circuit, `skip` otherwise. */
  acquire(provider: string): 'call' | 'probe' | 'skip' {
    const state = this.state(provider)
    if (state === 'closed') return 'call'
    const entry = this.entry(provider)
    if (state === 'open' || entry.probing) return 'skip'
    entry.probing = true
    return 'probe'
  }

  success(provider: string): void {
    this.entries.set(provider, { failures: 0, openedAt: null, probing: false })
  }

  failure(provider: string): void {
    const entry = this.entry(provider)
    entry.failures += 1
    if (entry.probing || entry.failures >= this.settings.failureThreshold) {
      entry.openedAt = this.clock()
    }
    entry.probing = false
  }

  /** The call ended without telling whether the provider works (the caller aborted it). */
  release(provider: string): void {
    const entry = this.entries.get(provider)
    if (entry) entry.probing = false
  }
}
