import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { detectFileKind } from './detect-file-kind.ts'
import { makeDocx, makePdf } from './testing/fixtures.ts'

const text = (value: string) => new TextEncoder().encode(value)
const png = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1,
  0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde,
])

describe('detectFileKind', () => {
  it('trusts the bytes, not the name', async () => {
    const pdf = await makePdf([{ paragraphs: ['Hello.'] }])
    expect(await detectFileKind(pdf, 'notes.txt')).toEqual({
      kind: 'pdf',
      mimeType: 'application/pdf',
    })
    expect(await detectFileKind(text('Just a note.'), 'report.pdf')).toEqual({
      kind: 'text',
      mimeType: 'text/plain',
    })
  })

  it('recognises a Word document inside its ZIP container', async () => {
    const docx = makeDocx([{ text: 'Body' }])
    expect((await detectFileKind(docx, 'file.bin')).kind).toBe('docx')
  })

  it('tells the text formats apart by content, the extension breaking ties', async () => {
    expect(
      (await detectFileKind(text('<!DOCTYPE html><html><p>Hi</p></html>'), 'a.txt')).kind,
    ).toBe('html')
    expect((await detectFileKind(text('# Title\n\nBody text.'), 'notes')).kind).toBe('markdown')
    expect((await detectFileKind(text('plain words'), 'readme.md')).kind).toBe('markdown')
    expect((await detectFileKind(text('name,age\nAna,31\nBo,40\n'), 'people.csv')).kind).toBe('csv')
    // a .csv whose lines disagree on their columns is not a table
    expect(
      (await detectFileKind(text('Dear Bo,\nthanks for the call.\n'), 'letter.csv')).kind,
    ).toBe('text')
    expect((await detectFileKind(text('name,age\nAna,31\n'), 'people.txt')).kind).toBe('text')
  })

  it('refuses images, other archives and binary data', async () => {
    await expect(detectFileKind(png, 'photo.pdf')).rejects.toMatchObject({
      code: 'unsupported_type',
    })
    const zip = zipSync({ 'a.txt': strToU8('hello') })
    await expect(detectFileKind(zip, 'a.docx')).rejects.toMatchObject({ code: 'unsupported_type' })
    const binary = Uint8Array.from([0x01, 0x00, 0xff, 0xfe, 0x10, 0x00, 0x41])
    await expect(detectFileKind(binary, 'data.txt')).rejects.toMatchObject({
      code: 'unsupported_type',
    })
    // Latin-1 text is not valid UTF-8
    await expect(
      detectFileKind(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), 'a.txt'),
    ).rejects.toMatchObject({
      code: 'unsupported_type',
    })
  })

  it('says an empty file is empty', async () => {
    await expect(detectFileKind(new Uint8Array(), 'a.txt')).rejects.toMatchObject({
      code: 'empty',
      message: 'The file is empty.',
    })
    await expect(detectFileKind(text(' \n\t '), 'a.md')).rejects.toMatchObject({ code: 'empty' })
  })
})
