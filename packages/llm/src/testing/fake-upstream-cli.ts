import { parseArgs } from 'node:util'
import { startFakeUpstream } from './fake-upstream.ts'

const usage = `Usage: node packages/llm/src/testing/fake-upstream-cli.ts [options]

Starts the fake OpenAI/Anthropic upstream and prints its origin on stdout.

  --port <n>                 port to listen on (default 0: any free port)
  --host <address>           address to bind (default 127.0.0.1)
  --reply-tokens <n>         the default reply is this many generated words (default: an echo)
  --tokens-per-second <n>    pace of the default reply (default 40; 0 = unpaced)
  --first-byte-delay-ms <n>  delay before the default reply starts (default 150)
  --help                     show this text`

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'reply-tokens': { type: 'string' },
    'tokens-per-second': { type: 'string', default: '40' },
    'first-byte-delay-ms': { type: 'string', default: '150' },
    help: { type: 'boolean', default: false },
  },
})

if (values.help) {
  console.log(usage)
  process.exit(0)
}

const number = (name: string, raw: string): number => {
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, got "${raw}"\n\n${usage}`)
    process.exit(2)
  }
  return value
}

const upstream = await startFakeUpstream({
  host: values.host,
  port: number('port', values.port),
  defaultReply: {
    ...(values['reply-tokens'] === undefined
      ? {}
      : { tokens: number('reply-tokens', values['reply-tokens']) }),
    tokensPerSecond: number('tokens-per-second', values['tokens-per-second']),
    firstByteDelayMs: number('first-byte-delay-ms', values['first-byte-delay-ms']),
  },
})
console.log(upstream.origin)

const stop = () => {
  upstream.close().then(() => process.exit(0))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
