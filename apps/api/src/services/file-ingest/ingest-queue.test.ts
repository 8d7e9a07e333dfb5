import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { type IngestJob, IngestQueue } from './ingest-queue.ts'

const job = (ownerId: string, fileId: string): IngestJob => ({
  fileId,
  ownerId,
  storageKey: `${ownerId}/${fileId}`,
  name: `${fileId}.md`,
})

/** A queue whose jobs each run until the test finishes them, recording the order they start. */
function heldQueue(concurrency = 1) {
  const started: string[] = []
  const finish = new Map<string, () => void>()
  let onStart: (() => void) | undefined
  const queue = new IngestQueue(
    (next) =>
      new Promise<void>((resolve) => {
        started.push(next.fileId)
        finish.set(next.fileId, resolve)
        onStart?.()
      }),
    pino({ level: 'silent' }),
    concurrency,
  )
  /** Finishes a running job; resolves once the queue started the next one, or has none left. */
  const complete = (fileId: string) => {
    const next = new Promise<void>((resolve) => {
      onStart = resolve
    })
    finish.get(fileId)?.()
    return Promise.race([next, queue.idle()])
  }
  return { queue, started, complete }
}

describe('the ingest queue', () => {
  it("reads another user's one file before the first user's later ones", async () => {
    const { queue, started, complete } = heldQueue()
    for (const id of ['a1', 'a2', 'a3', 'a4']) queue.enqueue(job('alice', id))
    queue.enqueue(job('bob', 'b1'))
    expect(started).toEqual(['a1'])
    await complete('a1')
    await complete('b1')
    await complete('a2')
    await complete('a3')
    await complete('a4')
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3', 'a4'])
    await queue.idle()
  })

  it('serves users in turns, each in the order they uploaded', async () => {
    const { queue, started, complete } = heldQueue()
    for (const id of ['a1', 'a2', 'a3']) queue.enqueue(job('alice', id))
    for (const id of ['b1', 'b2']) queue.enqueue(job('bob', id))
    await complete('a1')
    // A newcomer joins the turn being served, ahead of the others' backlog.
    queue.enqueue(job('carol', 'c1'))
    for (const id of ['b1', 'c1', 'a2', 'b2', 'a3']) await complete(id)
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3'])
    await queue.idle()
  })
})
