import type { Message } from '@parley/schema/contracts'
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import { MessageList } from '../src/features/chat/components/message-list.tsx'
import {
  appendLiveText,
  type LiveTurn,
  setTurn,
  useStreamStore,
} from '../src/features/chat/stores/stream-store.ts'
import { makeThread, replyDeltas } from './thread-fixture.ts'
import '../src/app/styles/base.css'
import '../src/features/chat/components/chat.css'

/**
 * A page for `pnpm bench web`: the app's own thread (virtualised list, message bubbles,
 * markdown, streaming store) rendered from fixtures, with timing hooks for the benchmark.
 */

interface FrameStats {
  frames: number
  droppedFrames: number
  longTasks: number
  longAnimationFrames: number
}

const frameMs = 1000 / 60
const noop = () => undefined

function watchFrames() {
  const stamps: number[] = []
  let running = true
  const tick = (now: number) => {
    stamps.push(now)
    if (running) requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
  let longTasks = 0
  let longAnimationFrames = 0
  const tasks = new PerformanceObserver((list) => {
    longTasks += list.getEntries().length
  })
  tasks.observe({ type: 'longtask' })
  const frames = new PerformanceObserver((list) => {
    longAnimationFrames += list.getEntries().length
  })
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    frames.observe({ type: 'long-animation-frame' })
  }
  return (): FrameStats => {
    running = false
    tasks.disconnect()
    frames.disconnect()
    let droppedFrames = 0
    for (let i = 1; i < stamps.length; i++) {
      const gap = (stamps[i] ?? 0) - (stamps[i - 1] ?? 0)
      droppedFrames += Math.max(0, Math.round(gap / frameMs) - 1)
    }
    return { frames: stamps.length, droppedFrames, longTasks, longAnimationFrames }
  }
}

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const container = document.getElementById('root')
if (!container) throw new Error('#root is missing')
const root = createRoot(container)
let thread: Message[] = []

function Thread({ messages, turn }: { messages: Message[]; turn: LiveTurn | undefined }) {
  return (
    <div className="app-main">
      <div className="chat">
        <MessageList
          messages={messages}
          turn={turn}
          hasOlder={false}
          loadingOlder={false}
          onLoadOlder={noop}
          onRegenerate={noop}
          onFeedback={noop}
          onEdit={noop}
          onSwitchBranch={noop}
          followKey={0}
        />
      </div>
    </div>
  )
}

const scroller = () => {
  const element = document.querySelector<HTMLElement>('.thread')
  if (!element) throw new Error('the thread is not rendered')
  return element
}

async function markdownReady() {
  await import('../src/features/chat/components/markdown/markdown-content.tsx')
  for (let i = 0; i < 3; i++) await nextFrame()
}

const bench = {
  /** Renders a thread of `count` messages and waits until it is painted at its end. */
  async renderThread(count: number) {
    thread = makeThread(count)
    await markdownReady()
    const stop = watchFrames()
    const start = performance.now()
    flushSync(() => root.render(<Thread messages={thread} turn={undefined} />))
    await nextFrame()
    await nextFrame()
    const ms = performance.now() - start
    const element = scroller()
    return {
      ms,
      ...stop(),
      renderedRows: element.querySelectorAll('.thread__row').length,
      atEnd: element.scrollHeight - element.scrollTop - element.clientHeight < 64,
    }
  },

  /** Scrolls from the end of the thread to its start, a screen at a time, one step a frame. */
  async scrollToStart() {
    const element = scroller()
    const stop = watchFrames()
    const start = performance.now()
    let steps = 0
    while (element.scrollTop > 0) {
      element.scrollTop = Math.max(0, element.scrollTop - element.clientHeight)
      steps += 1
      await nextFrame()
    }
    await nextFrame()
    return { ms: performance.now() - start, steps, ...stop() }
  },

  /**
   * Streams `count` deltas into a reply at the end of the thread, one every `intervalMs`
   * (0: all at once), and waits until the last one is on screen.
   */
  async appendDeltas(count: number, intervalMs: number) {
    const reply: Message = {
      ...(thread.at(-1) as Message),
      id: crypto.randomUUID(),
      role: 'assistant',
      content: '',
      status: 'streaming',
    }
    const messages = [...thread, reply]
    const turn: LiveTurn = { kind: 'send', phase: 'streaming', assistantMessageId: reply.id }
    setTurn(reply.conversationId, turn)
    flushSync(() => root.render(<Thread messages={messages} turn={turn} />))
    const element = scroller()
    element.scrollTop = element.scrollHeight
    for (let i = 0; i < 3; i++) await nextFrame()

    const deltas = replyDeltas(count)
    const finalLength = deltas.join('').length
    let paints = 0
    const unsubscribe = useStreamStore.subscribe(() => {
      paints += 1
    })
    const stop = watchFrames()
    const start = performance.now()
    for (const delta of deltas) {
      appendLiveText(reply.id, delta)
      if (intervalMs > 0) await sleep(intervalMs)
    }
    while ((useStreamStore.getState().liveText[reply.id]?.length ?? 0) < finalLength) {
      await nextFrame()
    }
    await nextFrame()
    const ms = performance.now() - start
    unsubscribe()
    const atEnd = element.scrollHeight - element.scrollTop - element.clientHeight < 64
    return { ms, paints, atEnd, ...stop() }
  },
}

declare global {
  interface Window {
    parleyBench: typeof bench
  }
}

window.parleyBench = bench
document.documentElement.dataset.ready = 'true'
