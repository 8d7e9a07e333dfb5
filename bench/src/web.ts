import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from '@playwright/test'
import { build } from 'vite'
import type { BenchReport } from './report.ts'
import { round } from './stats.ts'

const webDir = fileURLToPath(new URL('../../apps/web/', import.meta.url))
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const threadLength = 2_000
const deltaCount = 1_000
/** A delta every 4 ms is 250 a second: faster than any model streams. */
const deltaIntervalMs = 4
const renderRuns = 5
const initialJsBudgetKb = 200

interface Size {
  raw: number
  gzip: number
}

const kb = (bytes: number) => round(bytes / 1024, 1)

async function sizeOf(files: string[]): Promise<Size> {
  let raw = 0
  let gzip = 0
  for (const file of files) {
    const bytes = await readFile(file)
    raw += bytes.length
    gzip += gzipSync(bytes, { level: 9 }).length
  }
  return { raw, gzip }
}

/** What the browser loads before the app can render: the entry, its preloads and stylesheets. */
function initialAssets(distDir: string) {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8')
  const urls = (pattern: RegExp) =>
    [...html.matchAll(pattern)].map((match) => path.join(distDir, match[1] ?? ''))
  return {
    js: [
      ...urls(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
      ...urls(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
    ],
    css: urls(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g),
  }
}

async function buildWeb(outDir: string, input?: string) {
  await build({
    root: webDir,
    configFile: path.join(webDir, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      ...(input ? { rolldownOptions: { input } } : {}),
    },
  })
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/** Serves a built folder on loopback; the page needs an http origin for module scripts. */
async function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer(async (request, response) => {
    const file = path.join(
      dir,
      decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname),
    )
    try {
      if (!file.startsWith(dir) || !(await stat(file)).isFile()) throw new Error('not a file')
      response.writeHead(200, {
        'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      })
      response.end(await readFile(file))
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { server, origin: `http://127.0.0.1:${port}` }
}

interface FrameStats {
  ms: number
  frames: number
  droppedFrames: number
  longTasks: number
  longAnimationFrames: number
}

/** The hooks `apps/web/bench/thread-bench.tsx` puts on the page (typed here for `evaluate`). */
interface ThreadBench {
  renderThread(count: number): Promise<FrameStats & { renderedRows: number; atEnd: boolean }>
  appendDeltas(
    count: number,
    intervalMs: number,
  ): Promise<FrameStats & { paints: number; atEnd: boolean }>
  scrollToStart(): Promise<FrameStats & { steps: number }>
}
declare const window: { parleyBench: ThreadBench }

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const timingRow = (name: string, stats: FrameStats, extra: Record<string, number> = {}) => ({
  case: name,
  ms: round(stats.ms, 1),
  frames: stats.frames,
  'dropped frames': stats.droppedFrames,
  'long tasks': stats.longTasks,
  ...extra,
})

export default async function webBench(): Promise<BenchReport> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'parley-bench-web-'))
  const appDir = path.join(work, 'app')
  const harnessDir = path.join(work, 'harness')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
  let server: Server | undefined
  try {
    await buildWeb(appDir)
    const assets = initialAssets(appDir)
    const initialJs = await sizeOf(assets.js)
    const initialCss = await sizeOf(assets.css)
    const allJsFiles = (await readdir(path.join(appDir, 'assets')))
      .filter((name) => name.endsWith('.js'))
      .map((name) => path.join(appDir, 'assets', name))
    const allJs = await sizeOf(allJsFiles)
    const lazy = async (prefix: string) =>
      sizeOf(allJsFiles.filter((file) => path.basename(file).startsWith(prefix)))
    const chatRoute = await lazy('chat-page-')
    const markdown = await lazy('markdown-content-')
    const highlighter = await lazy('highlight-code-')

    await buildWeb(harnessDir, path.join(webDir, 'bench/thread.html'))
    const served = await serve(harnessDir)
    server = served.server
    const url = `${served.origin}/bench/thread.html`

    const page = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      const tab = await context.newPage()
      await tab.goto(url)
      await tab.waitForSelector('html[data-ready="true"]')
      return { context, tab }
    }

    const renders: (FrameStats & { renderedRows: number; atEnd: boolean })[] = []
    for (let run = 0; run < renderRuns; run++) {
      const { context, tab } = await page()
      renders.push(await tab.evaluate((n) => window.parleyBench.renderThread(n), threadLength))
      await context.close()
    }
    const render = renders.toSorted((a, b) => a.ms - b.ms)[Math.floor(renders.length / 2)]
    if (!render?.atEnd) throw new Error('the thread did not open at its newest message')

    const { context, tab } = await page()
    await tab.evaluate((n) => window.parleyBench.renderThread(n), threadLength)
    const paced = await tab.evaluate(
      ([n, interval]) => window.parleyBench.appendDeltas(n, interval),
      [deltaCount, deltaIntervalMs] as const,
    )
    const burst = await tab.evaluate((n) => window.parleyBench.appendDeltas(n, 0), deltaCount)
    const scroll = await tab.evaluate(() => window.parleyBench.scrollToStart())
    await context.close()
    if (!paced.atEnd || !burst.atEnd) throw new Error('the thread did not follow the stream')

    return {
      name: 'web',
      description: `SPA bundle sizes; a ${threadLength.toLocaleString('en')}-message thread in headless Chromium`,
      rows: [
        {
          case: 'initial JS (entry + preloads)',
          'raw kB': kb(initialJs.raw),
          'gzip kB': kb(initialJs.gzip),
        },
        { case: 'initial CSS', 'raw kB': kb(initialCss.raw), 'gzip kB': kb(initialCss.gzip) },
        { case: 'lazy: chat route', 'raw kB': kb(chatRoute.raw), 'gzip kB': kb(chatRoute.gzip) },
        {
          case: 'lazy: markdown renderer',
          'raw kB': kb(markdown.raw),
          'gzip kB': kb(markdown.gzip),
        },
        {
          case: 'lazy: code highlighter',
          'raw kB': kb(highlighter.raw),
          'gzip kB': kb(highlighter.gzip),
        },
        { case: 'all JS', 'raw kB': kb(allJs.raw), 'gzip kB': kb(allJs.gzip) },
        timingRow(
          `render ${threadLength.toLocaleString('en')} messages (median of ${renderRuns})`,
          render,
          {
            'rows in DOM': render.renderedRows,
          },
        ),
        timingRow(
          `append ${deltaCount.toLocaleString('en')} deltas, one per ${deltaIntervalMs} ms`,
          paced,
          {
            paints: paced.paints,
          },
        ),
        timingRow(`append ${deltaCount.toLocaleString('en')} deltas at once`, burst, {
          paints: burst.paints,
        }),
        timingRow(`scroll ${threadLength.toLocaleString('en')} messages end to start`, scroll, {
          steps: scroll.steps,
        }),
      ],
      details: {
        initialJsBudgetKb,
        initialJsGzipKb: kb(initialJs.gzip),
        withinBudget: initialJs.gzip / 1024 < initialJsBudgetKb,
        initialFiles: [...assets.js, ...assets.css].map((file) => path.relative(appDir, file)),
        renderMsRuns: renders.map((run) => round(run.ms, 1)),
        renderMsMedian: round(median(renders.map((run) => run.ms)), 1),
        longAnimationFrames: {
          render: render.longAnimationFrames,
          appendPaced: paced.longAnimationFrames,
          appendBurst: burst.longAnimationFrames,
          scroll: scroll.longAnimationFrames,
        },
        notes:
          'Sizes are of a fresh production build, gzip level 9. Timings come from a page that renders the ' +
          "app's own thread components (virtualised list, markdown, streaming store) from fixtures. " +
          'Dropped frames count 60 Hz frame slots missed between animation frames; long tasks are ' +
          'main-thread tasks over 50 ms.',
      },
    }
  } finally {
    server?.close()
    await browser.close()
    await rm(work, { recursive: true, force: true })
  }
}
