import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BootstrapAdminToken } from './bootstrap-admin.ts'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})
async function dataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-bootstrap-'))
  dirs.push(dir)
  return dir
}

describe('the bootstrap admin token', () => {
  it('is generated and shown once, at the first start only, and works once', async () => {
    const dir = await dataDir()
    const shown: string[] = []
    const first = await BootstrapAdminToken.generated(dir, (token) => shown.push(token))
    const restarted = await BootstrapAdminToken.generated(dir, (token) => shown.push(token))
    expect(shown).toHaveLength(1)
    const [token = ''] = shown
    expect(token.length).toBeGreaterThanOrEqual(32)

    expect(restarted?.take('a guess')).toBe(false)
    expect(restarted?.take(token)).toBe(true)
    expect(restarted?.take(token)).toBe(false)
    await restarted?.persistSpent()
    // Spent for good: another start neither shows a new one nor accepts the old.
    expect(await BootstrapAdminToken.generated(dir, (t) => shown.push(t))).toBeUndefined()
    expect(shown).toHaveLength(1)
    expect(first).toBeDefined()
  })

  it('accepts the operator’s own token for as long as it is set', () => {
    const configured = BootstrapAdminToken.configured('an-operator-chosen-secret')
    expect(configured.take('an-operator-chosen-secret')).toBe(true)
    expect(configured.take('an-operator-chosen-secret')).toBe(true)
    expect(configured.take('AN-OPERATOR-CHOSEN-SECRET')).toBe(false)
  })
})
