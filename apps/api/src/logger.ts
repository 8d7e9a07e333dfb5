import pino, { type DestinationStream, type Logger } from 'pino'
import pinoPretty from 'pino-pretty'

export interface LoggerOptions {
  level: string
  /** Human-readable lines for a person at a terminal; JSON lines for a log collector. */
  pretty: boolean
  /** Where lines go; standard output by default. */
  destination?: DestinationStream
}

/** The API's logger: secrets redacted, pretty at a terminal, JSON everywhere else. */
export function createLogger({ level, pretty, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service: 'parley-api' },
    redact: { paths: ['req.headers.authorization', '*.password', '*.access_token'], remove: true },
  }
  if (!pretty) return destination ? pino(options, destination) : pino(options)
  return pino(
    options,
    pinoPretty({
      sync: true,
      colorize: destination === undefined && process.stdout.hasColors?.() === true,
      ignore: 'pid,hostname,service',
      translateTime: 'SYS:HH:MM:ss',
      ...(destination ? { destination } : {}),
    }),
  )
}

/** The one plain line a person starting Parley at a terminal looks for. */
export const startupLine = (url: string) => `\nParley is running at ${url}\n\n`
