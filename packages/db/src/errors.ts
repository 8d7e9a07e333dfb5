import type { z } from 'zod'

export type DbErrorCode =
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'invalid_input'
  | 'quota_exceeded'
  | 'unavailable'
  | 'unauthorized'

/** Which quota a refused write would have exceeded, its limit and the use before the write. */
export interface QuotaExceeded {
  quota: 'conversations' | 'messagesPerConversation' | 'storedBytes' | 'files'
  limit: number
  used: number
}

/**
 * A database failure the API can map to a response: what went wrong, never the SQL.
 * `sqlState` and `constraint` are kept for logs.
 */
export class DbError extends Error {
  override readonly name = 'DbError'
  readonly code: DbErrorCode
  readonly sqlState: string | undefined
  readonly constraint: string | undefined
  readonly issues: z.core.$ZodIssue[] | undefined
  /** Set when `code` is `quota_exceeded`. */
  readonly quota: QuotaExceeded | undefined

  constructor(
    code: DbErrorCode,
    message: string,
    options: {
      cause?: unknown
      sqlState?: string
      constraint?: string
      issues?: z.core.$ZodIssue[]
      quota?: QuotaExceeded
    } = {},
  ) {
    super(message, { cause: options.cause })
    this.code = code
    this.sqlState = options.sqlState
    this.constraint = options.constraint
    this.issues = options.issues
    this.quota = options.quota
  }
}

interface DriverError {
  code: string
  detail?: string
  constraint?: string
  constraint_name?: string
}

function findDriverError(error: unknown): DriverError | undefined {
  // Drizzle wraps driver errors (PGlite's and postgres.js's both carry SQLSTATE in `code`).
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return undefined
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current as DriverError
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

const byClass: Record<string, [DbErrorCode, string]> = {
  '23505': ['conflict', 'a record with this key already exists'],
  '23503': ['not_found', 'a referenced record does not exist'],
  '42501': ['forbidden', 'not allowed'],
  '23514': ['invalid_input', 'a value is out of the allowed range'],
  '23502': ['invalid_input', 'a required value is missing'],
  '22P02': ['invalid_input', 'a value has the wrong format'],
  '22001': ['invalid_input', 'a value is too long'],
  '22003': ['invalid_input', 'a number is out of range'],
  '22007': ['invalid_input', 'a date or time has the wrong format'],
  '22008': ['invalid_input', 'a date or time is out of range'],
  '40001': ['conflict', 'a concurrent change conflicted; try again'],
  '40P01': ['conflict', 'a concurrent change conflicted; try again'],
  '57014': ['unavailable', 'the database cancelled the statement'],
  '53300': ['unavailable', 'the database has no free connections'],
  '57P01': ['unavailable', 'the database is shutting down'],
  '57P02': ['unavailable', 'the database is shutting down'],
  '57P03': ['unavailable', 'the database is starting up'],
  // Raised by the admin users migration (supabase/migrations/20261206100000_admin_users.sql).
  PA401: ['unauthorized', 'this account is disabled: ask an admin to enable it again'],
  PA409: ['conflict', 'an admin cannot remove their own admin role or disable themselves'],
  // Raised by complete_file_ingest (supabase/migrations/20261207100000_knowledge.sql).
  PF409: ['conflict', 'the file is no longer being processed'],
}

// Constraints whose violation a client can cause, named in its terms.
const byConstraint: Record<string, string> = {
  messages_parent_not_self: 'parentId: a message cannot answer itself',
  messages_parent_precedes: 'parentId: a message can only answer an earlier message',
}

/** Maps a driver error to a `DbError`; anything unrecognised is returned unchanged. */
export function toDbError(error: unknown): unknown {
  if (error instanceof DbError) return error
  const driverError = findDriverError(error)
  if (!driverError) return error
  if (driverError.code === quotaSqlState) return quotaError(driverError, error)
  const mapped =
    byClass[driverError.code] ??
    (driverError.code.startsWith('08')
      ? (['unavailable', 'the database connection failed'] as const)
      : undefined)
  if (!mapped) return error
  const constraint = driverError.constraint ?? driverError.constraint_name
  return new DbError(mapped[0], (constraint && byConstraint[constraint]) || mapped[1], {
    cause: error,
    sqlState: driverError.code,
    ...(constraint ? { constraint } : {}),
  })
}

/** Raised by the quota triggers (supabase/migrations/20261205160000_quotas.sql). */
const quotaSqlState = 'PQ001'

const quotaNames = new Set<string>([
  'conversations',
  'messagesPerConversation',
  'storedBytes',
  'files',
])

function quotaError(driverError: DriverError, cause: unknown): DbError {
  const detail = JSON.parse(driverError.detail ?? '{}') as Record<string, unknown>
  const quota = {
    quota: (quotaNames.has(String(detail.quota))
      ? detail.quota
      : 'storedBytes') as QuotaExceeded['quota'],
    limit: Number(detail.limit),
    used: Number(detail.used),
  }
  return new DbError('quota_exceeded', quotaMessages[quota.quota], {
    cause,
    sqlState: driverError.code,
    quota,
  })
}

const quotaMessages: Record<QuotaExceeded['quota'], string> = {
  conversations:
    'you have reached the maximum number of conversations: delete some to start new ones',
  messagesPerConversation:
    'this conversation has reached its maximum number of messages: start a new conversation',
  storedBytes: 'you have used up your storage: delete conversations or files to free space',
  files: 'you have reached the maximum number of files: delete some to upload new ones',
}

/** Errors of the drivers' sockets (postgres.js, Node) when the server cannot be reached. */
const connectionErrorCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
])

/**
 * Whether the same statement may succeed if run again later: the database was unreachable,
 * restarting or out of connections, or a concurrent change conflicted. Bad input, a refused
 * write or a bug in the caller is not.
 */
export function isTransientDbError(error: unknown): boolean {
  if (error instanceof DbError) {
    return error.code === 'unavailable' || error.sqlState === '40001' || error.sqlState === '40P01'
  }
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (connectionErrorCodes.has(code) || code.startsWith('08'))) {
      return true
    }
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** Validates repository input before any SQL runs. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const first = result.error.issues[0]
  const where = first?.path.length ? `${first.path.join('.')}: ` : ''
  return throwInvalid(`${where}${first?.message ?? 'invalid input'}`, result.error.issues)
}

function throwInvalid(message: string, issues: z.core.$ZodIssue[]): never {
  throw new DbError('invalid_input', message, { issues })
}
