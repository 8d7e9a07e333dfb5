import { eventLoopLagDuring } from '@parley/llm/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { DocumentReader } from './document-reader.ts'
import { extractDocument } from './extract-document.ts'
import { makePdf, prose } from './testing/fixtures.ts'

const text = (value: string) => new TextEncoder().encode(value)

/** A Markdown handbook of `sections` sections, about 1 kB each. */
const handbook = (sections: number) =>
  Array.from({ length: sections }, (_, i) => `## Section ${i}\n\n${prose(12, i + 1)}\n`).join('\n')

// about 10 MB, every section its own: seconds of parsing and chunking (repeated text would be
// counted once, since token counts of long texts are kept)
const largeHandbook = text(handbook(10_000))

const readers: DocumentReader[] = []
const reader = (options?: ConstructorParameters<typeof DocumentReader>[0]) => {
  const created = new DocumentReader(options)
  readers.push(created)
  return created
}
afterAll(() => Promise.all(readers.map((each) => each.close())))
// one reader with the default limits for the tests that need nothing else (a worker takes seconds to start)
const shared = reader()

describe('DocumentReader', () => {
  it('reads a PDF in a worker thread, with the same result as reading it in-process', async () => {
    const pdf = await makePdf([
      { heading: 'Summary', paragraphs: [prose(10, 1)] },
      { heading: 'Details', paragraphs: ['The depot closes at nine.', prose(10, 2)] },
    ])
    const inWorker = await shared.read(pdf, 'report.pdf')
    expect(inWorker).toEqual(await extractDocument(pdf, 'report.pdf'))
    expect(inWorker.chunks.find((chunk) => chunk.text.includes('depot closes'))?.page).toBe(2)
    // the caller's bytes are copied, not taken
    expect(pdf.length).toBeGreaterThan(0)
  })

  it('keeps the event loop responsive while it parses a large document', async () => {
    let chunks = 0
    const lagMs = await eventLoopLagDuring(async () => {
      chunks = (await shared.read(largeHandbook, 'handbook.md')).chunks.length
    })
    expect(chunks).toBeGreaterThan(5_000)
    // in-process, reading this handbook blocks the loop for about 3 s on this machine; what is
    // left is receiving 10,000 chunks from the worker on a machine whose cores are shared
    expect(lagMs).toBeLessThan(1_000)
  })

  it('stops a read that takes too long, and reads the next file with a fresh worker', async () => {
    // the limit counts reading, not the worker's start; the handbook takes seconds to read, and
    // the message rounds the limit up to whole seconds
    const documents = reader({ limits: { timeoutMs: 250 } })
    await expect(documents.read(text('Before.'), 'a.txt')).resolves.toMatchObject({ kind: 'text' })
    await expect(documents.read(largeHandbook, 'huge.md')).rejects.toMatchObject({
      code: 'timeout',
      message: 'Reading this file took longer than 1 second and was stopped.',
    })
    await expect(documents.read(text('After.'), 'b.txt')).resolves.toMatchObject({ kind: 'text' })
  })

  it('rejects cleanly when a worker runs out of memory, and the next read works', async () => {
    // Room for a worker to start (at 64 MB some starts already fail), not for 20 MB of text.
    const documents = reader({ maxMemoryMb: 192 })
    await expect(documents.read(text('word '.repeat(4_000_000)), 'big.txt')).rejects.toMatchObject({
      code: 'corrupt',
    })
    await expect(documents.read(text('Still reading.'), 'small.txt')).resolves.toMatchObject({
      chunks: [expect.objectContaining({ text: 'Still reading.' })],
    })
  })

  it('reads from a Node Buffer without taking or changing the memory it shares', async () => {
    const pooled = Buffer.from('A note kept in a pooled buffer.')
    const neighbour = Buffer.from('neighbour')
    const document = await shared.read(pooled, 'note.txt')
    expect(document.chunks[0]?.text).toBe('A note kept in a pooled buffer.')
    expect(pooled.toString()).toBe('A note kept in a pooled buffer.')
    expect(neighbour.toString()).toBe('neighbour')
  })

  it('reports a file it cannot read with its reason', async () => {
    await expect(shared.read(new Uint8Array(), 'empty.txt')).rejects.toMatchObject({
      code: 'empty',
      message: 'The file is empty.',
    })
  })

  it('gives up a read when its caller aborts, and keeps serving others', async () => {
    const controller = new AbortController()
    const aborted = shared.read(largeHandbook, 'huge.md', controller.signal)
    const queued = shared.read(text('Queued behind it.'), 'b.txt')
    controller.abort(new Error('upload cancelled'))
    await expect(aborted).rejects.toThrow('upload cancelled')
    await expect(queued).resolves.toMatchObject({ kind: 'text' })
  })
})
