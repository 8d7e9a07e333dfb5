import { describe, expect, it } from 'vitest'
import { csvField, toCsv } from './csv.ts'

describe('CSV', () => {
  it('quotes fields with commas, quotes and line breaks, and doubles the quotes', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rhere')).toBe('"cr\rhere"')
    expect(csvField('')).toBe('')
    expect(csvField(null)).toBe('')
    expect(csvField(0)).toBe('0')
    expect(csvField(12.5)).toBe('12.5')
  })

  it('keeps text a spreadsheet would run as a formula from being one', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvField('+1')).toBe("'+1")
    expect(csvField('-1')).toBe("'-1")
    expect(csvField('@cmd')).toBe("'@cmd")
  })

  it('writes a header row and one CRLF-ended line per row', () => {
    expect(
      toCsv(
        ['key', 'label', 'n'],
        [
          ['a', 'x, y', 1],
          ['b', null, 2],
        ],
      ),
    ).toBe('key,label,n\r\na,"x, y",1\r\nb,,2\r\n')
  })
})
