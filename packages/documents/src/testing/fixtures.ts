import { strToU8, zipSync } from 'fflate'
import { PDFDocument, type PDFFont, PDFHexString, StandardFonts } from 'pdf-lib'

export interface PdfPage {
  heading?: string
  subheading?: string
  paragraphs: string[]
}

const PAGE_WIDTH = 595
const PAGE_HEIGHT = 842
const MARGIN = 56
const BODY_SIZE = 11

/** A PDF with a text layer: headings in larger type, paragraphs wrapped to the page. */
export async function makePdf(pages: PdfPage[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create()
  const regular = await pdf.embedFont(StandardFonts.Helvetica)
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold)
  for (const content of pages) {
    const page = pdf.addPage([PAGE_WIDTH, PAGE_HEIGHT])
    let y = PAGE_HEIGHT - MARGIN
    const line = (text: string, font: PDFFont, size: number) => {
      page.drawText(text, { x: MARGIN, y, size, font })
      y -= size * 1.4
    }
    if (content.heading) line(content.heading, bold, 20)
    if (content.subheading) line(content.subheading, bold, 15)
    for (const paragraph of content.paragraphs) {
      for (const text of wrap(paragraph, regular, BODY_SIZE)) line(text, regular, BODY_SIZE)
      y -= BODY_SIZE
    }
  }
  return pdf.save({ useObjectStreams: false })
}

function wrap(text: string, font: PDFFont, size: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`
    if (font.widthOfTextAtSize(candidate, size) > PAGE_WIDTH - 2 * MARGIN && current !== '') {
      lines.push(current)
      current = word
    } else {
      current = candidate
    }
  }
  if (current !== '') lines.push(current)
  return lines
}

/**
 * A PDF under the standard security handler whose user password is not empty: its keys are
 * random, so no reader can open it without the (nonexistent) password.
 */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.load(await makePdf([{ paragraphs: ['A secret text.'] }]))
  const hex = (seed: number) =>
    PDFHexString.of(
      Array.from({ length: 32 }, (_, i) =>
        ((seed * 31 + i * 17) % 256).toString(16).padStart(2, '0'),
      ).join(''),
    )
  const encrypt = pdf.context.obj({ Filter: 'Standard', V: 1, R: 2, O: hex(1), U: hex(2), P: -44 })
  pdf.context.trailerInfo.Encrypt = pdf.context.register(encrypt)
  pdf.context.trailerInfo.ID = pdf.context.obj([hex(3), hex(4)])
  return pdf.save({ useObjectStreams: false })
}

export interface DocxParagraph {
  /** Word's heading level (1-6), or absent for body text. */
  heading?: number
  text: string
}

const escapeXml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** A minimal Word document built as the ZIP of XML parts Word writes; `padding` inflates document.xml. */
export function makeDocx(paragraphs: DocxParagraph[], padding = 0): Uint8Array {
  const body = paragraphs
    .map(({ heading, text }) => {
      const style = heading ? `<w:pPr><w:pStyle w:val="Heading${heading}"/></w:pPr>` : ''
      return `<w:p>${style}<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`
    })
    .join('')
  const ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${ns}><w:body>${body}${' '.repeat(padding)}</w:body></w:document>`
  const styles = [1, 2, 3]
    .map(
      (level) =>
        `<w:style w:type="paragraph" w:styleId="Heading${level}"><w:name w:val="heading ${level}"/></w:style>`,
    )
    .join('')
  return zipSync(
    {
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>',
      ),
      '_rels/.rels': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
      ),
      'word/_rels/document.xml.rels': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
      ),
      'word/document.xml': strToU8(document),
      'word/styles.xml': strToU8(
        `<?xml version="1.0" encoding="UTF-8"?><w:styles ${ns}>${styles}</w:styles>`,
      ),
    },
    { level: 9 },
  )
}

/**
 * The same ZIP with every local header and directory entry claiming `claimedSize` inflated bytes,
 * whatever the parts really hold: the sizes a crafted bomb lies about.
 */
export function understateZipSizes(zip: Uint8Array, claimedSize: number): Uint8Array {
  const out = zip.slice()
  const view = new DataView(out.buffer)
  let end = out.length - 22
  while (view.getUint32(end, true) !== 0x06054b50) end--
  const count = view.getUint16(end + 10, true)
  let entry = view.getUint32(end + 16, true)
  for (let i = 0; i < count; i++) {
    const local = view.getUint32(entry + 42, true)
    view.setUint32(entry + 24, claimedSize, true)
    view.setUint32(local + 22, claimedSize, true)
    const [name, extra, comment] = [28, 30, 32].map((at) => view.getUint16(entry + at, true))
    entry += 46 + (name ?? 0) + (extra ?? 0) + (comment ?? 0)
  }
  return out
}

/** Deterministic prose: `count` sentences built from a small vocabulary, seeded. */
export function prose(count: number, seed = 1): string {
  const words = [
    'river',
    'stone',
    'ledger',
    'quiet',
    'harbor',
    'lantern',
    'meadow',
    'copper',
    'signal',
    'orchard',
    'winter',
    'paper',
  ]
  let state = seed
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state
  }
  return Array.from({ length: count }, () => {
    const length = 8 + (next() % 10)
    const sentence = Array.from({ length }, () => words[next() % words.length]).join(' ')
    return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`
  }).join(' ')
}
