import { countEncodedTokens } from '@parley/llm'
import { describe, expect, it } from 'vitest'
import { chunkBlocks, type DocumentBlock } from './chunk-blocks.ts'
import { prose } from './testing/fixtures.ts'

const block = (
  text: string,
  headingPath: string[] = [],
  page: number | null = null,
): DocumentBlock => ({
  text,
  page,
  headingPath,
})

describe('chunkBlocks', () => {
  it('packs a long section into chunks within the target, each repeating the end of the last', () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => block(prose(5, i + 1), ['Guide']))
    const chunks = chunkBlocks(paragraphs, { targetTokens: 200, overlapTokens: 40 })
    expect(chunks.length).toBeGreaterThan(3)
    for (const [index, chunk] of chunks.entries()) {
      expect(chunk.ordinal).toBe(index)
      expect(chunk.text.trim()).not.toBe('')
      expect(chunk.tokenCount).toBe(countEncodedTokens(chunk.text))
      expect(chunk.tokenCount).toBeLessThanOrEqual(200)
      expect(chunk.headingPath).toEqual(['Guide'])
    }
    for (const [index, chunk] of chunks.slice(1).entries()) {
      const previous = chunks[index]?.text ?? ''
      const firstWords = chunk.text.split(/\s+/).slice(0, 4).join(' ')
      expect(previous).toContain(firstWords)
    }
  })

  it('never lets a chunk span two headings or two pages', () => {
    const chunks = chunkBlocks([
      { text: '# One', page: 1, headingPath: ['One'], heading: true },
      block('First section text.', ['One'], 1),
      block('Still page one.', ['One'], 1),
      block('Now page two.', ['One'], 2),
      { text: '## Two', page: 2, headingPath: ['One', 'Two'], heading: true },
      block('Second section text.', ['One', 'Two'], 2),
    ])
    expect(chunks.map((chunk) => [chunk.page, chunk.headingPath, chunk.text])).toEqual([
      [1, ['One'], '# One\n\nFirst section text.\n\nStill page one.'],
      [2, ['One'], 'Now page two.'],
      [2, ['One', 'Two'], '## Two\n\nSecond section text.'],
    ])
  })

  it('keeps a heading with the text under its first subheading', () => {
    const chunks = chunkBlocks([
      { text: '# Manual', page: null, headingPath: ['Manual'], heading: true },
      { text: '## Setup', page: null, headingPath: ['Manual', 'Setup'], heading: true },
      block('Plug it in.', ['Manual', 'Setup']),
    ])
    expect(chunks).toEqual([
      {
        ordinal: 0,
        text: '# Manual\n\n## Setup\n\nPlug it in.',
        page: null,
        headingPath: ['Manual', 'Setup'],
        tokenCount: expect.any(Number),
      },
    ])
  })

  it('splits a paragraph too long for one chunk at sentences, and a run without spaces by characters', () => {
    const long = block(prose(200, 7))
    const unbroken = block('x'.repeat(20_000))
    for (const chunk of chunkBlocks([long, unbroken], { targetTokens: 128, overlapTokens: 16 })) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(128)
      expect(chunk.text.length).toBeGreaterThan(0)
    }
    const sentences = chunkBlocks([long], { targetTokens: 128, overlapTokens: 0 })
    expect(sentences.every((chunk) => chunk.text.endsWith('.'))).toBe(true)
  })

  it('repeats a table header at the top of every chunk of its rows', () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      ...block(`${i},item ${i},${i * 3}`),
      header: 'id,name,price',
    }))
    const chunks = chunkBlocks(rows, { targetTokens: 100, overlapTokens: 10 })
    expect(chunks.length).toBeGreaterThan(3)
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('id,name,price\n')).toBe(true)
      expect(chunk.tokenCount).toBeLessThanOrEqual(100)
    }
    expect(chunks.map((chunk) => chunk.text).join('\n')).toContain('119,item 119,357')
  })

  it('returns nothing for blocks without text', () => {
    expect(chunkBlocks([block('  '), block('\n')])).toEqual([])
  })
})
