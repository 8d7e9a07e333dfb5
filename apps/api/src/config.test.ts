import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

describe('configuration', () => {
  it('runs embedded with no configuration at all', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 8787,
      mode: 'embedded',
      database: { kind: 'pglite' },
      auth: { kind: 'local', accessTokenTtlSeconds: 3600 },
      corsOrigins: [],
      logLevel: 'info',
    })
    expect(config.dataDir.endsWith(`${path.sep}.data`)).toBe(true)
  })

  it('switches to Supabase with a project URL and its database', () => {
    const config = loadConfig({
      SUPABASE_URL: 'https://abc.supabase.co/',
      DATABASE_URL: 'postgres://user:pw@pooler.supabase.com:6543/postgres',
      CORS_ORIGINS: 'https://chat.example.com, https://admin.example.com',
      PARLEY_ADMIN_EMAILS: 'Boss@Example.com',
    })
    expect(config).toMatchObject({
      mode: 'supabase',
      auth: { kind: 'supabase', url: 'https://abc.supabase.co' },
      database: { kind: 'postgres' },
      corsOrigins: ['https://chat.example.com', 'https://admin.example.com'],
    })
  })

  it('stops with a message naming each bad variable', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        OPENAI_BASE_URL: 'not a url',
        CORS_ORIGINS: 'chat.example.com',
        PARLEY_OPENAI_COMPATIBLE: '{oops',
      })
    expect(attempt).toThrow(ConfigError)
    try {
      attempt()
    } catch (error) {
      const message = (error as Error).message
      for (const name of ['PORT', 'OPENAI_BASE_URL', 'CORS_ORIGINS', 'PARLEY_OPENAI_COMPATIBLE']) {
        expect(message).toContain(name)
      }
    }
  })

  it('requires the project database in Supabase mode', () => {
    expect(() => loadConfig({ SUPABASE_URL: 'https://abc.supabase.co' })).toThrow(/DATABASE_URL/)
    expect(() =>
      loadConfig({ SUPABASE_JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://h/db' }),
    ).toThrow(/SUPABASE_JWT_SECRET: needs SUPABASE_URL/)
  })
})
