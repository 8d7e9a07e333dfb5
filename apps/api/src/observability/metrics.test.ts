import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { chatModel, readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

const token = 'a-scrapers-metrics-token'

let plain: TestServer
let measured: TestServer
beforeAll(async () => {
  ;[plain, measured] = await Promise.all([
    startTestServer(),
    startTestServer({ metricsToken: token }),
  ])
})
afterAll(() => Promise.all([plain?.close(), measured?.close()]))

const scrape = (server: TestServer, bearer?: string) =>
  fetch(`${server.url}/metrics`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {})

describe('Prometheus metrics', () => {
  it('do not exist unless a token is configured', async () => {
    await expectEnvelope(await scrape(plain, token), 404, 'not_found')
  })

  it('answer only a scraper presenting the token', async () => {
    await expectEnvelope(await scrape(measured), 401, 'unauthorized')
    await expectEnvelope(await scrape(measured, 'not-the-metrics-token'), 401, 'unauthorized')
    const response = await scrape(measured, token)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
  })

  it('count requests by route, and a turn’s timing, tokens and cost by model, without its text', async () => {
    const user = await measured.user()
    const created = await measured.call(user.token, '/api/v1/conversations', {
      method: 'POST',
      json: {},
    })
    const conversation = (await created.json()) as { id: string }
    measured.fake.enqueue(
      { kind: 'text', text: 'A secret reply.', usage: { inputTokens: 30, outputTokens: 7 } },
      { lastUserMessage: 'a private question' },
    )
    const events = await readEvents(
      await measured.call(user.token, `/api/v1/conversations/${conversation.id}/messages`, {
        method: 'POST',
        json: { content: 'a private question' },
        headers: { accept: 'text/event-stream' },
      }),
    )
    expect(events.at(-1)?.event).toBe('done')

    const text = await (await scrape(measured, token)).text()
    const labels = `model="${chatModel}",provider="openai"`
    expect(text).toContain(
      'parley_http_requests_total{route="/api/v1/conversations/:id/messages",method="POST",status="200"} 1',
    )
    expect(text).toMatch(new RegExp(`parley_turn_ttft_seconds_count\\{${labels}\\} 1`))
    expect(text).toMatch(new RegExp(`parley_turn_duration_seconds_count\\{${labels}\\} 1`))
    expect(text).toContain(`parley_tokens_total{${labels},kind="input"} 30`)
    expect(text).toContain(`parley_tokens_total{${labels},kind="output"} 7`)
    expect(text).toMatch(new RegExp(`parley_cost_usd_total\\{${labels}\\} 0\\.0\\d+`))
    expect(text).toContain(`parley_turns_total{${labels},status="ok"} 1`)
    expect(text).toContain('parley_open_streams 0')
    expect(text).toContain('parley_circuit_state{provider="openai"} 0')
    expect(text).not.toContain('private question')
    expect(text).not.toContain('secret reply')
    expect(text).not.toContain(conversation.id)
  })

  it('count a provider’s errors and the fallback that answered instead', async () => {
    const user = await measured.user()
    const created = await measured.call(user.token, '/api/v1/conversations', {
      method: 'POST',
      json: {},
    })
    const conversation = (await created.json()) as { id: string }
    measured.fake.enqueue(
      { kind: 'status', status: 500, times: 3 },
      { api: 'openai', lastUserMessage: 'metrics fallback' },
    )
    measured.fake.enqueue(
      { kind: 'text', text: 'From the other one.' },
      { api: 'anthropic', lastUserMessage: 'metrics fallback' },
    )
    await readEvents(
      await measured.call(user.token, `/api/v1/conversations/${conversation.id}/messages`, {
        method: 'POST',
        json: { content: 'metrics fallback' },
        headers: { accept: 'text/event-stream' },
      }),
    )
    const text = await (await scrape(measured, token)).text()
    expect(text).toMatch(
      new RegExp(
        `parley_provider_errors_total\\{model="${chatModel}",provider="openai",code="provider_error"\\} 3`,
      ),
    )
    expect(text).toMatch(new RegExp(`parley_fallbacks_total\\{from="${chatModel}",to="[^"]+"\\} 1`))
  })
})
