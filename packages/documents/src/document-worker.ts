import { parentPort } from 'node:worker_threads'
import { countEncodedTokens } from '@parley/llm'
import { DocumentError } from './document-error.ts'
import { type ExtractedDocument, type ExtractLimits, extractDocument } from './extract-document.ts'

export interface WorkerRequest {
  bytes: ArrayBuffer
  name: string
  limits: Partial<ExtractLimits>
}

export type WorkerReply =
  /** The worker has begun reading: its time limit starts now, not while the thread boots. */
  | { started: true }
  | { ok: true; document: ExtractedDocument }
  | { ok: false; code: DocumentError['code']; message: string }

const port = parentPort
if (!port) throw new Error('document-worker.ts runs only as a worker thread')

// the tokenizer's tables load while the thread starts, outside any read's time limit
countEncodedTokens('warm up')

port.on('message', async (request: WorkerRequest) => {
  port.postMessage({ started: true } satisfies WorkerReply)
  port.postMessage(await read(request))
})

async function read(request: WorkerRequest): Promise<Exclude<WorkerReply, { started: true }>> {
  try {
    const document = await extractDocument(
      new Uint8Array(request.bytes),
      request.name,
      request.limits,
    )
    return { ok: true, document }
  } catch (error) {
    if (error instanceof DocumentError)
      return { ok: false, code: error.code, message: error.message }
    // a parser failing in a way it has no error for: the file is not what it claims to be
    return { ok: false, code: 'corrupt', message: 'This file is damaged and cannot be read.' }
  }
}
