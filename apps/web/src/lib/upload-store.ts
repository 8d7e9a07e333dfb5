import type { UploadedFile } from '@parley/schema/contracts'
import { create } from 'zustand'
import { ApiRequestError, describeError } from './api-error.ts'
import { uploadFile } from './upload-file.ts'

/** A file on its way to the server, or one that the server refused. */
export interface Upload {
  key: string
  name: string
  sizeBytes: number
  /** Share of the bytes sent, from 0 to 1. */
  progress: number
  /** What the server answered once the bytes arrived. */
  uploaded: UploadedFile | null
  /** Why the server refused it, in its own words. */
  error: string | null
}

interface UploadState {
  /** Uploads by where they were started: a chat's draft key, or the Files page. */
  groups: Record<string, Upload[]>
}

export const useUploadStore = create<UploadState>()(() => ({ groups: {} }))

const controllers = new Map<string, AbortController>()
const none: Upload[] = []

function patch(group: string, key: string, change: Partial<Upload>) {
  useUploadStore.setState((state) => ({
    groups: {
      ...state.groups,
      [group]: (state.groups[group] ?? []).map((u) => (u.key === key ? { ...u, ...change } : u)),
    },
  }))
}

const refusals = new Set(['payload_too_large', 'unsupported_media_type', 'validation_error'])

/** The server's own words for a refused file (too large, unreadable kind, empty). */
export function describeUploadError(error: unknown): string {
  if (error instanceof ApiRequestError && refusals.has(error.code)) return error.message
  return describeError(error)
}

/**
 * Sends a file and tracks it under `group` until `removeUpload`; `onUploaded` runs once the
 * server has it (it then reads it in the background).
 */
export function startUpload(
  group: string,
  file: File,
  onUploaded?: (uploaded: UploadedFile) => void,
): string {
  const key = crypto.randomUUID()
  const controller = new AbortController()
  controllers.set(key, controller)
  const upload: Upload = {
    key,
    name: file.name,
    sizeBytes: file.size,
    progress: 0,
    uploaded: null,
    error: null,
  }
  useUploadStore.setState((state) => ({
    groups: { ...state.groups, [group]: [...(state.groups[group] ?? []), upload] },
  }))
  uploadFile(file, {
    signal: controller.signal,
    onProgress: (progress) => patch(group, key, { progress }),
  })
    .then((uploaded) => {
      patch(group, key, { uploaded, progress: 1 })
      onUploaded?.(uploaded)
    })
    .catch((error: unknown) => {
      if (!controller.signal.aborted) patch(group, key, { error: describeUploadError(error) })
    })
    .finally(() => controllers.delete(key))
  return key
}

/** Marks an upload as refused after the fact (the server has it, but a later step failed). */
export function failUpload(group: string, key: string, error: string) {
  patch(group, key, { error })
}

/** Forgets an upload, cancelling it if its bytes are still on the way. */
export function removeUpload(group: string, key: string) {
  controllers.get(key)?.abort()
  useUploadStore.setState((state) => ({
    groups: { ...state.groups, [group]: (state.groups[group] ?? []).filter((u) => u.key !== key) },
  }))
}

export const getUploads = (group: string) => useUploadStore.getState().groups[group] ?? none

export function clearUploads(group: string) {
  for (const upload of getUploads(group)) controllers.get(upload.key)?.abort()
  useUploadStore.setState((state) => {
    const groups = { ...state.groups }
    delete groups[group]
    return { groups }
  })
}

/** Cancels and forgets every upload, for a change of user. */
export function resetUploads() {
  for (const controller of controllers.values()) controller.abort()
  controllers.clear()
  useUploadStore.setState({ groups: {} })
}

export const useUploads = (group: string) => useUploadStore((state) => state.groups[group] ?? none)
