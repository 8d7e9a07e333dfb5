import { Worker } from 'node:worker_threads'
import { DocumentError } from './document-error.ts'
import type { WorkerReply, WorkerRequest } from './document-worker.ts'
import {
  defaultExtractLimits,
  type ExtractedDocument,
  type ExtractLimits,
} from './extract-document.ts'

export interface DocumentReaderOptions {
  /** Workers reading at once; default 1. */
  size?: number
  limits?: Partial<ExtractLimits>
  /** Heap limit of each worker; a document that needs more crashes only its worker. Default 1024. */
  maxMemoryMb?: number
}

interface Job {
  bytes: ArrayBuffer
  name: string
  signal: AbortSignal | undefined
  resolve: (document: ExtractedDocument) => void
  reject: (error: unknown) => void
  /** Removes the listener that drops the job from the queue when its caller aborts. */
  leaveQueue: () => void
}

interface Slot {
  worker: Worker | null
  job: Job | null
  /** Starts the running job's time limit, once the worker has begun reading. */
  startClock: () => void
  /** Ends the running job: clears its timer and abort listener. */
  release: () => void
}

const workerUrl = new URL('./document-worker.ts', import.meta.url)

/**
 * Reads documents off the event loop: a small pool of worker threads running `extractDocument`,
 * each job bounded in time (`limits.timeoutMs`) and each worker in memory. A worker that
 * overruns, crashes or is aborted is replaced; the next read works as before.
 */
export class DocumentReader {
  private readonly limits: ExtractLimits
  private readonly maxMemoryMb: number
  private readonly slots: Slot[]
  private readonly queue: Job[] = []
  private closed = false

  constructor(options: DocumentReaderOptions = {}) {
    this.limits = { ...defaultExtractLimits, ...options.limits }
    this.maxMemoryMb = options.maxMemoryMb ?? 1024
    this.slots = Array.from({ length: Math.max(1, options.size ?? 1) }, () => ({
      worker: null,
      job: null,
      startClock: () => {},
      release: () => {},
    }))
  }

  /** Reads a document in a worker. The bytes are copied; the caller's array stays usable. */
  read(bytes: Uint8Array, name: string, signal?: AbortSignal): Promise<ExtractedDocument> {
    if (this.closed) return Promise.reject(new Error('DocumentReader is closed'))
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      // a copy the worker can own (a Buffer's own `slice` would share, and transfer, its pool)
      const copy = new Uint8Array(bytes)
      const job: Job = { bytes: copy.buffer, name, signal, resolve, reject, leaveQueue: () => {} }
      const onAbort = () => this.abortQueued(job)
      signal?.addEventListener('abort', onAbort, { once: true })
      job.leaveQueue = () => signal?.removeEventListener('abort', onAbort)
      this.queue.push(job)
      this.pump()
    })
  }

  /** Stops every worker; reads still queued or running reject. */
  async close(): Promise<void> {
    this.closed = true
    const closed = () => new Error('DocumentReader is closed')
    for (const job of this.queue.splice(0)) {
      job.leaveQueue()
      job.reject(closed())
    }
    for (const slot of this.slots) this.finish(slot, (job) => job.reject(closed()))
    await Promise.all(this.slots.map((slot) => this.stop(slot)))
  }

  private abortQueued(job: Job): void {
    const index = this.queue.indexOf(job)
    if (index < 0) return
    this.queue.splice(index, 1)
    job.reject(job.signal?.reason)
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job !== null) continue
      const job = this.queue.shift()
      if (!job) return
      this.start(slot, job)
    }
  }

  private start(slot: Slot, job: Job): void {
    job.leaveQueue()
    const worker = slot.worker ?? this.spawn(slot)
    slot.job = job
    let timer: NodeJS.Timeout | undefined
    const onAbort = () => this.fail(slot, job.signal?.reason)
    job.signal?.addEventListener('abort', onAbort, { once: true })
    slot.startClock = () => {
      timer = setTimeout(() => {
        this.fail(slot, new DocumentError('timeout', timeoutMessage(this.limits.timeoutMs)))
      }, this.limits.timeoutMs)
    }
    slot.release = () => {
      clearTimeout(timer)
      job.signal?.removeEventListener('abort', onAbort)
    }
    const request: WorkerRequest = { bytes: job.bytes, name: job.name, limits: this.limits }
    worker.postMessage(request, [job.bytes])
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(workerUrl, {
      resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb },
    })
    worker.on('message', (reply: WorkerReply) => {
      if (slot.worker !== worker) return
      if ('started' in reply) {
        slot.startClock()
        return
      }
      this.finish(slot, (job) => {
        if (reply.ok) job.resolve(reply.document)
        else job.reject(new DocumentError(reply.code, reply.message))
      })
    })
    const crashed = () => {
      if (slot.worker !== worker) return
      slot.worker = null
      this.fail(
        slot,
        new DocumentError('corrupt', 'This file could not be read: reading it failed.'),
      )
    }
    worker.on('error', crashed)
    worker.on('exit', crashed)
    slot.worker = worker
    return worker
  }

  /** Ends the slot's job with an error and replaces its worker, which may be stuck or broken. */
  private fail(slot: Slot, error: unknown): void {
    void this.stop(slot)
    this.finish(slot, (job) => job.reject(error))
  }

  private finish(slot: Slot, settle: (job: Job) => void): void {
    const job = slot.job
    if (!job) return
    slot.release()
    slot.startClock = () => {}
    slot.release = () => {}
    slot.job = null
    settle(job)
    if (!this.closed) this.pump()
  }

  private async stop(slot: Slot): Promise<void> {
    const worker = slot.worker
    slot.worker = null
    if (worker) await worker.terminate()
  }
}

function timeoutMessage(timeoutMs: number): string {
  const seconds = Math.max(1, Math.round(timeoutMs / 1000))
  return `Reading this file took longer than ${seconds} second${seconds === 1 ? '' : 's'} and was stopped.`
}
