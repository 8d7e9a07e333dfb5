/**
 * The floor under a Parley turn: a stateless relay built from the API's own parts and nothing
 * else. Hono on `@hono/node-server` and `streamSSE`, as the API serves; Parley's OpenAI provider
 * (the official SDK); the API's SSE framing with its delta window. No authentication, no
 * database, no context, no accounting. `POST /relay` with `{ content }` answers with the same
 * `delta`… `done` events as a Parley turn. argv: the port, then the upstream's origin.
 */
import { serve } from '@hono/node-server'
import { catalog, createProviders } from '@parley/llm'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
// The API's own module, by path: the bench sits above every package.
import { deltaWriter } from '../../../apps/api/src/routes/sse.ts'
import { model } from './upstream.ts'

const [port, upstreamOrigin] = process.argv.slice(2)
const provider = createProviders({
  openai: { apiKey: 'bench', baseUrl: `${upstreamOrigin}/v1` },
}).providers.get('openai')
const spec = catalog.find((candidate) => candidate.id === model)
if (!provider || !spec) throw new Error(`no OpenAI provider or no model ${model}`)

const app = new Hono().post('/relay', async (c) => {
  const { content } = await c.req.json<{ content: string }>()
  return streamSSE(c, async (stream) => {
    const upstream = new AbortController()
    stream.onAbort(() => upstream.abort())
    const send = (text: string) => {
      if (!stream.aborted && !stream.closed) void stream.write(text).catch(() => upstream.abort())
    }
    const deltas = deltaWriter(send)
    const request = {
      model: spec.upstreamModel,
      messages: [{ role: 'user' as const, content }],
      maxOutputTokens: 1024,
    }
    let end = 'event: done\ndata: {}\n\n'
    for await (const event of provider.stream(request, upstream.signal)) {
      if (event.type === 'text') deltas.push(event.text)
      else if (event.type === 'usage') end = `event: done\ndata: ${JSON.stringify(event.usage)}\n\n`
      else if (event.type === 'error')
        end = `event: error\ndata: ${JSON.stringify(event.error.message)}\n\n`
    }
    deltas.flush()
    send(end)
  })
})

serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' }, () => {
  console.log('listening')
})
process.once('SIGTERM', () => process.exit(0))
