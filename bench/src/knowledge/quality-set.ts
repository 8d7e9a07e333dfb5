import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type DocumentChunk, extractDocument } from '@parley/documents'

export interface QualityQuestion {
  id: string
  /** Asked as a person would, without the passage's wording. */
  question: string
  package: string
  file: string
  /** A distinctive substring of the passage that answers the question. */
  passage: string
}

export interface CorpusSource {
  package: string
  file: string
  /** The version the questions were written against. */
  version: string
}

export interface QualitySet {
  description: string
  corpus: CorpusSource[]
  questions: QualityQuestion[]
}

/** A chunk of the corpus, named so a ranking can return it. */
export interface CorpusChunk extends DocumentChunk {
  /** `<package>/<file>#<ordinal>` */
  id: string
  package: string
  file: string
}

/** Ranks the corpus's chunks for a question, best first; only the first 10 ids are read. */
export type RankChunks = (
  question: string,
  chunks: readonly CorpusChunk[],
) => Promise<readonly string[]>

export interface QuestionScore {
  id: string
  /** 1-based rank of the first relevant chunk, or null when none is in the top 10. */
  firstRelevantRank: number | null
  ndcgAt10: number
}

export interface QualityScores {
  questions: number
  /** Share of questions with a relevant chunk in the top 5 (top 10). */
  recallAt5: number
  recallAt10: number
  /** Mean nDCG@10, binary relevance: every chunk holding the passage counts. */
  ndcgAt10: number
  perQuestion: QuestionScore[]
}

const qualitySetUrl = new URL('./quality-set.json', import.meta.url)
// pnpm links every installed package here, whichever workspace package depends on it
const packagesDir = fileURLToPath(
  new URL('../../../node_modules/.pnpm/node_modules/', import.meta.url),
)

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim()

export async function loadQualitySet(): Promise<QualitySet> {
  return JSON.parse(await readFile(qualitySetUrl, 'utf8')) as QualitySet
}

/** The corpus files as installed, warning when a package's version differs from the set's. */
export async function readCorpus(
  set: QualitySet,
): Promise<{ source: CorpusSource; bytes: Uint8Array }[]> {
  return Promise.all(
    set.corpus.map(async (source) => {
      const installed = await readJson(`${packagesDir}${source.package}/package.json`)
      if (installed.version !== source.version) {
        console.warn(
          `${source.package} is ${installed.version}; the set was written for ${source.version}`,
        )
      }
      return { source, bytes: await readFile(`${packagesDir}${source.package}/${source.file}`) }
    }),
  )
}

/**
 * Reads every corpus file through `extractDocument` (detect, extract, chunk) and checks that
 * each question's passage is in some chunk, so a broken set fails loudly.
 */
export async function chunkCorpus(set: QualitySet): Promise<CorpusChunk[]> {
  const chunks: CorpusChunk[] = []
  for (const { source, bytes } of await readCorpus(set)) {
    const document = await extractDocument(bytes, source.file)
    for (const chunk of document.chunks) {
      const id = `${source.package}/${source.file}#${chunk.ordinal}`
      chunks.push({ ...chunk, id, package: source.package, file: source.file })
    }
  }
  const unanswerable = set.questions.filter((question) => relevantIds(question, chunks).size === 0)
  if (unanswerable.length > 0) {
    throw new Error(`no chunk holds the passage of ${unanswerable.map((q) => q.id).join(', ')}`)
  }
  return chunks
}

async function readJson(path: string): Promise<{ version?: string }> {
  return JSON.parse(await readFile(path, 'utf8')) as { version?: string }
}

function relevantIds(question: QualityQuestion, chunks: readonly CorpusChunk[]): Set<string> {
  const passage = collapse(question.passage)
  return new Set(
    chunks
      .filter((chunk) => chunk.package === question.package && chunk.file === question.file)
      .filter((chunk) => collapse(chunk.text).includes(passage))
      .map((chunk) => chunk.id),
  )
}

/** Scores a ranking on every question of the set: recall@5, recall@10 and nDCG@10. */
export async function evaluateRanking(
  set: QualitySet,
  chunks: readonly CorpusChunk[],
  rank: RankChunks,
): Promise<QualityScores> {
  const perQuestion: QuestionScore[] = []
  for (const question of set.questions) {
    const relevant = relevantIds(question, chunks)
    const ranked = (await rank(question.question, chunks)).slice(0, 10)
    const index = ranked.findIndex((id) => relevant.has(id))
    perQuestion.push({
      id: question.id,
      firstRelevantRank: index < 0 ? null : index + 1,
      ndcgAt10: ndcg(ranked, relevant),
    })
  }
  const share = (hit: (score: QuestionScore) => boolean) =>
    perQuestion.filter(hit).length / Math.max(1, perQuestion.length)
  return {
    questions: perQuestion.length,
    recallAt5: share((score) => score.firstRelevantRank !== null && score.firstRelevantRank <= 5),
    recallAt10: share((score) => score.firstRelevantRank !== null),
    ndcgAt10:
      perQuestion.reduce((sum, score) => sum + score.ndcgAt10, 0) / Math.max(1, perQuestion.length),
    perQuestion,
  }
}

function ndcg(ranked: readonly string[], relevant: ReadonlySet<string>): number {
  const gain = (position: number) => 1 / Math.log2(position + 2)
  const dcg = ranked.reduce((sum, id, i) => sum + (relevant.has(id) ? gain(i) : 0), 0)
  let ideal = 0
  for (let i = 0; i < Math.min(relevant.size, 10); i++) ideal += gain(i)
  return ideal === 0 ? 0 : dcg / ideal
}

/**
 * A keyword baseline (BM25 over lower-cased words, k1 1.2, b 0.75) to compare retrieval against:
 * what a ranking must beat to earn its cost.
 */
export function keywordRanking(chunks: readonly CorpusChunk[]): RankChunks {
  const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  const documents = chunks.map((chunk) => {
    const counts = new Map<string, number>()
    for (const word of words(chunk.text)) counts.set(word, (counts.get(word) ?? 0) + 1)
    return { id: chunk.id, counts, length: words(chunk.text).length }
  })
  const averageLength =
    documents.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, documents.length)
  const frequency = new Map<string, number>()
  for (const doc of documents)
    for (const word of doc.counts.keys()) frequency.set(word, (frequency.get(word) ?? 0) + 1)
  const idf = (word: string) => {
    const n = frequency.get(word) ?? 0
    return Math.log(1 + (documents.length - n + 0.5) / (n + 0.5))
  }
  return async (question) => {
    const terms = [...new Set(words(question))]
    const scored = documents.map((doc) => {
      let score = 0
      for (const term of terms) {
        const tf = doc.counts.get(term) ?? 0
        score += (idf(term) * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * doc.length) / averageLength))
      }
      return { id: doc.id, score }
    })
    return scored.sort((a, b) => b.score - a.score).map((doc) => doc.id)
  }
}
