import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { LogQueue } from './log-queue.ts'

const silent = pino({ level: 'silent' })

describe('the log queue', () => {
  it('writes what was queued in one batch when flushed', async () => {
    const batches: number[][] = []
    const queue = new LogQueue<number>('test', async (rows) => void batches.push(rows), silent)
    queue.push(1)
    queue.push(2)
    queue.push(3)
    expect(batches).toEqual([])
    await queue.flush()
    expect(batches).toEqual([[1, 2, 3]])
  })

  it('writes a full batch without waiting for the timer', async () => {
    const written: number[][] = []
    let wrote: () => void = () => {}
    const done = new Promise<void>((resolve) => {
      wrote = resolve
    })
    const queue = new LogQueue<number>(
      'test',
      async (rows) => {
        written.push(rows)
        wrote()
      },
      silent,
      { batchRows: 2, flushMs: 60_000 },
    )
    queue.push(1)
    queue.push(2)
    await done
    expect(written).toEqual([[1, 2]])
  })

  it('never throws at the caller, retries a failed write a bounded number of times, then drops it', async () => {
    let attempts = 0
    const failures: unknown[] = []
    const logger = pino({ level: 'error' }, { write: (line: string) => void failures.push(line) })
    const queue = new LogQueue<number>(
      'test',
      async () => {
        attempts += 1
        throw new Error('database unavailable')
      },
      logger,
      { maxAttempts: 2, flushMs: 60_000 },
    )
    expect(() => queue.push(1)).not.toThrow()
    await queue.flush()
    expect(queue.size).toBe(1)
    await queue.flush()
    expect(queue.size).toBe(0)
    await queue.flush()
    expect(attempts).toBe(2)
    expect(failures).toHaveLength(2)
  })

  it('keeps rows for the next write after a failure', async () => {
    const written: number[][] = []
    let fail = true
    const queue = new LogQueue<number>(
      'test',
      async (rows) => {
        if (fail) throw new Error('not now')
        written.push(rows)
      },
      silent,
      { flushMs: 60_000 },
    )
    queue.push(1)
    await queue.flush()
    fail = false
    queue.push(2)
    await queue.flush()
    expect(written).toEqual([[1, 2]])
  })
})
