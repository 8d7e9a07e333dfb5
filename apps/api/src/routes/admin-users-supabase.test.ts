import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { authStore } from '@parley/db'
import { createTestUser, type TestUser } from '@parley/db/testing'
import type { AdminUser } from '@parley/schema/contracts'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { startTestServer, type TestServer } from '../testing/test-server.ts'

// A stand-in for a Supabase project's auth server: its signing keys, and the one admin API call
// Parley makes, which (like Supabase Auth) writes the project's auth.users.
const serviceRoleKey = 'test-service-role-key'
let project: http.Server
let projectUrl: string
let keys: Awaited<ReturnType<typeof generateKeyPair>>
let server: TestServer
let keyless: TestServer
const adminCalls: { authorization: string | undefined; body: unknown }[] = []

async function adminUpdate(id: string, body: Record<string, unknown>): Promise<boolean> {
  const user = await server.db.asService((tx) => authStore.getAuthUser(tx, id))
  if (!user) return false
  const metadata = { ...user.rawAppMetaData }
  for (const [key, value] of Object.entries((body.app_metadata ?? {}) as object)) {
    if (value === null) delete metadata[key]
    else metadata[key] = value
  }
  await server.db.asService((tx) => authStore.updateAppMetadata(tx, id, metadata))
  if (body.ban_duration !== undefined) {
    const banned = body.ban_duration !== 'none'
    await server.db.asOwner((owner) =>
      owner.query(
        `update auth.users set banned_until = case when $2 then now() + interval '876000 hours' end
         where id = $1::uuid`,
        [id, banned],
      ),
    )
  }
  return true
}

function handle(req: http.IncomingMessage, res: http.ServerResponse, publicJwk: object) {
  if (req.url === '/auth/v1/.well-known/jwks.json') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: [publicJwk] }))
    return
  }
  const match = req.url?.match(/^\/auth\/v1\/admin\/users\/([0-9a-f-]{36})$/)
  if (req.method !== 'PUT' || !match?.[1]) return void res.writeHead(404).end()
  const id = match[1]
  let text = ''
  req.on('data', (chunk) => {
    text += chunk
  })
  req.on('end', async () => {
    const body = JSON.parse(text) as Record<string, unknown>
    adminCalls.push({ authorization: req.headers.authorization, body })
    if (req.headers.authorization !== `Bearer ${serviceRoleKey}`) {
      return void res.writeHead(401).end()
    }
    res.writeHead((await adminUpdate(id, body)) ? 200 : 404, { 'content-type': 'application/json' })
    res.end('{}')
  })
}

beforeAll(async () => {
  keys = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'project-key-1', alg: 'ES256' }
  project = http.createServer((req, res) => handle(req, res, publicJwk))
  await new Promise<void>((resolve) => project.listen(0, '127.0.0.1', resolve))
  projectUrl = `http://127.0.0.1:${(project.address() as AddressInfo).port}`
  const auth = { kind: 'supabase' as const, url: projectUrl, jwtSecret: undefined }
  server = await startTestServer({ mode: 'supabase', auth: { ...auth, serviceRoleKey } })
  keyless = await startTestServer({ mode: 'supabase', auth })
})
afterAll(async () => {
  await server?.close()
  await keyless?.close()
  await new Promise((resolve) => project?.close(resolve))
})

const tokenOf = (user: TestUser) =>
  new SignJWT({ role: 'authenticated', email: user.email, app_metadata: user.claims.app_metadata })
    .setProtectedHeader({ alg: 'ES256', kid: 'project-key-1' })
    .setIssuer(`${projectUrl}/auth/v1`)
    .setAudience('authenticated')
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(keys.privateKey)

describe('managing accounts with Supabase Auth', () => {
  it('changes role and access through its admin API with the service role key', async () => {
    const admin = await createTestUser(server.db, { admin: true })
    const member = await createTestUser(server.db)
    const [adminToken, memberToken] = [await tokenOf(admin), await tokenOf(member)]
    const patch = (json: unknown) =>
      server.call(adminToken, `/api/v1/admin/users/${member.id}`, { method: 'PATCH', json })

    const promoted = await patch({ role: 'admin' })
    expect(((await promoted.json()) as AdminUser).role).toBe('admin')
    const disabled = await patch({ role: 'user', disabled: true })
    expect((await disabled.json()) as AdminUser).toMatchObject({ role: 'user', status: 'disabled' })
    expect(adminCalls.at(-1)).toEqual({
      authorization: `Bearer ${serviceRoleKey}`,
      body: { app_metadata: { role: null }, ban_duration: '876000h' },
    })
    await expectEnvelope(await server.call(memberToken, '/api/v1/me'), 401, 'unauthorized')

    const enabled = await patch({ disabled: false })
    expect(((await enabled.json()) as AdminUser).status).toBe('active')
    expect((await server.call(memberToken, '/api/v1/me')).status).toBe(200)
  })

  it('says the service role key is missing when it is not configured', async () => {
    const admin = await createTestUser(keyless.db, { admin: true })
    const member = await createTestUser(keyless.db)
    const response = await keyless.call(await tokenOf(admin), `/api/v1/admin/users/${member.id}`, {
      method: 'PATCH',
      json: { disabled: true },
    })
    const body = await expectEnvelope(response, 503, 'service_unavailable')
    expect(body.error.message).toMatch(/SUPABASE_SERVICE_ROLE_KEY/)
  })
})
