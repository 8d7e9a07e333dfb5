import { describe, expect, it } from 'vitest'
import { splitMarkdownBlocks } from './split-blocks.ts'

describe('splitMarkdownBlocks', () => {
  it('splits paragraphs at blank lines', () => {
    expect(splitMarkdownBlocks('one\n\ntwo\nstill two\n\n\nthree')).toEqual([
      'one',
      'two\nstill two',
      'three',
    ])
  })

  it('keeps a code fence with blank lines inside in one block, even before it closes', () => {
    const open = 'intro\n\n```py\na = 1\n\nb = 2'
    expect(splitMarkdownBlocks(open)).toEqual(['intro', '```py\na = 1\n\nb = 2'])
    expect(splitMarkdownBlocks([open, '```', '', 'after'].join('\n'))).toEqual([
      'intro',
      '```py\na = 1\n\nb = 2\n```',
      'after',
    ])
  })

  it('keeps an indented continuation with the list item above it', () => {
    expect(splitMarkdownBlocks('1. first\n\n   more about first\n2. second')).toEqual([
      '1. first\n\n   more about first\n2. second',
    ])
  })

  it('leaves text with link definitions whole, since they reach across blocks', () => {
    const text = 'see [docs][1]\n\nmore\n\n[1]: https://example.com'
    expect(splitMarkdownBlocks(text)).toEqual([text])
  })
})
