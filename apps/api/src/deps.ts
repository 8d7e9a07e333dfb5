import type { Tracer } from '@opentelemetry/api'
import {
  type BudgetDefaults,
  createDatabase,
  type Database,
  listModelConfigs,
  prepareDatabase,
  readModelCatalogVersion,
  seedModelConfigs,
} from '@parley/db'
import { DocumentReader, type ExtractLimits } from '@parley/documents'
import {
  CatalogError,
  catalog,
  createEmbedder,
  createProviders,
  defaultFallbacks,
  demoModel,
  type Embedder,
  type ModelSpec,
  type ProvidersConfig,
  type RouterOptions,
  specToRow,
} from '@parley/llm'
import type { Logger } from 'pino'
import packageJson from '../package.json' with { type: 'json' }
import { createTokenVerifier, type TokenVerifier } from './auth/verify-token.ts'
import { BootstrapAdminToken } from './auth-local/bootstrap-admin.ts'
import type { LocalAuthSettings } from './auth-local/sessions.ts'
import {
  loadOrCreateSigningKey,
  type SigningKey,
  signingKeyFromConfig,
} from './auth-local/signing-key.ts'
import type { SignupPolicy } from './auth-local/signup-policy.ts'
import type { TrustedProxies } from './client-address.ts'
import { type Config, ConfigError, defaultLimits, type LimitSettings } from './config.ts'
import {
  type ActivityEvent,
  createActivityLog,
  createErrorLog,
  type ErrorEvent,
  type RecordedLog,
} from './observability/activity-log.ts'
import type { LogQueueOptions } from './observability/log-queue.ts'
import { createMetrics, type Metrics } from './observability/metrics.ts'
import { providerFailures } from './observability/provider-failures.ts'
import { startBudgetSweeper } from './services/budget-sweeper.ts'
import { CatalogSync } from './services/catalog-sync.ts'
import { budgetAdmission, budgetTitleHold, hasLimit } from './services/chat-turn/admission.ts'
import {
  type ChatTurnDeps,
  type ChatTurns,
  createChatTurns,
  type LikelyTurn,
} from './services/chat-turn/index.ts'
import type { SettleRetry } from './services/chat-turn/pending-settles.ts'
import { createFileIngest, type FileIngest } from './services/file-ingest/index.ts'
import { createFileStorage, type FileStorage } from './services/file-storage/index.ts'
import { startLogPurger } from './services/log-purger.ts'
import {
  createMessageEmbeddings,
  type MessageEmbeddings,
} from './services/message-embeddings/index.ts'
import { createModelDirectory, type ModelDirectory } from './services/model-directory.ts'
import { startOriginalSweeper } from './services/original-sweeper.ts'
import { RateLimiter } from './services/rate-limits.ts'
import { recoverInterruptedReplies } from './services/recovery.ts'
import { ReplyLeases } from './services/reply-leases.ts'
import { retrievalStep } from './services/retrieval.ts'
import { StreamLimiter } from './services/stream-limiter.ts'
import { createSupabaseAdminApi, type SupabaseAdminApi } from './services/supabase-admin-api.ts'
import { startTableUpkeep } from './services/table-upkeep.ts'

/** What `createApp` needs: everything with I/O is built here (or by tests) and passed in. */
export interface AppDeps {
  config: {
    mode: Config['mode']
    corsOrigins: readonly string[]
    /** Origins the SPA may connect to besides its own (the API and auth servers). */
    connectOrigins: readonly string[]
    webDist: string
  }
  version: string
  db: Database
  verifier: TokenVerifier
  /** Present in embedded mode, where this server is also the auth server. */
  localAuth: LocalAuthSettings | undefined
  /** Embedded mode: the secret that makes a signed-in user admin, while there is one. */
  bootstrapAdmin: BootstrapAdminToken | undefined
  /** Supabase mode with SUPABASE_SERVICE_ROLE_KEY: for the admin user routes only. */
  supabaseAdmin: SupabaseAdminApi | undefined
  models: ModelDirectory
  /** Rebuilds `models` when the catalog in the database changed (an admin's edit). */
  catalog: CatalogSync
  turns: ChatTurns
  /** Prometheus series and the token a scraper must present; absent when metrics are off. */
  metrics?: { series: Metrics; token: string } | undefined
  /** The tracer of request spans; absent when traces are off (see `startTracing`). */
  tracer?: Tracer | undefined
  /** On a shared Postgres: this instance's heartbeat on its live replies (started by the server). */
  leases?: ReplyLeases | undefined
  /** The team's default spend limit per user and period (admins override it per user). */
  budget: BudgetDefaults
  limits: LimitSettings
  limiter: RateLimiter
  /** Replies each user streams at once, capped across instances (taken with a turn's rate limits). */
  streams: StreamLimiter
  trustedProxies: TrustedProxies
  /** What people did (sign-ins, conversations, shares, admin changes), written in batches. */
  activity: RecordedLog<ActivityEvent>
  /** Server errors and provider failures, written in batches. */
  errors: RecordedLog<ErrorEvent>
  files: FileDeps
  /** Semantic search over messages: their embeddings, made in the background; absent when off. */
  messageEmbeddings: MessageEmbeddings | undefined
}

/** Uploads, their originals, their reading in the background, and semantic search. */
export interface FileDeps {
  /** Largest file one upload may carry, in bytes. */
  maxUploadBytes: number
  /** Files one user may have waiting to be read; one more upload is refused with `429`. */
  maxFilesWaiting: number
  storage: FileStorage
  ingest: FileIngest
  /** Absent: semantic search is off (keyword matching only). */
  embedder: Embedder | undefined
}

export const embeddedIssuer = 'parley-embedded-auth'

export interface BuildOptions {
  db: Database
  providers: ProvidersConfig
  fallbacks?: Record<string, string[]> | undefined
  defaultModel?: string | undefined
  router?: Partial<Omit<RouterOptions, 'providers' | 'models'>>
  auth:
    | {
        kind: 'local'
        signingKey: SigningKey
        accessTokenTtlSeconds: number
        refreshTokenReuseSeconds?: number
        signup?: SignupPolicy
        bootstrapAdmin?: BootstrapAdminToken | undefined
      }
    | {
        kind: 'supabase'
        url: string
        jwtSecret: string | undefined
        jwksUrl?: string
        /** Supabase Auth's admin API key, for the admin user routes only. */
        serviceRoleKey?: string | undefined
      }
  allowAnonymous?: boolean
  mode: Config['mode']
  corsOrigins?: readonly string[]
  webDist: string
  maxConcurrentStreams: number
  /** Early model calls from held threads (see `Config.earlyCalls`); off unless true. */
  earlyCalls?: boolean
  limits?: LimitSettings | undefined
  trustedProxies?: TrustedProxies | undefined
  /** The clock of rate limits and of token issuance and verification, in ms since the epoch
   * (tests move it instead of waiting). */
  now?: () => number
  /** Prefix of this server's rate limit keys (tests sharing one database keep theirs apart). */
  rateLimitScope?: string
  progressIntervalMs?: number
  titleWaitMs?: number
  /** How long a reply whose reader left goes on for it to come back (default 10 s). */
  reattachGraceMs?: number
  settleRetry?: SettleRetry
  /** Unset: unlimited. */
  budget?: BudgetDefaults
  /** Serves Prometheus metrics at `/metrics` to a scraper presenting this bearer token. */
  metricsToken?: string | undefined
  /** Traces every request (the tracer of a registered provider, see `startTracing`). */
  tracer?: Tracer | undefined
  /** How the activity and error logs batch their writes. */
  logQueue?: LogQueueOptions
  files: {
    /** Default 25 MB. */
    maxUploadBytes?: number
    /** Default 20. */
    maxFilesWaiting?: number
    storage: FileStorage
    /** Absent: semantic search is off. */
    embedder?: Embedder | undefined
    /** With an embedder: messages are embedded too, for search by meaning (default true). */
    embedMessages?: boolean
    /** Limits of the document reader (tests make them small). */
    readerLimits?: Partial<ExtractLimits>
    /** How long a server's claim on a file it reads holds unrenewed; default 30 s. */
    leaseSeconds?: number
  }
}

/**
 * Seeds the model catalog into the (already migrated) database and wires the providers, the
 * router, token verification and the chat turns. Shared by the server and the tests.
 */
export async function buildDeps(options: BuildOptions, logger: Logger): Promise<AppDeps> {
  const { db } = options
  const { models, catalogSync } = await modelDeps(options, logger)
  const { localAuth, verifier } = authDeps(options)
  const auth = options.auth
  const budget = options.budget ?? { limitMicroUsd: null, period: 'monthly' }
  let turns: ChatTurns | undefined
  const budgetOptions = {
    db,
    get models() {
      return models.models
    },
    defaults: budget,
  }
  const activity = createActivityLog(db, logger, options.logQueue)
  const errors = createErrorLog(db, logger, options.logQueue)
  const metrics = options.metricsToken
    ? {
        token: options.metricsToken,
        series: createMetrics({
          openStreams: () => turns?.liveCount ?? 0,
          circuits: () =>
            [...new Set(models.models.map((spec) => spec.provider))].map((provider) => ({
              provider,
              state: models.router.circuitState(provider),
            })),
        }),
      }
    : undefined
  const files = fileDeps(db, options.files, logger)
  const messageEmbeddings =
    files.embedder && options.files.embedMessages !== false
      ? createMessageEmbeddings({ db, embedder: files.embedder, logger })
      : undefined
  const streams = new StreamLimiter({
    db,
    max: options.maxConcurrentStreams,
    ...(options.now ? { now: options.now } : {}),
  })
  turns = createChatTurns(
    chatTurnDeps(
      options,
      {
        models,
        streams,
        budgetOptions,
        files,
        messageEmbeddings,
        onEarlyCall: (outcome) => metrics?.series.earlyCall(outcome),
      },
      (report, ctx) => {
        metrics?.series.turn(report)
        const who = { requestId: ctx.requestId, userId: ctx.claims.sub }
        for (const failure of providerFailures(report, who)) errors.record(failure)
      },
    ),
  )
  return {
    config: {
      mode: options.mode,
      corsOrigins: options.corsOrigins ?? [],
      connectOrigins: auth.kind === 'supabase' ? [auth.url] : [],
      webDist: options.webDist,
    },
    version: packageJson.version,
    db,
    limits: options.limits ?? defaultLimits,
    limiter: new RateLimiter(db, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.rateLimitScope ? { scope: options.rateLimitScope } : {}),
    }),
    trustedProxies: options.trustedProxies ?? { kind: 'none' },
    verifier,
    localAuth,
    bootstrapAdmin: auth.kind === 'local' ? auth.bootstrapAdmin : undefined,
    supabaseAdmin:
      auth.kind === 'supabase' && auth.serviceRoleKey
        ? createSupabaseAdminApi({ url: auth.url, serviceRoleKey: auth.serviceRoleKey })
        : undefined,
    models,
    catalog: catalogSync,
    budget,
    turns,
    streams,
    metrics,
    tracer: options.tracer,
    activity,
    errors,
    files,
    messageEmbeddings,
  }
}

/** The model catalog seeded and read, the providers behind it, and what keeps it in sync. */
async function modelDeps(options: BuildOptions, logger: Logger) {
  const { db } = options
  let setup: ReturnType<typeof createProviders>
  try {
    setup = createProviders(options.providers)
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  PARLEY_OPENAI_COMPATIBLE: ${(error as Error).message}`,
    )
  }
  const seeded = await db.asService((tx) =>
    seedModelConfigs(tx, seedRows([...catalog, ...setup.models, demoModel], options), {
      defaultModelId: options.defaultModel,
    }),
  )
  if (seeded.inserted.length > 0) logger.info({ models: seeded.inserted }, 'model catalog seeded')
  const version = await readModelCatalogVersion(db)
  const models = createModelDirectory({
    rows: await db.asService(listModelConfigs),
    providers: setup.providers,
    configuredProviders: setup.configured,
    defaultModelId: options.defaultModel,
    ...(options.router ? { router: options.router } : {}),
  })
  if (models.demoOnly) {
    logger.warn(
      'no model provider is configured: replies come from the offline demo model. Set OPENAI_API_KEY or ANTHROPIC_API_KEY.',
    )
  }
  return { models, catalogSync: new CatalogSync(db, models, logger, version) }
}

/** The embedded auth's settings (none with Supabase) and the verifier of access tokens. */
function authDeps(options: BuildOptions) {
  const { auth } = options
  const localAuth: LocalAuthSettings | undefined =
    auth.kind === 'local'
      ? {
          signingKey: auth.signingKey,
          issuer: embeddedIssuer,
          accessTokenTtlSeconds: auth.accessTokenTtlSeconds,
          refreshTokenReuseSeconds: auth.refreshTokenReuseSeconds ?? 10,
          signup: auth.signup ?? { mode: 'open' },
          ...(options.now ? { now: options.now } : {}),
        }
      : undefined
  const verifier = createTokenVerifier(
    auth.kind === 'local'
      ? { kind: 'local', jwks: auth.signingKey.jwks, issuer: embeddedIssuer }
      : {
          kind: 'supabase',
          url: auth.url,
          jwtSecret: auth.jwtSecret,
          ...(auth.jwksUrl ? { jwksUrl: auth.jwksUrl } : {}),
        },
    {
      allowAnonymous: options.allowAnonymous ?? false,
      ...(options.now ? { now: options.now } : {}),
    },
  )
  return { localAuth, verifier }
}

/** The chat turn's steps: admission by budget, context from the user's files, and what follows a turn. */
function chatTurnDeps(
  options: BuildOptions,
  parts: {
    models: ModelDirectory
    streams: StreamLimiter
    budgetOptions: Parameters<typeof budgetAdmission>[0]
    files: FileDeps
    messageEmbeddings: MessageEmbeddings | undefined
    onEarlyCall: ChatTurnDeps['onEarlyCall']
  },
  onTurnEnd: ChatTurnDeps['onTurnEnd'],
): ChatTurnDeps {
  const { models, streams, budgetOptions, files, messageEmbeddings, onEarlyCall } = parts
  return {
    db: options.db,
    models,
    streams,
    admission: [budgetAdmission(budgetOptions)],
    titleHold: budgetTitleHold(budgetOptions),
    // No reservation to make and no files to search: the call may start from a held thread.
    ...(options.earlyCalls
      ? {
          mayCallEarly: (turn: LikelyTurn) =>
            !hasLimit(turn.budget, budgetOptions.defaults) &&
            turn.conversation.fileScope.mode === 'none',
        }
      : {}),
    onEarlyCall,
    ...(options.progressIntervalMs ? { progressIntervalMs: options.progressIntervalMs } : {}),
    ...(options.titleWaitMs !== undefined ? { titleWaitMs: options.titleWaitMs } : {}),
    ...(options.reattachGraceMs !== undefined ? { reattachGraceMs: options.reattachGraceMs } : {}),
    ...(options.settleRetry ? { settleRetry: options.settleRetry } : {}),
    context: [retrievalStep({ embedder: files.embedder })],
    // A send's question is embedded ahead only when it is kept as the message's embedding.
    embedder: messageEmbeddings ? files.embedder : undefined,
    onSettled: (ctx, turn, end) => messageEmbeddings?.afterTurn(ctx, turn, end),
    onTurnEnd,
  }
}

function fileDeps(db: Database, options: BuildOptions['files'], logger: Logger): FileDeps {
  const reader = new DocumentReader({
    size: 1,
    ...(options.readerLimits ? { limits: options.readerLimits } : {}),
  })
  return {
    maxUploadBytes: options.maxUploadBytes ?? 25 * 1024 * 1024,
    maxFilesWaiting: options.maxFilesWaiting ?? 20,
    storage: options.storage,
    embedder: options.embedder,
    ingest: createFileIngest(
      { db, storage: options.storage, reader, embedder: options.embedder, logger },
      options.leaseSeconds === undefined ? {} : { leaseSeconds: options.leaseSeconds },
    ),
  }
}

/**
 * The catalog rows configuration seeds: fallback chains (`PARLEY_LLM_FALLBACKS`, else the
 * built-in ones) and `auto` tiers (`PARLEY_AUTO_SMALL_MODEL`/`_STRONG_MODEL`, else the models
 * marked fast or strong) fill only rows where an admin has not set them yet.
 */
function seedRows(specs: readonly ModelSpec[], options: BuildOptions) {
  const chains = options.fallbacks ?? defaultFallbacks
  const auto = options.router?.auto ?? {}
  return specs.map((spec) => {
    const small = auto.small ? auto.small === spec.id : spec.capabilities.fast
    const strong = auto.strong ? auto.strong === spec.id : spec.capabilities.strong
    return {
      ...specToRow(spec),
      fallbacks: (chains[spec.id] ?? []).filter((id) => id !== spec.id),
      autoTiers: [...(small ? ['small' as const] : []), ...(strong ? ['strong' as const] : [])],
    }
  })
}

/**
 * The embedder of semantic search, when an endpoint is configured and the database can keep
 * vectors; otherwise files and messages are found by keyword, and the log says how to change that.
 */
function embedderFor(
  config: Config,
  missingExtensions: readonly string[],
  logger: Logger,
): Embedder | undefined {
  const settings = config.embeddings
  if (!settings) {
    logger.info(
      'semantic search is off: files and messages are found by keyword. Set PARLEY_EMBEDDINGS_URL (or OPENAI_API_KEY for OpenAI) to turn it on.',
    )
    return undefined
  }
  if (missingExtensions.includes('vector')) {
    logger.warn(
      'semantic search is off: the database lacks pgvector, so files and messages are found by keyword. Install pgvector on the database server (or create the vector extension in the extensions schema) and restart: the start step adds what search needs.',
    )
    return undefined
  }
  try {
    return createEmbedder({
      baseURL: settings.baseUrl,
      apiKey: settings.apiKey,
      model: settings.model,
      ...(settings.dimensions ? { dimensions: settings.dimensions } : {}),
      ...(settings.microUsdPerMTok === undefined
        ? {}
        : { priceMicroUsdPerMillionInput: settings.microUsdPerMTok }),
    })
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error
    throw new ConfigError(
      `Invalid configuration:\n  PARLEY_EMBEDDINGS_USD_PER_MTOK: is required for ${settings.model}, whose price Parley does not know (0 for a local server)`,
    )
  }
}

/** The server's dependencies from its configuration: opens, migrates and prepares the database. */
export async function createDeps(
  config: Config,
  logger: Logger,
  {
    announceBootstrapAdminToken,
    tracer,
  }: { announceBootstrapAdminToken: (token: string) => void; tracer?: Tracer | undefined },
): Promise<AppDeps> {
  const db: Database = await createDatabase(
    config.database.kind === 'pglite'
      ? { kind: 'pglite', dataDir: config.database.dataDir, cacheMb: config.database.cacheMb }
      : { kind: 'postgres', url: config.database.url, maxConnections: config.database.poolSize },
    { quotas: config.quotas },
  )
  const prepared = await prepareDatabase(db)
  if (prepared.applied.length > 0)
    logger.info({ migrations: prepared.applied }, 'migrations applied')
  for (const extension of prepared.missingExtensions) {
    logger.warn({ extension }, `the database lacks the ${extension} extension`)
  }
  if (
    config.auth.kind === 'local' &&
    !config.auth.signingKeys &&
    config.database.kind === 'postgres'
  ) {
    logger.warn(
      'the embedded auth signs with a key from this data folder: a second instance on this database will not accept its tokens. Set PARLEY_AUTH_SIGNING_KEYS to run more than one.',
    )
  }
  const recovered = await recoverInterruptedReplies(db)
  if (recovered > 0)
    logger.warn({ messages: recovered }, 'replies interrupted by a restart marked incomplete')
  // A reservation older than the longest turn (deadline, then settle and title) lost its turn.
  startBudgetSweeper(
    db,
    {
      olderThanSeconds: Math.ceil((2 * config.routing.retry.deadlineMs) / 1000) + 60,
      everyMs: 300_000,
    },
    logger,
  )

  startLogPurger(db, { retentionDays: config.logRetentionDays }, logger)
  // Postgres has autovacuum; the embedded database has none.
  if (db.kind === 'pglite') startTableUpkeep(db, logger)

  const deps = await buildDeps(
    {
      db,
      mode: config.mode,
      providers: {
        openai: config.providers.openai,
        anthropic: config.providers.anthropic,
        compatible: config.providers.compatible,
        demo: { tokensPerSecond: config.providers.demoTokensPerSecond },
      },
      fallbacks: config.fallbacks,
      defaultModel: config.defaultModel,
      router: config.routing,
      auth:
        config.auth.kind === 'local'
          ? {
              kind: 'local',
              signingKey: config.auth.signingKeys
                ? await signingKeyFromConfig(config.auth.signingKeys)
                : await loadOrCreateSigningKey(config.dataDir),
              accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
              refreshTokenReuseSeconds: config.auth.refreshTokenReuseSeconds,
              signup: config.auth.signup,
              bootstrapAdmin: config.auth.bootstrapAdminToken
                ? BootstrapAdminToken.configured(config.auth.bootstrapAdminToken)
                : await BootstrapAdminToken.generated(config.dataDir, announceBootstrapAdminToken),
            }
          : {
              kind: 'supabase',
              url: config.auth.url,
              jwtSecret: config.auth.jwtSecret,
              serviceRoleKey: config.auth.serviceRoleKey,
            },
      allowAnonymous: config.allowAnonymous,
      corsOrigins: config.corsOrigins,
      webDist: config.webDist,
      maxConcurrentStreams: config.maxConcurrentStreams,
      earlyCalls: config.earlyCalls,
      reattachGraceMs: config.reattachGraceMs,
      budget: config.budget,
      metricsToken: config.metricsToken,
      tracer,
      limits: config.limits,
      trustedProxies: config.trustedProxies,
      logQueue: { flushMs: config.logFlushMs },
      files: {
        maxUploadBytes: config.maxUploadBytes,
        maxFilesWaiting: config.maxFilesWaiting,
        leaseSeconds: config.fileLeaseSeconds,
        storage: createFileStorage(config.storage),
        embedder: embedderFor(config, prepared.missingExtensions, logger),
        embedMessages: config.embeddings?.messages ?? true,
      },
    },
    logger,
  )
  // Files a crash or restart left half-read are read again (or given up after three tries); then
  // this server renews its claims on the files it reads and looks for files other servers left.
  await deps.files.ingest.recover()
  deps.files.ingest.start()
  // Messages written while semantic search was off (or by another model) are embedded too.
  deps.messageEmbeddings?.start()
  // Originals left behind by deleted accounts (a failed clean-up) are removed at start and hourly.
  startOriginalSweeper(db, deps.files.storage, logger)
  if (db.kind === 'postgres') {
    deps.leases = new ReplyLeases(db, () => deps.turns.ownedReplyIds, logger)
    // Other instances may change the catalog: look for a new version every second.
    deps.catalog.start()
  }
  return deps
}
