import { makeDocx, makeEncryptedPdf, makePdf, prose } from '@parley/documents/testing'
import { strToU8, zipSync } from 'fflate'

/** Small documents of each kind, made here rather than downloaded. */
export const documentFixtures = {
  markdown: `# Field guide

## Birds

The robin sings at dawn from the top of the hedge.

### Nesting

Robins nest in ivy and in old kettles left in sheds.
`,
  text: 'Plain notes.\n\nThe meeting moved to Thursday at ten, in the small room.\n',
  html: `<!doctype html><html><head><title>Garden</title></head><body>
<nav><a href="/">Home</a> · <a href="/about">About</a></nav>
<article><h1>Composting</h1><p>Turn the compost heap every two weeks so that it stays warm and
breaks down evenly. Keep it as damp as a wrung-out sponge.</p>
<h2>What to add</h2><p>Vegetable peelings, coffee grounds, cardboard and grass cuttings.</p></article>
<footer>© Garden club</footer></body></html>`,
  csv: 'city,country,population\nLisbon,Portugal,545000\nPorto,Portugal,232000\nBraga,Portugal,193000\n',
  /** A PNG's signature and header: an image, not a document. */
  png: new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1,
    0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
  ]),
  /** Two pages with headings; the second says where the spare key is. */
  pdf: async () =>
    bytes(
      await makePdf([
        { heading: 'Household', paragraphs: [prose(6)] },
        { heading: 'Keys', paragraphs: ['The spare key hangs inside the garden shed door.'] },
      ]),
    ),
  encryptedPdf: async () => bytes(await makeEncryptedPdf()),
  /** A PDF cut off halfway through. */
  truncatedPdf: async () => {
    const whole = await makePdf([{ paragraphs: [prose(40)] }])
    return bytes(whole.slice(0, Math.floor(whole.length / 2)))
  },
  docx: () =>
    bytes(
      makeDocx([
        { heading: 1, text: 'Minutes' },
        { text: 'The committee agreed to repaint the village hall in May.' },
      ]),
    ),
  /** A Word document whose text inflates to `inflatedBytes` of blanks from a few kilobytes. */
  docxBomb: (inflatedBytes: number) => bytes(makeDocx([{ text: 'Boom.' }], inflatedBytes)),
  /** A ZIP that is not a Word document. */
  zip: () => bytes(zipSync({ 'notes/readme.txt': strToU8('not a document') })),
}

const bytes = (array: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(array)
