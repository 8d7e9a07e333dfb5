import { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxBodyBytes } from './app.ts'
import { startTestServer, type TestServer } from './testing/test-server.ts'

let server: TestServer
let client: Agent
beforeAll(async () => {
  server = await startTestServer()
  // One keep-alive connection: every request below would reuse the socket the 413 went out on.
  client = new Agent({ connections: 1, pipelining: 1 })
})
afterAll(async () => {
  await client?.close()
  await server?.close()
})

describe('an oversized request body', () => {
  it('is refused with the envelope, and the same client’s next requests still succeed', async () => {
    const user = await server.user()
    const conversation = await server.call(user.token, '/api/v1/conversations', {
      method: 'POST',
      json: {},
    })
    const { id } = (await conversation.json()) as { id: string }
    const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }

    const tooLarge = await request(`${server.url}/api/v1/conversations/${id}/messages`, {
      dispatcher: client,
      method: 'POST',
      headers,
      body: JSON.stringify({ content: 'x'.repeat(2 * maxBodyBytes) }),
    })
    expect(tooLarge.statusCode).toBe(413)
    expect(await tooLarge.body.json()).toMatchObject({
      error: { code: 'payload_too_large', requestId: expect.any(String) },
    })

    for (let i = 0; i < 2; i++) {
      const me = await request(`${server.url}/api/v1/me`, { dispatcher: client, headers })
      expect(me.statusCode).toBe(200)
      expect(await me.body.json()).toMatchObject({ id: user.id })
    }
  })

  it('without a Content-Length (chunked) is counted as it arrives: refused over the limit, read within it', async () => {
    const user = await server.user()
    const headers = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }
    /** The JSON body in two chunks, so that undici sends it chunked. */
    const chunked = (json: string) => Readable.from([json.slice(0, 10), json.slice(10)])

    const tooLarge = await request(`${server.url}/api/v1/conversations`, {
      method: 'POST',
      headers,
      body: chunked(JSON.stringify({ title: 'x'.repeat(2 * maxBodyBytes) })),
    })
    expect(tooLarge.statusCode).toBe(413)
    expect(await tooLarge.body.json()).toMatchObject({ error: { code: 'payload_too_large' } })

    const created = await request(`${server.url}/api/v1/conversations`, {
      method: 'POST',
      headers,
      body: chunked(JSON.stringify({ title: 'Sent in chunks' })),
    })
    expect(created.statusCode).toBe(201)
    expect(await created.body.json()).toMatchObject({ title: 'Sent in chunks' })
  })
})
