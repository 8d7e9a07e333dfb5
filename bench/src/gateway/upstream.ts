import { fileURLToPath } from 'node:url'
import { type Child, startNode } from './processes.ts'

/** The reply every turn gets: this many words, one streamed chunk each. */
export const replyTokens = 64
/** Tokens arrive 1 ms apart, so each delta is flushed on its own. */
export const tokensPerSecond = 1_000
/** The "realistic" upstream: headers only after this long, as a hosted model's queue adds. */
export const realisticFirstByteMs = 300
export const model = 'gpt-6.1-terra'

/** The prompt of an ordinary turn: answered at once by the default reply. */
export const prompt = 'Write a short paragraph about latency.'
/** The prompt of a "realistic" turn: a queued scenario delays its first byte. */
export const realisticPrompt = 'Write a short paragraph about queues.'

export interface UpstreamConfig {
  replyTokens: number
  tokensPerSecond: number
  /** Only the time to first token of these turns is reported, so their reply is shorter. */
  realistic: { prompt: string; firstByteDelayMs: number; replyTokens: number }
}

export interface Upstream extends Child {
  origin: string
}

/** The fake OpenAI/Anthropic upstream, in its own process like a real provider. */
export async function startUpstream(): Promise<Upstream> {
  const config: UpstreamConfig = {
    replyTokens,
    tokensPerSecond,
    realistic: { prompt: realisticPrompt, firstByteDelayMs: realisticFirstByteMs, replyTokens: 16 },
  }
  let origin = ''
  const child = await startNode({
    name: 'the fake upstream',
    args: [fileURLToPath(new URL('./upstream-server.ts', import.meta.url)), JSON.stringify(config)],
    ready: (line) => {
      if (!line.startsWith('http')) return false
      origin = line.trim()
      return true
    },
  })
  return Object.assign(child, { origin })
}
