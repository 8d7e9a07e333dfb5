import { describe, expect, it } from 'vitest'
import { attachmentFileName } from './content-disposition.ts'

describe('attachmentFileName', () => {
  it('prefers the exact name of filename* over the ASCII fallback', () => {
    expect(
      attachmentFileName(
        `attachment; filename="R_sum_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`,
      ),
    ).toBe('Résumé.pdf')
    expect(
      attachmentFileName(
        `attachment; filename*=utf-8'fr'%E6%97%A5%E8%AA%8C%20%3B.txt; filename="x"`,
      ),
    ).toBe('日誌 ;.txt')
    expect(attachmentFileName(`attachment; filename*=ISO-8859-1''caf%E9.csv`)).toBe('café.csv')
  })

  it('reads the plain filename, quoted or not, when there is no usable filename*', () => {
    expect(attachmentFileName('attachment; filename="usage.csv"')).toBe('usage.csv')
    expect(attachmentFileName('attachment; filename=usage.csv')).toBe('usage.csv')
    expect(attachmentFileName('attachment; filename="a \\"b\\"; c.txt"')).toBe('a "b"; c.txt')
    expect(
      attachmentFileName(`attachment; filename="fallback.pdf"; filename*=UTF-8''bad%E9%.pdf`),
    ).toBe('fallback.pdf')
  })

  it('gives nothing when the header names no file', () => {
    expect(attachmentFileName(null)).toBeNull()
    expect(attachmentFileName('attachment')).toBeNull()
    expect(attachmentFileName('attachment; filename=""')).toBeNull()
  })
})
