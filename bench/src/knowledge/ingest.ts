import os from 'node:os'
import { DocumentReader, type ExtractedDocument, extractDocument } from '@parley/documents'
import { makePdf, prose } from '@parley/documents/testing'
import { createEmbedder } from '@parley/llm'
import { startFakeUpstream } from '@parley/llm/testing'
import type { BenchReport } from '../report.ts'
import { loadQualitySet, readCorpus } from './quality-set.ts'

export interface IngestOptions {
  /** Pages of the generated PDF; default 200 (`BENCH_INGEST_PDF_PAGES`). */
  pdfPages?: number
  /** Megabytes of Markdown to extract and chunk; default 8. */
  markdownMb?: number
  /** Timed runs of each measure (the median is reported); default 5. */
  runs?: number
}

const MB = 1024 * 1024
const embeddingModel = 'text-embedding-3-small'
/** The size the ingest part was first run at, kept as a row to show how the rate depends on size. */
const smokePages = 20

interface Measured {
  ms: number[]
  document: ExtractedDocument
}

/**
 * Ingest throughput, as the API's ingest queue does it minus the database: a PDF generated here
 * read through `DocumentReader` (worker thread: extraction and chunking), then the same with
 * every passage embedded through the real embedder (OpenAI SDK) against the loopback fake
 * embeddings endpoint; and real Markdown (the quality set's READMEs, repeated) through extract +
 * chunk in-process. Pages/s and MB/s of extracted text.
 */
export async function benchIngest(options: IngestOptions = {}): Promise<BenchReport> {
  const pages = options.pdfPages ?? Number(process.env.BENCH_INGEST_PDF_PAGES || 200)
  const runs = options.runs ?? 5
  const loadBefore = os.loadavg()
  const pdf = await generatedPdf(pages)
  const smallPdf = await generatedPdf(smokePages)
  const reader = new DocumentReader()
  const fake = await startFakeUpstream()
  const embedder = createEmbedder({
    baseURL: fake.openaiBaseUrl,
    apiKey: 'bench',
    model: embeddingModel,
  })
  try {
    await reader.read(new TextEncoder().encode('warm up'), 'warm.txt')
    await embedder.embed(['warm up'])
    const small = await timed(runs, () => reader.read(smallPdf, 'small.pdf'))
    const read = await timed(runs, () => reader.read(pdf, 'bench.pdf'))
    const embedded = await timed(runs, async () => {
      const document = await reader.read(pdf, 'bench.pdf')
      await embedder.embed(document.chunks.map((chunk) => chunk.text))
      return document
    })
    const markdown = await markdownCorpus((options.markdownMb ?? 8) * MB)
    await extractDocument(new TextEncoder().encode('# warm up'), 'warm.md')
    const extracted = await timed(runs, () => extractDocument(markdown, 'corpus.md'))
    const loadAfter = os.loadavg()
    const pdfInput = `PDF, ${pages} pages, ${(pdf.length / MB).toFixed(2)} MB`
    return {
      name: 'knowledge-ingest',
      description:
        'reading documents into passages: pages/s and MB/s of extracted text, with and without embedding',
      header: [
        `load average (1/5/15 min) before ${loads(loadBefore)}, after ${loads(loadAfter)}; ${os.cpus().length} CPUs`,
      ],
      rows: [
        row(
          `PDF, ${smokePages} pages, ${(smallPdf.length / MB).toFixed(2)} MB`,
          'DocumentReader (worker: extract + chunk)',
          small,
          smokePages,
        ),
        row(pdfInput, 'DocumentReader (worker: extract + chunk)', read, pages),
        row(
          pdfInput,
          `the same + embed every passage (fake endpoint, ${embeddingModel}, batches of 64)`,
          embedded,
          pages,
        ),
        row(
          `Markdown, ${(markdown.length / MB).toFixed(2)} MB`,
          'extractDocument (in-process)',
          extracted,
          null,
        ),
      ],
      details: {
        runs,
        pdfPages: pages,
        pdfBytes: pdf.length,
        pdfTextChars: read.document.textChars,
        smallPdfMs: small.ms,
        pdfMs: read.ms,
        pdfEmbeddedMs: embedded.ms,
        markdownMs: extracted.ms,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      notes: [
        `median of ${runs} runs after a warm-up; the PDF is generated at bench time with pdf-lib (a heading and three paragraphs per page)`,
        'text MB/s counts the characters the reader extracted (ASCII here, so bytes), before chunk overlap',
        'chunks: ~512 tokens with ~64 overlap, counted with the o200k tokenizer',
        'embedding: the fake upstream runs in the bench process and answers at once, so that row is the client side of embedding (token counting, batching, JSON), not a model',
      ],
    }
  } finally {
    await reader.close()
    await fake.close()
  }
}

function row(input: string, path: string, measured: Measured, pages: number | null) {
  const seconds = median(measured.ms) / 1000
  const textMb = measured.document.textChars / MB
  return {
    input,
    path,
    chunks: measured.document.chunks.length,
    medianMs: Math.round(median(measured.ms)),
    'pages/s': pages === null ? '' : Number((pages / seconds).toFixed(1)),
    'text MB/s': Number((textMb / seconds).toFixed(2)),
  }
}

const loads = (values: number[]) => values.map((l) => l.toFixed(2)).join(' ')

function generatedPdf(pages: number): Promise<Uint8Array> {
  return makePdf(
    Array.from({ length: pages }, (_, i) => ({
      heading: `Chapter ${i + 1}`,
      paragraphs: [prose(6, i * 3 + 1), prose(6, i * 3 + 2), prose(6, i * 3 + 3)],
    })),
  )
}

/** The quality set's READMEs joined and repeated to at least `bytes`. */
async function markdownCorpus(bytes: number): Promise<Uint8Array> {
  const files = await readCorpus(await loadQualitySet())
  const decoder = new TextDecoder()
  const once = files.map((file) => decoder.decode(file.bytes)).join('\n\n')
  const copies = Math.max(1, Math.ceil(bytes / Buffer.byteLength(once)))
  return new TextEncoder().encode(Array.from({ length: copies }, () => once).join('\n\n'))
}

async function timed(runs: number, run: () => Promise<ExtractedDocument>): Promise<Measured> {
  const ms: number[] = []
  let document = await run()
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    document = await run()
    ms.push(performance.now() - started)
  }
  return { ms, document }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
