import type { FileResource } from '@parley/schema/contracts'
import { useEffect, useRef, useState } from 'react'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { kindNames } from '../../../lib/file-queries.ts'
import { formatBytes, formatCount, formatDate } from '../../../lib/format.ts'
import { saveFile } from '../../../lib/save-file.ts'
import { toast } from '../../../lib/toast-store.ts'

function FileStatusLine({ file }: { file: FileResource }) {
  if (file.status === 'processing') {
    return <p className="file-row__status">Reading the file…</p>
  }
  if (file.status === 'failed') {
    return (
      <p className="file-row__status file-row__status--failed">
        Could not be read{file.error ? `: ${file.error}` : '.'}
      </p>
    )
  }
  return <p className="file-row__status file-row__status--ready">Ready</p>
}

function DownloadButton({ file }: { file: FileResource }) {
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    try {
      saveFile(await api.files.download(file.id, file.name))
    } catch (error) {
      toast(`The file could not be downloaded. ${describeError(error)}`, 'error')
    } finally {
      setBusy(false)
    }
  }
  return (
    <IconButton
      icon="download"
      label={`Download ${file.name}`}
      onClick={() => void run()}
      disabled={busy}
    />
  )
}

/** One file of the list: what it is, how far reading it got, and its actions. */
export function FileRow({
  file,
  focused,
  onDelete,
}: {
  file: FileResource
  /** Opened from search: the row takes focus and stands out. */
  focused: boolean
  onDelete: (file: FileResource) => void
}) {
  const ref = useRef<HTMLLIElement>(null)
  useEffect(() => {
    if (!focused) return
    ref.current?.scrollIntoView?.({ block: 'center' })
    ref.current?.focus()
  }, [focused])
  const facts = [
    kindNames[file.kind],
    formatBytes(file.sizeBytes),
    file.pageCount === null ? null : `${formatCount(file.pageCount)} pages`,
    file.status === 'ready' ? `${formatCount(file.chunkCount)} passages` : null,
  ].filter((fact) => fact !== null)
  return (
    <li
      ref={ref}
      className={`file-row${focused ? ' file-row--focused' : ''}`}
      tabIndex={focused ? -1 : undefined}
      aria-label={file.name}
      data-status={file.status}
    >
      <div className="file-row__main">
        <h2 className="file-row__name">{file.name}</h2>
        <p className="file-row__facts">
          {facts.join(' · ')} · Uploaded{' '}
          <time dateTime={file.createdAt}>{formatDate(file.createdAt)}</time>
        </p>
        <FileStatusLine file={file} />
      </div>
      <div className="file-row__actions">
        <DownloadButton file={file} />
        <IconButton icon="trash" label={`Delete ${file.name}`} onClick={() => onDelete(file)} />
      </div>
    </li>
  )
}
