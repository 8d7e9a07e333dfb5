import { describe, expect, it } from 'vitest'
import { citedNumbers, findCitationMarkers } from './index.ts'

describe('citation markers', () => {
  it('finds single, adjacent and grouped markers, each number once, in order', () => {
    expect(citedNumbers('See [3] and [1, 2]; also [2][4].')).toEqual([3, 1, 2, 4])
    expect(citedNumbers('No citation here.')).toEqual([])
    expect(citedNumbers('Not markers: [0], [1000], [a], [1,], [ 1].')).toEqual([])
  })

  it('skips inline code, whatever its backtick run', () => {
    expect(citedNumbers('Use `arr[1]` here, cited [2].')).toEqual([2])
    expect(citedNumbers('Use ``a `b` [1]`` here.')).toEqual([])
    expect(citedNumbers('A lone ` backtick, then [1].')).toEqual([1])
    expect(citedNumbers('`a[1]` [2] ``b ` [3]`` [4] `c [5]')).toEqual([2, 4, 5])
  })

  it('skips fenced code, with backticks or tildes, until its own closing fence', () => {
    const reply = [
      'Cited [1].',
      '```js',
      'const first = items[2]',
      '```not a close [3]',
      '```',
      '~~~~',
      'x[4]',
      '~~~',
      '~~~~',
      'After [5].',
    ].join('\n')
    expect(citedNumbers(reply)).toEqual([1, 5])
    expect(citedNumbers('Open [1]\n\n```\nnever closed [2]')).toEqual([1])
    expect(citedNumbers('  1. Step [1]\n\n     ```sh\n     echo $a[2]\n     ```')).toEqual([1])
  })

  it('does not take a code span across paragraphs, nor a link text for a citation', () => {
    expect(citedNumbers('One ` tick [1].\n\nAnother ` tick [2].')).toEqual([1, 2])
    expect(citedNumbers('A link [1](https://example.com) and a citation [2].')).toEqual([2])
  })

  it('locates each marker in prose, for the renderer', () => {
    expect(findCitationMarkers('a [1] b [2, 3]')).toEqual([
      { start: 2, end: 5, numbers: [1] },
      { start: 8, end: 14, numbers: [2, 3] },
    ])
  })
})
