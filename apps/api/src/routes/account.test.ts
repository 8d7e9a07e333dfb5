import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { inspect } from '@parley/db/testing'
import { createClient, type SupabaseClient } from '@supabase/supabase-js'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileStorage, type FileStorage, originalKey } from '../services/file-storage/index.ts'
import { sweepDeletedOwners } from '../services/original-sweeper.ts'
import { documentFixtures } from '../testing/document-fixtures.ts'
import { expectEnvelope } from '../testing/expect-envelope.ts'
import { processedFile, uploadedFileId, uploadFile } from '../testing/files.ts'
import { readEvents, startTestServer, type TestServer } from '../testing/test-server.ts'

let server: TestServer
let folder: string
/** The originals, in a folder whose deletes the tests can make fail. */
let originals: FileStorage
const failing = { delete: false, deleteOwner: false }
const unavailable = () => Promise.reject(new Error('storage unavailable'))
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'parley-account-files-'))
  originals = createFileStorage({ kind: 'local', directory: folder })
  const storage: FileStorage = {
    put: (key, bytes, options) => originals.put(key, bytes, options),
    get: (key) => originals.get(key),
    delete: (key) => (failing.delete ? unavailable() : originals.delete(key)),
    deleteOwner: (owner) => (failing.deleteOwner ? unavailable() : originals.deleteOwner(owner)),
    listOwners: () => originals.listOwners(),
  }
  server = await startTestServer({ files: { storage } })
})
afterAll(async () => {
  await server?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

const client = () =>
  createClient(server.url, 'embedded-anon-key', {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  })

let counter = 0
const password = 'correct horse battery'

/** A new account, signed in on its own client (one browser). */
async function signedUp(): Promise<{ supabase: SupabaseClient; email: string; token: string }> {
  const supabase = client()
  const email = `account-${Date.now()}-${counter++}@example.test`
  const { data, error } = await supabase.auth.signUp({ email, password })
  if (error || !data.session) throw error ?? new Error('signed up')
  return { supabase, email, token: data.session.access_token }
}

async function signIn(email: string, secret: string) {
  const other = client()
  return { other, result: await other.auth.signInWithPassword({ email, password: secret }) }
}

describe('changing the password', () => {
  it('wants the current password, then signs in only with the new one and ends other sessions', async () => {
    const { supabase, email } = await signedUp()
    const { other: elsewhere } = await signIn(email, password)

    const missing = await supabase.auth.updateUser({ password: 'a brand new secret' })
    expect(missing.error?.code).toBe('current_password_required')
    const wrong = await supabase.auth.updateUser({
      password: 'a brand new secret',
      current_password: 'not my password',
    })
    expect(wrong.error?.code).toBe('current_password_mismatch')
    const weak = await supabase.auth.updateUser({ password: 'short', current_password: password })
    expect(weak.error?.code).toBe('weak_password')
    const same = await supabase.auth.updateUser({ password, current_password: password })
    expect(same.error?.code).toBe('same_password')

    const changed = await supabase.auth.updateUser({
      password: 'a brand new secret',
      current_password: password,
    })
    expect(changed.error).toBeNull()
    expect(changed.data.user?.email).toBe(email)

    expect((await signIn(email, password)).result.error?.code).toBe('invalid_credentials')
    expect((await signIn(email, 'a brand new secret')).result.error).toBeNull()
    // This browser stays signed in; the other one's session has ended.
    expect((await supabase.auth.refreshSession()).error).toBeNull()
    expect((await elsewhere.auth.refreshSession()).error).not.toBeNull()
  })
})

describe('signing out everywhere', () => {
  it('ends every session of the account', async () => {
    const { supabase, email } = await signedUp()
    const { other } = await signIn(email, password)
    expect((await supabase.auth.signOut({ scope: 'global' })).error).toBeNull()
    expect((await other.auth.refreshSession()).error).not.toBeNull()
  })
})

describe('deleting the account', () => {
  it('refuses without the account’s email typed again, and deletes nothing', async () => {
    const { token, email } = await signedUp()
    for (const body of [{}, { confirmEmail: 'someone-else@example.test' }]) {
      const response = await server.call(token, '/api/v1/me', { method: 'DELETE', json: body })
      await expectEnvelope(response, 400, 'validation_error')
    }
    const me = await server.call(token, '/api/v1/me')
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ email })
  })

  it('deletes the account and everything in it, keeps its usage anonymised, and ends sign-in', async () => {
    const { token, email } = await signedUp()
    const me = (await (await server.call(token, '/api/v1/me')).json()) as { id: string }
    const created = await server.call(token, '/api/v1/conversations', { method: 'POST', json: {} })
    const conversation = (await created.json()) as { id: string }
    server.fake.enqueue({ kind: 'text', text: 'Noted.' }, { lastUserMessage: 'remember me' })
    const events = await readEvents(
      await server.call(token, `/api/v1/conversations/${conversation.id}/messages`, {
        method: 'POST',
        json: { content: 'remember me' },
        headers: { accept: 'text/event-stream' },
      }),
    )
    const done = events.at(-1)?.data as { assistantMessage: { id: string } }
    const [usage] = await inspect.usageOfMessage(server.db, done.assistantMessage.id)
    if (!usage) throw new Error('the turn recorded its usage')

    const deleted = await server.call(token, '/api/v1/me', {
      method: 'DELETE',
      json: { confirmEmail: email.toUpperCase() },
    })
    expect(deleted.status).toBe(204)

    expect(await inspect.messages(server.db, conversation.id)).toEqual([])
    expect(await inspect.usageOfUser(server.db, me.id)).toEqual([])
    // Spend stays counted for the team, with nothing left that points at the person.
    expect(await inspect.usageEvent(server.db, usage.id)).toMatchObject({
      userId: null,
      conversationId: null,
      messageId: null,
      costMicroUsd: usage.costMicroUsd,
    })
    expect((await signIn(email, password)).result.error?.code).toBe('invalid_credentials')
    // A token issued before the deletion reads nothing: no rows are left to show.
    const list = await server.call(token, '/api/v1/conversations')
    expect(list.status).toBe(200)
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([])
  })
})

describe('deleting the account’s files', () => {
  const storedFor = (owner: string) => readdir(path.join(folder, owner)).catch(() => [])
  const sweep = () => sweepDeletedOwners(server.db, originals, pino({ level: 'silent' }))

  /** A signed-up account with one processed upload; the other user keeps one too. */
  async function withUploads() {
    const account = await signedUp()
    const { id } = (await (await server.call(account.token, '/api/v1/me')).json()) as { id: string }
    const fileId = await uploadedFileId(server, account.token, 'notes.md', documentFixtures.text)
    await processedFile(server, account.token, fileId)
    const other = await server.user()
    const otherFileId = await uploadedFileId(server, other.token, 'mine.md', documentFixtures.text)
    await processedFile(server, other.token, otherFileId)
    return {
      ...account,
      id,
      key: originalKey(id, fileId),
      otherKey: originalKey(other.id, otherFileId),
    }
  }

  const deleteAccount = (token: string, email: string) =>
    server.call(token, '/api/v1/me', { method: 'DELETE', json: { confirmEmail: email } })

  it('removes the account’s uploaded originals and leaves another user’s', async () => {
    const account = await withUploads()
    expect(await originals.get(account.key)).not.toBeNull()
    expect((await deleteAccount(account.token, account.email)).status).toBe(204)
    expect(await originals.get(account.key)).toBeNull()
    expect(await originals.listOwners()).not.toContain(account.id)
    expect(await originals.get(account.otherKey)).not.toBeNull()
  })

  it('deletes the account even when its originals cannot be removed; the sweep removes them later', async () => {
    const account = await withUploads()
    failing.deleteOwner = true
    try {
      expect((await deleteAccount(account.token, account.email)).status).toBe(204)
    } finally {
      failing.deleteOwner = false
    }
    expect(await inspect.usageOfUser(server.db, account.id)).toEqual([])
    expect((await signIn(account.email, password)).result.error?.code).toBe('invalid_credentials')
    expect(await originals.get(account.key)).not.toBeNull()

    expect(await sweep()).toBeGreaterThanOrEqual(1)
    expect(await originals.get(account.key)).toBeNull()
    expect(await originals.get(account.otherKey)).not.toBeNull()
  })

  it('answers an upload it cannot record with that error, even when the original cannot be removed', async () => {
    const account = await withUploads()
    expect((await deleteAccount(account.token, account.email)).status).toBe(204)
    // The deleted account's token is still valid for a while: its upload has no owner to record.
    const refused = await uploadFile(server, account.token, 'late.md', documentFixtures.text)
    const { error } = (await refused.json()) as { error: { code: string } }
    expect(await storedFor(account.id)).toEqual([])

    failing.delete = true
    try {
      const again = await uploadFile(server, account.token, 'later.md', documentFixtures.text)
      await expectEnvelope(again, refused.status, error.code)
    } finally {
      failing.delete = false
    }
    expect(await storedFor(account.id)).toHaveLength(1)
    await sweep()
    expect(await originals.listOwners()).not.toContain(account.id)
    expect(await originals.get(account.otherKey)).not.toBeNull()
  })
})
