import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A passage of real documentation: what a parsed Markdown file gives the ingest. */
export interface Passage {
  headingPath: string[]
  content: string
}

export interface Corpus {
  passages: Passage[]
  /** Sentences of the same docs, for messages. */
  sentences: string[]
  /** Questions a user might ask of these docs (content words of passages, in question form). */
  questions: string[]
}

const packagesDir = fileURLToPath(new URL('../../../node_modules/.pnpm/', import.meta.url))

/** The Markdown docs that installed npm packages ship (READMEs and docs folders). */
async function markdownFiles(limit: number): Promise<string[]> {
  const found: string[] = []
  for (const store of (await readdir(packagesDir)).sort()) {
    const modules = path.join(packagesDir, store, 'node_modules')
    const names = await readdir(modules).catch(() => [] as string[])
    for (const name of names) {
      const dirs = name.startsWith('@')
        ? (await readdir(path.join(modules, name)).catch(() => [])).map((n) => `${name}/${n}`)
        : [name]
      for (const dir of dirs) found.push(path.join(modules, dir, 'README.md'))
    }
    if (found.length >= limit * 2) break
  }
  const readable = await Promise.all(
    found.map(async (file) =>
      (await readFile(file, 'utf8').catch(() => '')).length > 2000 ? file : null,
    ),
  )
  return readable.filter((file): file is string => file !== null).slice(0, limit)
}

/** Splits a Markdown document into ~2,000-character passages under their headings. */
export function passagesOf(markdown: string, target = 2000): Passage[] {
  const passages: Passage[] = []
  const headings: string[] = []
  let buffer = ''
  const flush = () => {
    const content = buffer.trim()
    if (content.length > 200) passages.push({ headingPath: [...headings], content })
    buffer = ''
  }
  for (const block of markdown.split(/\n{2,}/)) {
    const heading = /^(#{1,4})\s+(.+)$/.exec(block.trim())
    if (heading?.[1] && heading[2]) {
      flush()
      headings.splice(heading[1].length - 1)
      headings[heading[1].length - 1] = heading[2].slice(0, 200)
      continue
    }
    if (buffer.length + block.length > target) flush()
    buffer += `${block.slice(0, target)}\n\n`
  }
  flush()
  return passages
}

const stopWords = new Set(
  'the a an and or of to in on for with is are be by this that it as at from you your can use will not if when'.split(
    ' ',
  ),
)

/** A seeded pseudo-random generator, so every run asks the same questions. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function questionFrom(passage: Passage, next: () => number): string {
  const words = passage.content
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((word) => word.length > 3 && !stopWords.has(word))
  const picked = Array.from({ length: 3 }, () => words[Math.floor(next() * words.length)] ?? '')
  const openers = ['how do I', 'what is the way to', 'can I', 'why does']
  return `${openers[Math.floor(next() * openers.length)]} ${picked.join(' ')}?`
}

export async function loadCorpus({ files = 200, questions = 200 } = {}): Promise<Corpus> {
  const docs = await Promise.all((await markdownFiles(files)).map((file) => readFile(file, 'utf8')))
  const passages = docs.flatMap((doc) => passagesOf(doc))
  const sentences = passages
    .flatMap((p) => p.content.split(/(?<=[.!?])\s+/))
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length >= 40 && s.length <= 600)
  const next = seededRandom(42)
  return {
    passages,
    sentences,
    questions: Array.from({ length: questions }, () =>
      questionFrom(
        passages[Math.floor(next() * passages.length)] ?? { headingPath: [], content: '' },
        next,
      ),
    ),
  }
}
