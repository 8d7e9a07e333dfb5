import { DocumentReader, extractDocument } from '@parley/documents'
import { makePdf, prose } from '@parley/documents/testing'
import type { BenchReport } from '../report.ts'
import { loadQualitySet, readCorpus } from './quality-set.ts'

export interface IngestOptions {
  /** Pages of the generated PDF; default 200. */
  pdfPages?: number
  /** Megabytes of Markdown to extract and chunk; default 8. */
  markdownMb?: number
  /** Timed runs of each measure (the median is reported); default 3. */
  runs?: number
}

const MB = 1024 * 1024

/**
 * Ingest throughput: a generated PDF read through `DocumentReader` (worker thread, pages/s), and
 * real Markdown (the quality set's READMEs, repeated) through extract + chunk in-process (MB/s).
 */
export async function benchIngest(options: IngestOptions = {}): Promise<BenchReport> {
  const pages = options.pdfPages ?? 200
  const runs = options.runs ?? 3
  const pdf = await generatedPdf(pages)
  const reader = new DocumentReader()
  const pdfRun = async () => (await reader.read(pdf, 'bench.pdf')).chunks.length
  try {
    await reader.read(new TextEncoder().encode('warm up'), 'warm.txt')
    const pdfTimes = await timed(runs, pdfRun)
    const markdown = await markdownCorpus((options.markdownMb ?? 8) * MB)
    await extractDocument(new TextEncoder().encode('# warm up'), 'warm.md')
    const markdownRun = async () => (await extractDocument(markdown, 'corpus.md')).chunks.length
    const markdownTimes = await timed(runs, markdownRun)
    const pdfSeconds = median(pdfTimes.ms) / 1000
    const markdownSeconds = median(markdownTimes.ms) / 1000
    return {
      name: 'knowledge-ingest',
      description: 'reading documents into chunks: PDF pages per second, Markdown MB per second',
      rows: [
        {
          input: `PDF, ${pages} pages, ${(pdf.length / MB).toFixed(2)} MB`,
          path: 'DocumentReader (worker)',
          chunks: pdfTimes.result,
          medianMs: Math.round(median(pdfTimes.ms)),
          rate: `${(pages / pdfSeconds).toFixed(1)} pages/s`,
        },
        {
          input: `Markdown, ${(markdown.length / MB).toFixed(2)} MB`,
          path: 'extractDocument (in-process)',
          chunks: markdownTimes.result,
          medianMs: Math.round(median(markdownTimes.ms)),
          rate: `${(markdown.length / MB / markdownSeconds).toFixed(2)} MB/s`,
        },
      ],
      details: { runs, pdfMs: pdfTimes.ms, markdownMs: markdownTimes.ms },
      notes: [
        `median of ${runs} runs after a warm-up; the PDF is generated with pdf-lib (a heading and three paragraphs per page)`,
        'chunks: ~512 tokens with ~64 overlap, counted with the o200k tokenizer',
      ],
    }
  } finally {
    await reader.close()
  }
}

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

async function timed<T>(runs: number, run: () => Promise<T>): Promise<{ ms: number[]; result: T }> {
  const ms: number[] = []
  let result = await run()
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    result = await run()
    ms.push(performance.now() - started)
  }
  return { ms, result }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
