import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, envSchema, loadConfig } from './config.ts'

describe('configuration', () => {
  it('runs embedded with no configuration at all', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 8787,
      mode: 'embedded',
      database: { kind: 'pglite' },
      auth: {
        kind: 'local',
        accessTokenTtlSeconds: 600,
        refreshTokenReuseSeconds: 10,
        signup: { mode: 'open' },
        bootstrapAdminToken: undefined,
      },
      allowAnonymous: false,
      corsOrigins: [],
      logLevel: 'info',
      logFormat: 'auto',
      metricsToken: undefined,
      quotas: {
        conversations: 10_000,
        messagesPerConversation: 5_000,
        storedBytes: 500 * 2 ** 20,
        files: 1_000,
      },
    })
    expect(config.dataDir.endsWith(`${path.sep}.data`)).toBe(true)
  })

  it('starts model calls early by default on Postgres only, and as told otherwise', () => {
    const postgres = { DATABASE_URL: 'postgres://parley@db.example.test/parley' }
    expect(loadConfig({}).earlyCalls).toBe(false)
    expect(loadConfig(postgres).earlyCalls).toBe(true)
    expect(loadConfig({ ...postgres, PARLEY_EARLY_CALLS: 'false' }).earlyCalls).toBe(false)
    expect(loadConfig({ PARLEY_EARLY_CALLS: 'true' }).earlyCalls).toBe(true)
    expect(() => loadConfig({ PARLEY_EARLY_CALLS: 'sometimes' })).toThrow(ConfigError)
  })

  it('takes quotas, and keeps access tokens short-lived', () => {
    const config = loadConfig({
      PARLEY_QUOTA_CONVERSATIONS: '50',
      PARLEY_QUOTA_MESSAGES_PER_CONVERSATION: '200',
      PARLEY_QUOTA_STORED_MB: '2',
      PARLEY_QUOTA_FILES: '7',
      PARLEY_ACCESS_TOKEN_TTL: '900',
    })
    expect(config.quotas).toEqual({
      conversations: 50,
      messagesPerConversation: 200,
      storedBytes: 2 * 2 ** 20,
      files: 7,
    })
    expect(config.auth).toMatchObject({ accessTokenTtlSeconds: 900 })
    expect(() => loadConfig({ PARLEY_ACCESS_TOKEN_TTL: '3600' })).toThrow(/PARLEY_ACCESS_TOKEN_TTL/)
    expect(() => loadConfig({ PARLEY_QUOTA_STORED_MB: '0' })).toThrow(/PARLEY_QUOTA_STORED_MB/)
  })

  it('sizes the embedded database cache to its data unless told, within what PGlite holds', () => {
    expect(loadConfig({}).database).toMatchObject({ kind: 'pglite', cacheMb: undefined })
    expect(loadConfig({ PARLEY_DB_CACHE_MB: '512' }).database).toMatchObject({ cacheMb: 512 })
    expect(() => loadConfig({ PARLEY_DB_CACHE_MB: '4096' })).toThrow(/PARLEY_DB_CACHE_MB/)
    expect(() => loadConfig({ PARLEY_DB_CACHE_MB: '1.5' })).toThrow(/PARLEY_DB_CACHE_MB/)
  })

  it('switches to Supabase with a project URL and its database', () => {
    const config = loadConfig({
      SUPABASE_URL: 'https://abc.supabase.co/',
      DATABASE_URL: 'postgres://user:pw@pooler.supabase.com:6543/postgres',
      CORS_ORIGINS: 'https://chat.example.com, https://admin.example.com',
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

  it('keeps activity and error logs 90 days unless told otherwise, and refuses a bad number', () => {
    expect(loadConfig({})).toMatchObject({ logRetentionDays: 90, logFlushMs: 1000 })
    expect(loadConfig({ PARLEY_LOG_RETENTION_DAYS: '30' }).logRetentionDays).toBe(30)
    expect(() => loadConfig({ PARLEY_LOG_RETENTION_DAYS: '0' })).toThrow(
      /PARLEY_LOG_RETENTION_DAYS/,
    )
    expect(() => loadConfig({ PARLEY_LOG_RETENTION_DAYS: 'forever' })).toThrow(
      /PARLEY_LOG_RETENTION_DAYS/,
    )
  })

  it('requires the project database in Supabase mode', () => {
    expect(() => loadConfig({ SUPABASE_URL: 'https://abc.supabase.co' })).toThrow(/DATABASE_URL/)
    expect(() =>
      loadConfig({ SUPABASE_JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://h/db' }),
    ).toThrow(/SUPABASE_JWT_SECRET: needs SUPABASE_URL/)
  })

  it('closes sign-ups as asked, and refuses settings that contradict each other', () => {
    expect(loadConfig({ PARLEY_SIGNUP: 'closed' }).auth).toMatchObject({
      signup: { mode: 'closed' },
    })
    expect(
      loadConfig({ PARLEY_SIGNUP: 'domains', PARLEY_SIGNUP_DOMAINS: 'Team.example, ops.example' })
        .auth,
    ).toMatchObject({ signup: { mode: 'domains', domains: ['team.example', 'ops.example'] } })
    expect(() => loadConfig({ PARLEY_SIGNUP: 'domains' })).toThrow(/PARLEY_SIGNUP_DOMAINS/)
    expect(() => loadConfig({ PARLEY_SIGNUP: 'sometimes' })).toThrow(/PARLEY_SIGNUP/)
    expect(() =>
      loadConfig({
        SUPABASE_URL: 'https://abc.supabase.co',
        DATABASE_URL: 'postgres://h/db',
        PARLEY_SIGNUP: 'invite',
      }),
    ).toThrow(/PARLEY_SIGNUP: applies to the embedded auth only/)
  })

  it('reads the default budget in exact micro-dollars, unlimited when unset', () => {
    expect(loadConfig({}).budget).toEqual({ limitMicroUsd: null, period: 'monthly' })
    expect(
      loadConfig({ PARLEY_DEFAULT_BUDGET_USD: '7.10', PARLEY_BUDGET_PERIOD: 'weekly' }).budget,
    ).toEqual({ limitMicroUsd: 7_100_000, period: 'weekly' })
    expect(() => loadConfig({ PARLEY_DEFAULT_BUDGET_USD: '-5' })).toThrow(
      /PARLEY_DEFAULT_BUDGET_USD/,
    )
    expect(() => loadConfig({ PARLEY_BUDGET_PERIOD: 'yearly' })).toThrow(/PARLEY_BUDGET_PERIOD/)
  })

  it('no longer makes admins from a list of emails, and says what replaced it', () => {
    expect(() => loadConfig({ PARLEY_ADMIN_EMAILS: 'boss@example.com' })).toThrow(
      /PARLEY_ADMIN_EMAILS: is no longer read.*PARLEY_BOOTSTRAP_ADMIN_TOKEN/,
    )
    expect(() => loadConfig({ PARLEY_BOOTSTRAP_ADMIN_TOKEN: 'short' })).toThrow(
      /PARLEY_BOOTSTRAP_ADMIN_TOKEN: must be at least 16/,
    )
    expect(loadConfig({ PARLEY_ALLOW_ANONYMOUS: 'true' }).allowAnonymous).toBe(true)
    expect(() => loadConfig({ PARLEY_ALLOW_ANONYMOUS: 'maybe' })).toThrow(/PARLEY_ALLOW_ANONYMOUS/)
  })

  it('traces only with an OTLP endpoint, and never echoes a bad collector header', () => {
    expect(loadConfig({ OTEL_SERVICE_NAME: 'ignored-alone' }).tracing).toBeUndefined()
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, x-team = core',
      }).tracing,
    ).toEqual({
      endpoint: 'https://collector.example.com:4318',
      headers: { 'x-api-key': 'abc==', 'x-team': 'core' },
      serviceName: 'parley-api',
    })
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    )
    const bad = () => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'a-secret-without-a-name' })
    expect(bad).toThrow(/OTEL_EXPORTER_OTLP_HEADERS: must be a comma-separated list/)
    expect(bad).not.toThrow(/a-secret-without-a-name/)
  })
})

describe('files and semantic search', () => {
  it('keeps originals in the data folder and takes 25 MB uploads by default', () => {
    const config = loadConfig({ PARLEY_DATA_DIR: '/srv/parley' })
    expect(config.maxUploadBytes).toBe(25 * 2 ** 20)
    expect(config.storage).toEqual({ kind: 'local', directory: path.join('/srv/parley', 'files') })
    expect(loadConfig({ PARLEY_MAX_UPLOAD_MB: '5' }).maxUploadBytes).toBe(5 * 2 ** 20)
    expect(() => loadConfig({ PARLEY_MAX_UPLOAD_MB: '0' })).toThrow(/PARLEY_MAX_UPLOAD_MB/)
  })

  it('keeps originals in a bucket, with keys or the SDK’s own credentials', () => {
    expect(
      loadConfig({
        PARLEY_STORAGE: 's3',
        PARLEY_S3_BUCKET: 'parley-files',
        PARLEY_S3_ENDPOINT: 'https://abc.supabase.co/storage/v1/s3',
        PARLEY_S3_REGION: 'eu-west-2',
        PARLEY_S3_ACCESS_KEY_ID: 'id',
        PARLEY_S3_SECRET_ACCESS_KEY: 'secret',
        PARLEY_S3_FORCE_PATH_STYLE: 'true',
      }).storage,
    ).toEqual({
      kind: 's3',
      bucket: 'parley-files',
      endpoint: 'https://abc.supabase.co/storage/v1/s3',
      region: 'eu-west-2',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: true,
    })
    expect(loadConfig({ PARLEY_STORAGE: 's3', PARLEY_S3_BUCKET: 'b' }).storage).toMatchObject({
      endpoint: undefined,
      region: 'us-east-1',
      credentials: undefined,
    })
    expect(() => loadConfig({ PARLEY_STORAGE: 's3' })).toThrow(/PARLEY_S3_BUCKET: is required/)
    expect(() =>
      loadConfig({ PARLEY_STORAGE: 's3', PARLEY_S3_BUCKET: 'b', PARLEY_S3_ACCESS_KEY_ID: 'id' }),
    ).toThrow(/PARLEY_S3_SECRET_ACCESS_KEY/)
    expect(() => loadConfig({ PARLEY_STORAGE: 'ftp' })).toThrow(/PARLEY_STORAGE/)
  })

  it('turns semantic search on with an embeddings endpoint or OpenAI’s own, and off otherwise', () => {
    expect(loadConfig({}).embeddings).toBeUndefined()
    expect(loadConfig({ OPENAI_API_KEY: 'sk-test' }).embeddings).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-test',
      model: 'text-embedding-3-small',
      dimensions: undefined,
      microUsdPerMTok: undefined,
      messages: true,
    })
    // A compatible chat server may serve no embeddings: not assumed.
    expect(
      loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://localhost:11434/v1' }).embeddings,
    ).toBeUndefined()
    expect(
      loadConfig({
        OPENAI_API_KEY: 'sk-test',
        PARLEY_EMBEDDINGS_URL: 'http://localhost:11434/v1/',
        PARLEY_EMBEDDINGS_API_KEY: 'ollama',
        PARLEY_EMBEDDINGS_MODEL: 'nomic-embed-text',
        PARLEY_EMBEDDINGS_DIMENSIONS: '768',
        PARLEY_EMBEDDINGS_USD_PER_MTOK: '0',
        PARLEY_EMBED_MESSAGES: 'false',
      }).embeddings,
    ).toEqual({
      baseUrl: 'http://localhost:11434/v1',
      apiKey: 'ollama',
      model: 'nomic-embed-text',
      dimensions: 768,
      microUsdPerMTok: 0,
      messages: false,
    })
    expect(() => loadConfig({ PARLEY_EMBEDDINGS_DIMENSIONS: 'many' })).toThrow(
      /PARLEY_EMBEDDINGS_DIMENSIONS/,
    )
    expect(() => loadConfig({ PARLEY_EMBEDDINGS_USD_PER_MTOK: 'free' })).toThrow(
      /PARLEY_EMBEDDINGS_USD_PER_MTOK/,
    )
  })
})

describe('the configuration guide', () => {
  it('documents every variable the server reads', () => {
    const guide = readFileSync(
      path.join(import.meta.dirname, '../../../docs/configuration.md'),
      'utf8',
    )
    // Retired: read only to stop the server with a pointer to what replaced it.
    const retired = new Set(['PARLEY_ADMIN_EMAILS'])
    const undocumented = Object.keys(envSchema.shape).filter(
      (name) => !retired.has(name) && !guide.includes(`\`${name}\``),
    )
    expect(undocumented).toEqual([])
  })
})
