import { Hono } from 'hono'

export function createApp() {
  return new Hono().get('/api/v1/health', (c) => c.json({ status: 'ok' }))
}
