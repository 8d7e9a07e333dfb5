import { describe, expect, it } from 'vitest'
import { sanitizeFileName } from './file-name.ts'

describe('sanitizeFileName', () => {
  it('keeps an ordinary name as it is', () => {
    expect(sanitizeFileName('Quarterly report 2026.pdf')).toBe('Quarterly report 2026.pdf')
  })

  it('drops directories, whichever separator the client used', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFileName('C:\\Users\\ana\\notes.md')).toBe('notes.md')
    expect(sanitizeFileName('folder/')).toBe('folder')
  })

  it('removes control characters and bidi overrides that disguise an extension', () => {
    expect(sanitizeFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe')
    expect(sanitizeFileName('a\u0000b\nc\u200Bd.txt')).toBe('abcd.txt')
  })

  it('never returns an empty or hidden name', () => {
    expect(sanitizeFileName('')).toBe('untitled')
    expect(sanitizeFileName(' \u202E ')).toBe('untitled')
    expect(sanitizeFileName('..')).toBe('untitled')
    expect(sanitizeFileName('.env')).toBe('env')
  })

  it('bounds the length and keeps the extension', () => {
    const name = sanitizeFileName(`${'long '.repeat(100)}name.docx`)
    expect(Array.from(name).length).toBeLessThanOrEqual(200)
    expect(name.endsWith('.docx')).toBe(true)
  })
})
