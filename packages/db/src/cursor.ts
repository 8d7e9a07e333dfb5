import { z } from 'zod'
import { DbError } from './errors.ts'

/** Cursors are opaque to clients: base64url of a small JSON tuple. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch (cause) {
    throw new DbError('invalid_input', 'cursor: not a cursor returned by a previous page', {
      cause,
    })
  }
}

export const timeAndIdCursor = z.tuple([z.iso.datetime({ offset: true }), z.uuid()])
export const sequenceCursor = z.tuple([z.number().int().min(0)])

/**
 * One page from rows fetched with `limit + 1`: the first `limit` of them, and the cursor of the
 * last one when there was more.
 */
export function pageFrom<T>(
  rows: T[],
  limit: number,
  cursorOf: (last: T) => unknown,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return {
    items,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  }
}
