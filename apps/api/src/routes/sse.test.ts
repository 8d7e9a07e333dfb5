import { describe, expect, it } from 'vitest'
import { deltaWriter, sseFrame } from './sse.ts'

const texts = (frames: string[]) =>
  frames.map((frame) => (JSON.parse(frame.split('data: ')[1] ?? '') as { text: string }).text)

describe('deltaWriter', () => {
  it('sends the first piece at once and joins the pieces that follow within the window', () => {
    const frames: string[] = []
    const deltas = deltaWriter((frame) => frames.push(frame), 60_000)
    deltas.push('Hel')
    expect(texts(frames)).toEqual(['Hel'])
    deltas.push('lo, ')
    deltas.push('world')
    expect(frames).toHaveLength(1)
    deltas.flush()
    expect(texts(frames)).toEqual(['Hel', 'lo, world'])
    deltas.flush()
    expect(frames).toHaveLength(2)
  })

  it('writes held text when the window ends, without waiting for more', async () => {
    const frames: string[] = []
    const second = new Promise<void>((resolve) => {
      const deltas = deltaWriter((frame) => {
        frames.push(frame)
        if (frames.length === 2) resolve()
      }, 5)
      deltas.push('a')
      deltas.push('b')
    })
    await second
    expect(texts(frames)).toEqual(['a', 'b'])
  })

  it('frames each delta as a server-sent event', () => {
    const frames: string[] = []
    deltaWriter((frame) => frames.push(frame)).push('x')
    expect(frames).toEqual([sseFrame('delta', { text: 'x' })])
  })
})
