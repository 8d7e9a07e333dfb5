import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BudgetDefaults, Quotas } from '@parley/db'
import { usdToMicros } from '@parley/llm'
import { z } from 'zod'
import type { SignupPolicy } from './auth-local/signup-policy.ts'
import { parseTrustedProxies, type TrustedProxies } from './client-address.ts'
import type { TracingSettings } from './observability/tracing.ts'

/** The repository root: default home of the data folder and the built SPA. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional()

const optionalUrl = (what: string) =>
  optionalString.pipe(
    z
      .url({ protocol: /^https?$/, message: `must be an http(s) URL (${what})` })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  )

const list = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )

/** A flag: true or 1, false or 0, or unset (also when empty). */
const flagOrUnset = z
  .enum(['true', 'false', '1', '0', ''], { message: 'must be true or false' })
  .optional()
  .transform((value) =>
    value === '' || value === undefined ? undefined : value === 'true' || value === '1',
  )

/** A flag that is off unless set to true (or 1). */
const flag = flagOrUnset.transform((value) => value ?? false)

/** A flag that is on unless set to false (or 0). */
const flagOn = flagOrUnset.transform((value) => value ?? true)

const positiveInt = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback)

/** A whole number from `min` to `max`, or unset (also when empty). */
const optionalWholeNumber = (min: number, max: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional(),
  )

const trustedProxies = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const parsed = parseTrustedProxies(value)
    if (typeof parsed !== 'string') return parsed
    ctx.addIssue({ code: 'custom', message: parsed })
    return z.NEVER
  })

const compatibleEndpoints = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value?.trim()) return []
    try {
      return JSON.parse(value) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of endpoints' })
      return z.NEVER
    }
  })
  .pipe(
    z.array(
      z.looseObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
        baseUrl: z.url({ protocol: /^https?$/ }),
        apiKey: z.string().optional(),
        maxTokensParam: z.enum(['max_completion_tokens', 'max_tokens']).optional(),
        models: z.array(z.record(z.string(), z.unknown())).min(1),
      }),
    ),
  )

const fallbackChains = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value?.trim()) return undefined
    try {
      return JSON.parse(value) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of model id -> [model ids]' })
      return z.NEVER
    }
  })
  .pipe(z.record(z.string(), z.array(z.string())).optional())

/** Per-user and per-address limits, shared by every instance on the database. */
export interface LimitSettings {
  /** Authenticated API requests per user per minute. */
  requestsPerMinute: number
  /** Chat turns (send or regenerate) per user per minute. */
  turnsPerMinute: number
  /** Auth server requests (sign-up, sign-in, refresh) per client address per minute. */
  authRequestsPerMinute: number
  /** Failed sign-ins per (email, address) that cost no wait; then 1 s, 2 s, 4 s, ... */
  signIn: { freeFailures: number; maxDelaySeconds: number }
}

export const defaultLimits: LimitSettings = {
  requestsPerMinute: 300,
  turnsPerMinute: 20,
  authRequestsPerMinute: 60,
  signIn: { freeFailures: 5, maxDelaySeconds: 300 },
}

/** A private ES256 key as a JWK: what `pnpm --filter @parley/api new-signing-key` prints. */
const privateEs256Jwk = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).max(200),
})

/** One private key, or a list whose first signs and all verify (rotation). */
const signingKeys = optionalString.pipe(
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'must be JSON: a private ES256 JWK or a list of them',
        })
        return z.NEVER
      }
    })
    .pipe(
      z.union([
        privateEs256Jwk.transform((key) => [key]),
        z.array(privateEs256Jwk).min(1, 'must hold at least one key'),
      ]),
    )
    .optional(),
)

/** `key=value,key2=value2`, values percent-encoded (the OpenTelemetry format); never echoed back. */
const otlpHeaders = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const headers: Record<string, string> = {}
    for (const pair of (value ?? '').split(',')) {
      if (!pair.trim()) continue
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      try {
        if (at < 1 || !name) throw new Error('no name')
        headers[name] = decodeURIComponent(pair.slice(at + 1).trim())
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of name=value' })
        return z.NEVER
      }
    }
    return headers
  })

/** Every environment variable Parley reads. Documented, with defaults, in docs/configuration.md. */
export const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    PARLEY_DATA_DIR: optionalString,
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    ),
    DATABASE_POOL_SIZE: positiveInt(10, 200),
    PARLEY_DB_CACHE_MB: optionalWholeNumber(16, 1024),
    SUPABASE_URL: optionalUrl('your project URL, e.g. https://abc.supabase.co'),
    SUPABASE_JWT_SECRET: optionalString.pipe(
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    SUPABASE_SERVICE_ROLE_KEY: optionalString,
    CORS_ORIGINS: list.pipe(
      z.array(
        z.url({ protocol: /^https?$/, message: 'must be a comma-separated list of origins' }),
      ),
    ),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    PARLEY_LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl('an OpenAI-compatible base URL ending in /v1'),
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalUrl('the Anthropic API origin'),
    PARLEY_OPENAI_COMPATIBLE: compatibleEndpoints,
    PARLEY_LLM_FALLBACKS: fallbackChains,
    PARLEY_AUTO_SMALL_MODEL: optionalString,
    PARLEY_AUTO_STRONG_MODEL: optionalString,
    PARLEY_LLM_MAX_ATTEMPTS: positiveInt(3, 10),
    PARLEY_LLM_TTFT_TIMEOUT_MS: positiveInt(30_000, 600_000),
    PARLEY_LLM_DEADLINE_MS: positiveInt(60_000, 900_000),
    PARLEY_LLM_RETRY_AFTER_CAP_MS: positiveInt(10_000, 600_000),
    PARLEY_LLM_CIRCUIT_FAILURES: positiveInt(5, 1_000),
    PARLEY_LLM_CIRCUIT_COOLDOWN_MS: positiveInt(30_000, 3_600_000),
    PARLEY_DEFAULT_MODEL: optionalString,
    PARLEY_ADMIN_EMAILS: optionalString,
    PARLEY_BOOTSTRAP_ADMIN_TOKEN: optionalString.pipe(
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    PARLEY_AUTH_SIGNING_KEYS: signingKeys,
    PARLEY_METRICS_TOKEN: optionalString.pipe(
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    PARLEY_SIGNUP: optionalString.pipe(z.enum(['open', 'domains', 'invite', 'closed']).optional()),
    PARLEY_SIGNUP_DOMAINS: list.pipe(
      z.array(
        z
          .string()
          .toLowerCase()
          .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a comma-separated list of domains'),
      ),
    ),
    PARLEY_REFRESH_TOKEN_REUSE_INTERVAL: z.coerce.number().int().min(0).max(300).default(10),
    PARLEY_ALLOW_ANONYMOUS: flag,
    PARLEY_WEB_DIST: optionalString,
    // Short, because a token stays valid after sign-out or ban until it expires (see docs/security.md).
    PARLEY_ACCESS_TOKEN_TTL: positiveInt(600, 900),
    PARLEY_QUOTA_CONVERSATIONS: positiveInt(10_000, 10_000_000),
    PARLEY_QUOTA_MESSAGES_PER_CONVERSATION: positiveInt(5_000, 10_000_000),
    PARLEY_QUOTA_STORED_MB: positiveInt(500, 10_000_000),
    PARLEY_QUOTA_FILES: positiveInt(1_000, 10_000_000),
    PARLEY_MAX_CONCURRENT_STREAMS: positiveInt(3, 100),
    PARLEY_EARLY_CALLS: flagOrUnset,
    PARLEY_DEMO_TOKENS_PER_SECOND: positiveInt(40, 100_000),
    PARLEY_LOG_RETENTION_DAYS: positiveInt(90, 3650),
    PARLEY_LOG_FLUSH_MS: positiveInt(1_000, 600_000),
    PARLEY_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    PARLEY_REATTACH_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    PARLEY_DEFAULT_BUDGET_USD: optionalString.pipe(
      z
        .string()
        .regex(/^\d{1,9}(\.\d{1,6})?$/, 'must be a USD amount such as 20 or 7.50')
        .optional(),
    ),
    PARLEY_BUDGET_PERIOD: optionalString.pipe(z.enum(['monthly', 'weekly', 'daily']).optional()),
    PARLEY_RATE_LIMIT_REQUESTS: positiveInt(defaultLimits.requestsPerMinute, 1_000_000),
    PARLEY_RATE_LIMIT_TURNS: positiveInt(defaultLimits.turnsPerMinute, 100_000),
    PARLEY_RATE_LIMIT_AUTH: positiveInt(defaultLimits.authRequestsPerMinute, 1_000_000),
    PARLEY_SIGNIN_FREE_FAILURES: positiveInt(defaultLimits.signIn.freeFailures, 100),
    PARLEY_SIGNIN_MAX_DELAY: positiveInt(defaultLimits.signIn.maxDelaySeconds, 86_400),
    PARLEY_TRUSTED_PROXIES: trustedProxies,
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl('an OTLP/HTTP collector, e.g. http://localhost:4318'),
    OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders,
    OTEL_SERVICE_NAME: z.string().trim().min(1).default('parley-api'),
    PARLEY_MAX_UPLOAD_MB: positiveInt(25, 1_024),
    PARLEY_FILE_LEASE_SECONDS: positiveInt(30, 3_600),
    PARLEY_MAX_FILES_WAITING: positiveInt(20, 10_000),
    PARLEY_STORAGE: z.enum(['local', 's3']).default('local'),
    PARLEY_S3_BUCKET: optionalString,
    PARLEY_S3_ENDPOINT: optionalUrl('the S3-compatible endpoint; empty for AWS'),
    PARLEY_S3_REGION: optionalString,
    PARLEY_S3_ACCESS_KEY_ID: optionalString,
    PARLEY_S3_SECRET_ACCESS_KEY: optionalString,
    PARLEY_S3_FORCE_PATH_STYLE: flag,
    PARLEY_EMBEDDINGS_URL: optionalUrl('an OpenAI-compatible base URL ending in /v1'),
    PARLEY_EMBEDDINGS_API_KEY: optionalString,
    PARLEY_EMBED_MESSAGES: flagOn,
    PARLEY_EMBEDDINGS_MODEL: z.string().trim().min(1).default('text-embedding-3-small'),
    PARLEY_EMBEDDINGS_USD_PER_MTOK: optionalString.pipe(
      z
        .string()
        .regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a USD amount such as 0.02 or 0')
        .optional(),
    ),
    PARLEY_EMBEDDINGS_DIMENSIONS: optionalWholeNumber(1, 16_000),
  })
  .superRefine((env, ctx) => {
    for (const issue of authIssues(env)) ctx.addIssue({ code: 'custom', ...issue })
    if (env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_JWT_SECRET'],
        message: 'needs SUPABASE_URL (the issuer of the tokens it verifies)',
      })
    }
    if (env.SUPABASE_SERVICE_ROLE_KEY && !env.SUPABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_SERVICE_ROLE_KEY'],
        message: 'needs SUPABASE_URL (the project whose users it manages)',
      })
    }
    for (const issue of storageIssues(env)) ctx.addIssue({ code: 'custom', ...issue })
    if (env.SUPABASE_URL && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required with SUPABASE_URL (the project database, through its pooler)',
      })
    }
  })

type ParsedEnv = {
  [K in 'SUPABASE_URL' | 'PARLEY_ADMIN_EMAILS' | 'PARLEY_BOOTSTRAP_ADMIN_TOKEN']?:
    | string
    | undefined
} & { PARLEY_SIGNUP?: SignupPolicy['mode'] | undefined; PARLEY_SIGNUP_DOMAINS: string[] }

/** Sign-up and admin settings that contradict each other or the mode. */
function authIssues(env: ParsedEnv): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = []
  if (env.PARLEY_ADMIN_EMAILS) {
    issues.push({
      path: ['PARLEY_ADMIN_EMAILS'],
      message:
        'is no longer read: an email address proves nothing. Unset it; a signed-in user becomes admin by presenting PARLEY_BOOTSTRAP_ADMIN_TOKEN to POST /api/v1/admin/claim (see docs/security.md)',
    })
  }
  if (env.PARLEY_SIGNUP === 'domains' && env.PARLEY_SIGNUP_DOMAINS.length === 0) {
    issues.push({
      path: ['PARLEY_SIGNUP_DOMAINS'],
      message: 'is required with PARLEY_SIGNUP=domains',
    })
  }
  if (env.SUPABASE_URL) {
    for (const name of ['PARLEY_SIGNUP', 'PARLEY_BOOTSTRAP_ADMIN_TOKEN'] as const) {
      if (env[name]) {
        issues.push({
          path: [name],
          message:
            'applies to the embedded auth only: with SUPABASE_URL, use the Supabase dashboard',
        })
      }
    }
  }
  return issues
}

/** S3 settings without a bucket to use them on, or half a key pair. */
function storageIssues(env: {
  PARLEY_STORAGE: 'local' | 's3'
  PARLEY_S3_BUCKET?: string | undefined
  PARLEY_S3_ACCESS_KEY_ID?: string | undefined
  PARLEY_S3_SECRET_ACCESS_KEY?: string | undefined
}): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = []
  if (env.PARLEY_STORAGE === 's3' && !env.PARLEY_S3_BUCKET) {
    issues.push({ path: ['PARLEY_S3_BUCKET'], message: 'is required with PARLEY_STORAGE=s3' })
  }
  if (Boolean(env.PARLEY_S3_ACCESS_KEY_ID) !== Boolean(env.PARLEY_S3_SECRET_ACCESS_KEY)) {
    issues.push({
      path: ['PARLEY_S3_SECRET_ACCESS_KEY'],
      message:
        'and PARLEY_S3_ACCESS_KEY_ID go together (or leave both unset for the SDK’s default credentials)',
    })
  }
  return issues
}

export type Env = z.output<typeof envSchema>

/** Where uploaded originals are kept. */
export type StorageSettings =
  | { kind: 'local'; directory: string }
  | {
      kind: 's3'
      bucket: string
      /** Unset: AWS itself. */
      endpoint: string | undefined
      region: string
      /** Unset: the SDK's default credential chain (environment, profile, instance role). */
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined
      forcePathStyle: boolean
    }

/** The OpenAI-compatible embeddings endpoint; absent: files are found by keyword only. */
export interface EmbeddingSettings {
  baseUrl: string
  apiKey: string
  model: string
  dimensions: number | undefined
  /** The model's price per million input tokens; unset: the built-in price of a known model. */
  microUsdPerMTok: number | undefined
  /**
   * Messages embedded after their turn, for semantic search over conversations (default on);
   * off: only files are embedded, and each question only when the conversation reads files.
   */
  messages: boolean
}

export interface Config {
  port: number
  host: string
  mode: 'embedded' | 'supabase'
  dataDir: string
  /** `cacheMb` unset: the embedded database's cache is sized to its data at each start. */
  database:
    | { kind: 'pglite'; dataDir: string; cacheMb: number | undefined }
    | { kind: 'postgres'; url: string; poolSize: number }
  auth:
    | {
        kind: 'local'
        accessTokenTtlSeconds: number
        refreshTokenReuseSeconds: number
        signup: SignupPolicy
        bootstrapAdminToken: string | undefined
        /** Shared by every instance when set; otherwise a key kept in the data folder. */
        signingKeys: NonNullable<Env['PARLEY_AUTH_SIGNING_KEYS']> | undefined
      }
    | {
        kind: 'supabase'
        url: string
        jwtSecret: string | undefined
        /** Used only by the admin user routes (Supabase Auth's admin API); unset: they refuse. */
        serviceRoleKey: string | undefined
      }
  /** Accept tokens of Supabase anonymous users (`is_anonymous: true`). */
  allowAnonymous: boolean
  corsOrigins: string[]
  logLevel: Env['LOG_LEVEL']
  /** The bearer token of `/metrics`; metrics are off without it. */
  metricsToken: string | undefined
  /** Where OpenTelemetry traces go; traces are off without it. */
  tracing: TracingSettings | undefined
  /** `auto`: pretty lines when standard output is a terminal, JSON lines otherwise. */
  logFormat: Env['PARLEY_LOG_FORMAT']
  providers: {
    openai: { apiKey: string | undefined; baseUrl: string | undefined }
    anthropic: { apiKey: string | undefined; baseUrl: string | undefined }
    compatible: Env['PARLEY_OPENAI_COMPATIBLE']
    demoTokensPerSecond: number
  }
  fallbacks: Record<string, string[]> | undefined
  routing: {
    auto: { small?: string; strong?: string }
    retry: {
      maxAttempts: number
      ttftTimeoutMs: number
      deadlineMs: number
      retryAfterCapMs: number
    }
    circuit: { failureThreshold: number; cooldownMs: number }
  }
  defaultModel: string | undefined
  webDist: string
  maxConcurrentStreams: number
  /**
   * A send that names the reply this instance stored last may start its model call before its
   * turn is stored (kept only when the stored thread asks for the same request). On by default
   * with Postgres, off embedded.
   */
  earlyCalls: boolean
  /** Per-user limits the database enforces as it writes. */
  quotas: Quotas
  /** On SIGTERM/SIGINT, how long live replies may take to finish before they are stopped. */
  shutdownGraceMs: number
  /** How long a reply whose page went away goes on, for a reloaded page to follow it again. */
  reattachGraceMs: number
  /** The team's default spend limit per user (null: unlimited) and its period. */
  budget: BudgetDefaults
  limits: LimitSettings
  trustedProxies: TrustedProxies
  /** Activity and error log rows older than this many days are purged (once a day). */
  logRetentionDays: number
  /** How long activity and error rows may wait in memory before they are written. */
  logFlushMs: number
  /** Largest file `POST /files` accepts, in bytes. */
  maxUploadBytes: number
  /** How long a server's claim on a file it reads holds unrenewed (others take it over after). */
  fileLeaseSeconds: number
  /** Files one user may have waiting to be read (`processing`); one more upload gets `429`. */
  maxFilesWaiting: number
  storage: StorageSettings
  /** Semantic search is on when set (see `embeddingSettings`). */
  embeddings: EmbeddingSettings | undefined
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Reads and validates the environment; a bad value throws a `ConfigError` naming the variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || 'environment'}: ${issue.message}`,
    )
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const env = parsed.data
  const dataDir = path.resolve(env.PARLEY_DATA_DIR ?? path.join(repoRoot, '.data'))
  return {
    port: env.PORT,
    host: env.HOST,
    mode: env.SUPABASE_URL ? 'supabase' : 'embedded',
    dataDir,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
      : {
          kind: 'pglite',
          dataDir: path.join(dataDir, 'pgdata'),
          cacheMb: env.PARLEY_DB_CACHE_MB,
        },
    auth: env.SUPABASE_URL
      ? {
          kind: 'supabase',
          url: env.SUPABASE_URL,
          jwtSecret: env.SUPABASE_JWT_SECRET,
          serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
        }
      : {
          kind: 'local',
          accessTokenTtlSeconds: env.PARLEY_ACCESS_TOKEN_TTL,
          refreshTokenReuseSeconds: env.PARLEY_REFRESH_TOKEN_REUSE_INTERVAL,
          signup: signupPolicy(env),
          bootstrapAdminToken: env.PARLEY_BOOTSTRAP_ADMIN_TOKEN,
          signingKeys: env.PARLEY_AUTH_SIGNING_KEYS,
        },
    allowAnonymous: env.PARLEY_ALLOW_ANONYMOUS,
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    logFormat: env.PARLEY_LOG_FORMAT,
    metricsToken: env.PARLEY_METRICS_TOKEN,
    tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
          headers: env.OTEL_EXPORTER_OTLP_HEADERS,
          serviceName: env.OTEL_SERVICE_NAME,
        }
      : undefined,
    providers: {
      openai: { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL },
      anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL },
      compatible: env.PARLEY_OPENAI_COMPATIBLE,
      demoTokensPerSecond: env.PARLEY_DEMO_TOKENS_PER_SECOND,
    },
    fallbacks: env.PARLEY_LLM_FALLBACKS,
    routing: {
      auto: {
        ...(env.PARLEY_AUTO_SMALL_MODEL ? { small: env.PARLEY_AUTO_SMALL_MODEL } : {}),
        ...(env.PARLEY_AUTO_STRONG_MODEL ? { strong: env.PARLEY_AUTO_STRONG_MODEL } : {}),
      },
      retry: {
        maxAttempts: env.PARLEY_LLM_MAX_ATTEMPTS,
        ttftTimeoutMs: env.PARLEY_LLM_TTFT_TIMEOUT_MS,
        deadlineMs: env.PARLEY_LLM_DEADLINE_MS,
        retryAfterCapMs: env.PARLEY_LLM_RETRY_AFTER_CAP_MS,
      },
      circuit: {
        failureThreshold: env.PARLEY_LLM_CIRCUIT_FAILURES,
        cooldownMs: env.PARLEY_LLM_CIRCUIT_COOLDOWN_MS,
      },
    },
    defaultModel: env.PARLEY_DEFAULT_MODEL,
    webDist: path.resolve(env.PARLEY_WEB_DIST ?? path.join(repoRoot, 'apps/web/dist')),
    quotas: {
      conversations: env.PARLEY_QUOTA_CONVERSATIONS,
      messagesPerConversation: env.PARLEY_QUOTA_MESSAGES_PER_CONVERSATION,
      storedBytes: env.PARLEY_QUOTA_STORED_MB * 1024 * 1024,
      files: env.PARLEY_QUOTA_FILES,
    },
    maxConcurrentStreams: env.PARLEY_MAX_CONCURRENT_STREAMS,
    // Unset: on with Postgres. Embedded, PGlite holds the event loop while it stores the turn,
    // so the early request goes out no sooner (measured by `pnpm bench early-calls`).
    earlyCalls: env.PARLEY_EARLY_CALLS ?? Boolean(env.DATABASE_URL),
    shutdownGraceMs: env.PARLEY_SHUTDOWN_GRACE_MS,
    reattachGraceMs: env.PARLEY_REATTACH_GRACE_MS,
    budget: {
      limitMicroUsd:
        env.PARLEY_DEFAULT_BUDGET_USD === undefined
          ? null
          : usdToMicros(env.PARLEY_DEFAULT_BUDGET_USD),
      period: env.PARLEY_BUDGET_PERIOD ?? 'monthly',
    },
    limits: {
      requestsPerMinute: env.PARLEY_RATE_LIMIT_REQUESTS,
      turnsPerMinute: env.PARLEY_RATE_LIMIT_TURNS,
      authRequestsPerMinute: env.PARLEY_RATE_LIMIT_AUTH,
      signIn: {
        freeFailures: env.PARLEY_SIGNIN_FREE_FAILURES,
        maxDelaySeconds: env.PARLEY_SIGNIN_MAX_DELAY,
      },
    },
    trustedProxies: env.PARLEY_TRUSTED_PROXIES,
    logRetentionDays: env.PARLEY_LOG_RETENTION_DAYS,
    logFlushMs: env.PARLEY_LOG_FLUSH_MS,
    maxUploadBytes: env.PARLEY_MAX_UPLOAD_MB * 1024 * 1024,
    fileLeaseSeconds: env.PARLEY_FILE_LEASE_SECONDS,
    maxFilesWaiting: env.PARLEY_MAX_FILES_WAITING,
    storage: storageSettings(env, dataDir),
    embeddings: embeddingSettings(env),
  }
}

function storageSettings(env: Env, dataDir: string): StorageSettings {
  if (env.PARLEY_STORAGE === 'local')
    return { kind: 'local', directory: path.join(dataDir, 'files') }
  const { PARLEY_S3_ACCESS_KEY_ID: accessKeyId, PARLEY_S3_SECRET_ACCESS_KEY: secretAccessKey } = env
  return {
    kind: 's3',
    bucket: env.PARLEY_S3_BUCKET ?? '',
    endpoint: env.PARLEY_S3_ENDPOINT,
    // S3-compatible services (Supabase Storage, GCS) accept any region name; AWS needs the bucket's.
    region: env.PARLEY_S3_REGION ?? 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: env.PARLEY_S3_FORCE_PATH_STYLE,
  }
}

/**
 * Semantic search is on with an explicit embeddings endpoint, or with an OpenAI key aimed at
 * OpenAI itself (a compatible chat server behind OPENAI_BASE_URL may serve no embeddings).
 */
function embeddingSettings(env: Env): EmbeddingSettings | undefined {
  const apiKey = env.PARLEY_EMBEDDINGS_API_KEY ?? env.OPENAI_API_KEY
  const baseUrl =
    env.PARLEY_EMBEDDINGS_URL ??
    (env.OPENAI_API_KEY && !env.OPENAI_BASE_URL ? 'https://api.openai.com/v1' : undefined)
  if (!baseUrl) return undefined
  return {
    baseUrl,
    // Local servers (Ollama, vLLM) take any key; the SDK insists on one.
    apiKey: apiKey ?? 'unused',
    model: env.PARLEY_EMBEDDINGS_MODEL,
    dimensions: env.PARLEY_EMBEDDINGS_DIMENSIONS,
    microUsdPerMTok:
      env.PARLEY_EMBEDDINGS_USD_PER_MTOK === undefined
        ? undefined
        : usdToMicros(env.PARLEY_EMBEDDINGS_USD_PER_MTOK),
    messages: env.PARLEY_EMBED_MESSAGES,
  }
}

function signupPolicy(env: Env): SignupPolicy {
  const mode = env.PARLEY_SIGNUP ?? 'open'
  return mode === 'domains' ? { mode, domains: env.PARLEY_SIGNUP_DOMAINS } : { mode }
}
