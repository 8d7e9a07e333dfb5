import { serve } from '@hono/node-server'
import { countTokens } from '@parley/llm'
import packageJson from '../package.json' with { type: 'json' }
import { createApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { createDeps } from './deps.ts'
import { createLogger, startupLine } from './logger.ts'
import { startTracing } from './observability/tracing.ts'

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(1)
}

const pretty =
  config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true)
const logger = createLogger({ level: config.logLevel, pretty })

// The one time a generated bootstrap admin token is shown: on the terminal, never in the logs.
const announceBootstrapAdminToken = (token: string) =>
  process.stderr.write(
    `\nTo make yourself admin, sign in and send this once to POST /api/v1/admin/claim:\n  {"token": "${token}"}\nIt is shown only now. Set PARLEY_BOOTSTRAP_ADMIN_TOKEN to choose your own.\n\n`,
  )

// Before the database opens, so its first transactions are traced too.
const tracing = await startTracing(config.tracing, packageJson.version)
const deps = await createDeps(config, logger, {
  announceBootstrapAdminToken,
  tracer: tracing?.tracer,
}).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(1)
})
const app = createApp(deps, logger)
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  const url = `http://${info.address === '0.0.0.0' ? 'localhost' : info.address}:${info.port}`
  logger.info(
    {
      url,
      mode: config.mode,
      database: config.database.kind,
      models: deps.models.models.map((model) => model.id),
      demoOnly: deps.models.demoOnly,
      semanticSearch: deps.files.embedder !== undefined,
    },
    'listening',
  )
  if (pretty) process.stdout.write(startupLine(url))
  // Load each model's tokenizer tables now rather than on the first user's turn (~300 ms each).
  setImmediate(() => {
    for (const spec of deps.models.models) countTokens('warm-up', spec)
  })
})

deps.leases?.start()

let stopping = false
/**
 * Drains, then exits: readiness fails at once and new turns get 503 `draining`; live replies
 * may finish within the grace period, the rest are stopped and stored as incomplete; files
 * waiting to be read stay `processing` for the next start, the one being read finishes; queued
 * activity and error log rows are written and the last trace spans exported; the database closes
 * last. A watchdog exits anyway 5 s after the grace period.
 */
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info({ signal, liveReplies: deps.turns.liveCount }, 'shutting down')
  setTimeout(() => {
    logger.error('shutdown took too long: exiting')
    process.exit(1)
  }, config.shutdownGraceMs + 5_000).unref()
  // No new files are read; the one being read finishes (within the reader's time limit).
  await Promise.all([deps.turns.drain(config.shutdownGraceMs), deps.files.ingest.stop()])
  await deps.messageEmbeddings?.stop()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  // What the last requests recorded reaches the database before it closes.
  await Promise.all([deps.activity.flush(), deps.errors.flush()])
  await deps.leases?.stop()
  deps.catalog.stop()
  // The last spans (the drained turns' settle included) go out before the process exits.
  await tracing?.shutdown()
  await deps.db.close()
  logger.info('stopped')
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
