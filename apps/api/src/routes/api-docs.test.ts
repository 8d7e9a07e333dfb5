import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server?.close())

describe('the API reference at /api/v1/docs', () => {
  it('is a page whose scripts and styles all come from this origin, under a strict policy', async () => {
    const response = await fetch(`${server.url}/api/v1/docs`)
    expect(response.status).toBe(200)
    const policy = response.headers.get('content-security-policy') ?? ''
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("style-src 'self'")
    expect(policy).not.toContain('unsafe')
    const html = await response.text()
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)]
    expect(scripts.length).toBeGreaterThan(0)
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/api\/v1\/docs\//)
      expect(body?.trim()).toBe('')
    }
  })

  it('serves the renderer and its styles from the package, and the document it renders', async () => {
    for (const [file, type] of [
      ['swagger-ui-bundle.js', 'text/javascript'],
      ['swagger-ui.css', 'text/css'],
      ['start.js', 'text/javascript'],
    ]) {
      const response = await fetch(`${server.url}/api/v1/docs/${file}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain(type)
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100)
    }
    const document = await fetch(`${server.url}/api/v1/openapi.json`)
    expect(document.status).toBe(200)
    expect(((await document.json()) as { openapi: string }).openapi).toMatch(/^3\./)
    // Only the renderer's two files: any other path falls through to the API, which wants a
    // token and has no such route, so nothing else of the package is reachable.
    for (const other of ['index.html', 'package.json', 'swagger-ui-bundle.js.map']) {
      expect((await fetch(`${server.url}/api/v1/docs/${other}`)).status).toBe(401)
    }
  })

  it('lists the 429 of every rate-limited route, and none where nothing is counted', async () => {
    type Operation = { responses: Record<string, unknown> }
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>
    }
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {})
    expect(statuses('/files', 'post')).toContain('429')
    expect(statuses('/conversations/{id}/messages', 'post')).toContain('429')
    expect(statuses('/shares/{shareId}', 'get')).toContain('429')
    expect(statuses('/health', 'get')).toContain('200')
    expect(statuses('/health', 'get')).not.toContain('429')
  })
})
