import { strToU8, unzipSync, Zip, ZipDeflate, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { extractDocument } from './extract-document.ts'
import {
  makeDocx,
  makeEncryptedPdf,
  makePdf,
  prose,
  understateZipSizes,
} from './testing/fixtures.ts'

const text = (value: string) => new TextEncoder().encode(value)
const KNOWN_SENTENCE = 'The lighthouse keeper logged forty seven ships in March.'

describe('extractDocument', () => {
  it('reads a PDF into chunks that know their page and headings', async () => {
    const pdf = await makePdf([
      { heading: 'Annual Review', paragraphs: [prose(12, 1), prose(12, 2)] },
      {
        heading: 'Operations',
        subheading: 'Harbour traffic',
        paragraphs: [KNOWN_SENTENCE, prose(8, 3)],
      },
      { paragraphs: [prose(10, 4)] },
    ])
    const document = await extractDocument(pdf, 'review.txt')
    expect(document).toMatchObject({ kind: 'pdf', mimeType: 'application/pdf', pageCount: 3 })
    const known = document.chunks.find((chunk) => chunk.text.includes(KNOWN_SENTENCE))
    expect(known).toMatchObject({ page: 2, headingPath: ['Operations', 'Harbour traffic'] })
    expect(document.chunks[0]).toMatchObject({ page: 1, headingPath: ['Annual Review'] })
    // a page without headings stays under the last heading seen
    expect(document.chunks.at(-1)).toMatchObject({
      page: 3,
      headingPath: ['Operations', 'Harbour traffic'],
    })
    expect(document.textChars).toBeGreaterThan(KNOWN_SENTENCE.length)
  })

  it('refuses a password-protected PDF, saying so', async () => {
    await expect(extractDocument(await makeEncryptedPdf(), 'secret.pdf')).rejects.toMatchObject({
      code: 'encrypted',
      message: expect.stringContaining('password'),
    })
  })

  it('refuses a truncated PDF as damaged', async () => {
    const pdf = await makePdf([{ paragraphs: [prose(40)] }, { paragraphs: [prose(40, 2)] }])
    await expect(extractDocument(pdf.slice(0, pdf.length / 2), 'cut.pdf')).rejects.toMatchObject({
      code: 'corrupt',
      message: 'This PDF is damaged and cannot be opened.',
    })
  })

  it('says a PDF without a text layer has none, rather than reading it as empty text', async () => {
    const scan = await makePdf([{ paragraphs: [] }, { paragraphs: [] }])
    await expect(extractDocument(scan, 'scan.pdf')).rejects.toMatchObject({
      code: 'empty',
      message: expect.stringContaining('no text layer'),
    })
  })

  it('refuses a PDF with more pages than allowed', async () => {
    const pdf = await makePdf([{ paragraphs: ['a'] }, { paragraphs: ['b'] }, { paragraphs: ['c'] }])
    await expect(extractDocument(pdf, 'long.pdf', { maxPages: 2 })).rejects.toMatchObject({
      code: 'too_many_pages',
      message: 'This PDF has 3 pages; Parley reads PDFs of up to 2 pages.',
    })
  })

  it('reads a Word document with its heading styles as the heading path', async () => {
    const docx = makeDocx([
      { heading: 1, text: 'Onboarding' },
      { text: 'Welcome to the team.' },
      { heading: 2, text: 'First week' },
      { text: 'You will meet your mentor on Tuesday.' },
    ])
    const document = await extractDocument(docx, 'onboarding.docx')
    expect(document).toMatchObject({ kind: 'docx', pageCount: null })
    expect(document.chunks.map((chunk) => [chunk.headingPath, chunk.text])).toEqual([
      [['Onboarding'], '# Onboarding\n\nWelcome to the team.'],
      [['Onboarding', 'First week'], '## First week\n\nYou will meet your mentor on Tuesday.'],
    ])
  })

  it('refuses a Word document that would inflate to an absurd size, before inflating it', async () => {
    const bomb = makeDocx([{ text: 'tiny' }], 40 * 1024 * 1024)
    expect(bomb.length).toBeLessThan(1024 * 1024)
    await expect(extractDocument(bomb, 'bomb.docx')).rejects.toMatchObject({ code: 'too_large' })
    await expect(
      extractDocument(makeDocx([{ text: 'small' }], 64 * 1024), 'big.docx', {
        maxUnzippedBytes: 32 * 1024,
      }),
    ).rejects.toMatchObject({ code: 'too_large', message: expect.stringContaining('would expand') })
  })

  it('refuses a Word document whose ZIP understates its inflated size, stopping at the cap', async () => {
    const liar = understateZipSizes(makeDocx([{ text: 'tiny' }], 40 * 1024 * 1024), 1024)
    expect(liar.length).toBeLessThan(1024 * 1024)
    await expect(extractDocument(liar, 'liar.docx')).rejects.toMatchObject({
      code: 'too_large',
      message:
        'This Word document would expand to more than 10 MB when opened, more than Parley reads.',
    })
    const small = understateZipSizes(makeDocx([{ text: 'small' }], 64 * 1024), 10)
    await expect(
      extractDocument(small, 'small.docx', { maxUnzippedBytes: 32 * 1024 }),
    ).rejects.toMatchObject({ code: 'too_large', message: expect.stringContaining('would expand') })
  })

  it('reads a Word document written with data descriptors, as streaming writers do', async () => {
    const parts = unzipSync(makeDocx([{ heading: 1, text: 'Streamed' }, { text: 'Body text.' }]))
    const chunks: Uint8Array[] = []
    const zip = new Zip((error, chunk) => {
      if (error) throw error
      chunks.push(chunk)
    })
    for (const [name, data] of Object.entries(parts)) {
      const file = new ZipDeflate(name, { level: 6 })
      zip.add(file)
      file.push(data, true)
    }
    zip.end()
    const streamed = new Uint8Array(await new Blob(chunks).arrayBuffer())
    const document = await extractDocument(streamed, 'streamed.docx')
    expect(document.chunks.map((chunk) => chunk.text)).toEqual(['# Streamed\n\nBody text.'])
  })

  it('refuses empty files, images and archives that are not Word documents', async () => {
    await expect(extractDocument(new Uint8Array(), 'a.pdf')).rejects.toMatchObject({
      code: 'empty',
    })
    const zip = zipSync({ 'notes.txt': strToU8('hello') })
    await expect(extractDocument(zip, 'notes.zip')).rejects.toMatchObject({
      code: 'unsupported_type',
      message: expect.stringContaining('Upload a PDF'),
    })
  })

  it('reads text named .pdf as text', async () => {
    const document = await extractDocument(text('Meeting notes.\n\nBring the budget.'), 'notes.pdf')
    expect(document).toMatchObject({ kind: 'text', mimeType: 'text/plain', pageCount: null })
    expect(document.chunks.map((chunk) => chunk.text)).toEqual([
      'Meeting notes.\n\nBring the budget.',
    ])
  })

  it('reads the article of a web page without its navigation and footer', async () => {
    const html = `<!doctype html><html><head><title>Tides</title></head><body>
      <nav><a href="/">Home</a><a href="/shop">Shop our store</a></nav>
      <article><h1>Understanding tides</h1><p>${prose(6, 1)}</p>
      <h2>Spring tides</h2><p>Spring tides happen when the sun and moon align. ${prose(6, 2)}</p>
      <ul><li>New moon</li><li>Full moon</li></ul></article>
      <footer>Copyright Example Corp. Subscribe to the newsletter.</footer></body></html>`
    const document = await extractDocument(text(html), 'tides.html')
    expect(document.kind).toBe('html')
    const all = document.chunks.map((chunk) => chunk.text).join('\n')
    expect(all).not.toContain('Shop our store')
    expect(all).not.toContain('Subscribe to the newsletter')
    const spring = document.chunks.find((chunk) => chunk.text.includes('sun and moon align'))
    expect(spring?.headingPath.at(-1)).toBe('Spring tides')
    expect(spring?.text).toContain('- Full moon')
  })

  it('reads a CSV in chunks that each start with the header row', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i},"Widget ${i}, large",${i * 2}`)
    const csv = `id,name,price\n${rows.join('\n')}\n`
    const document = await extractDocument(text(csv), 'stock.csv')
    expect(document.kind).toBe('csv')
    expect(document.chunks.length).toBeGreaterThan(1)
    for (const chunk of document.chunks) expect(chunk.text.startsWith('id,name,price\n')).toBe(true)
  })

  it('reads Markdown with nested headings into heading paths, ignoring # inside code', async () => {
    const markdown = [
      '# Handbook',
      'Intro text.',
      '## Travel',
      '### Booking',
      'Book trains two weeks ahead.',
      '```sh',
      '# not a heading',
      '```',
      '## Expenses',
      'Keep receipts.',
    ].join('\n')
    const document = await extractDocument(text(markdown), 'handbook.md')
    expect(document.kind).toBe('markdown')
    expect(document.chunks.map((chunk) => chunk.headingPath)).toEqual([
      ['Handbook'],
      ['Handbook', 'Travel', 'Booking'],
      ['Handbook', 'Expenses'],
    ])
    expect(document.chunks[1]?.text).toContain('# not a heading')
  })

  it('refuses a document with more text than allowed', async () => {
    await expect(
      extractDocument(text(prose(50)), 'a.txt', { maxTextChars: 100 }),
    ).rejects.toMatchObject({
      code: 'too_large',
    })
  })
})
