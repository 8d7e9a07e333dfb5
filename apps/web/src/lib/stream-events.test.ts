import { describe, expect, it } from 'vitest'
import { readStreamEvents } from './stream-events.ts'

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    },
  })
}

async function collect(chunks: string[]) {
  const events = []
  for await (const event of readStreamEvents(streamOf(chunks))) events.push(event)
  return events
}

describe('readStreamEvents', () => {
  it('reads events split anywhere across network chunks, in order', async () => {
    const wire =
      'event: delta\ndata: {"text":"Hel"}\n\nevent: delta\ndata: {"text":"lo, "}\n\n' +
      'event: delta\r\ndata: {"text":"wörld"}\r\n\r\n'
    const chunks = wire.match(/[\s\S]{1,7}/g) ?? []
    expect(await collect(chunks)).toEqual([
      { event: 'delta', data: { text: 'Hel' } },
      { event: 'delta', data: { text: 'lo, ' } },
      { event: 'delta', data: { text: 'wörld' } },
    ])
  })

  it('skips comments, keep-alives and events it does not know', async () => {
    expect(
      await collect([
        ': keep-alive\n\n',
        'event: ping\ndata: {}\n\n',
        'data: {"unnamed":true}\n\n',
        'event: delta\ndata: {"text":"kept"}\n\n',
      ]),
    ).toEqual([{ event: 'delta', data: { text: 'kept' } }])
  })
})
