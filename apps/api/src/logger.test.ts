import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, startupLine } from './logger.ts'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { lines, destination }
}

describe('the API logger', () => {
  it('writes JSON lines for a log collector, without secrets', () => {
    const { lines, destination } = capture()
    createLogger({ level: 'info', pretty: false, destination }).info(
      { user: { password: 'hunter2-secret' }, url: 'http://localhost:8787' },
      'listening',
    )
    const entry = JSON.parse(lines.join(''))
    expect(entry).toMatchObject({ msg: 'listening', service: 'parley-api' })
    expect(lines.join('')).not.toContain('hunter2-secret')
  })

  it('writes readable lines for a person at a terminal, without secrets', () => {
    const { lines, destination } = capture()
    createLogger({ level: 'info', pretty: true, destination }).info(
      { user: { password: 'hunter2-secret' } },
      'listening',
    )
    const text = lines.join('')
    expect(text).toMatch(/INFO.*listening/)
    expect(text.trimStart().startsWith('{')).toBe(false)
    expect(text).not.toContain('hunter2-secret')
  })

  it('says where Parley is running in one plain line', () => {
    expect(startupLine('http://localhost:8787').trim()).toBe(
      'Parley is running at http://localhost:8787',
    )
  })
})
