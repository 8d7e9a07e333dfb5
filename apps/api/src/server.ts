import { serve } from '@hono/node-server'
import { createApp } from './app.ts'

const port = 8787
serve({ fetch: createApp().fetch, port }, (info) => {
  console.log(`parley api listening on http://localhost:${info.port}`)
})
