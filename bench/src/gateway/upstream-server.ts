/**
 * The bench's own fake upstream process (`startFakeUpstream` from `@parley/llm/testing`, as the
 * package's CLI runs it): argv[2] is an `UpstreamConfig` as JSON; prints the origin on stdout.
 */
import { startFakeUpstream } from '@parley/llm/testing'
import type { UpstreamConfig } from './upstream.ts'

const config = JSON.parse(process.argv[2] ?? '{}') as UpstreamConfig
const upstream = await startFakeUpstream({
  defaultReply: {
    tokens: config.replyTokens,
    tokensPerSecond: config.tokensPerSecond,
    firstByteDelayMs: 0,
  },
})
// Streamed turns whose last user message is the realistic prompt wait before their first byte.
upstream.enqueue(
  {
    kind: 'text',
    tokens: config.realistic.replyTokens,
    tokensPerSecond: config.tokensPerSecond,
    firstByteDelayMs: config.realistic.firstByteDelayMs,
    times: 'always',
  },
  { lastUserMessage: config.realistic.prompt, stream: true },
)
console.log(upstream.origin)

const stop = () => void upstream.close().then(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
