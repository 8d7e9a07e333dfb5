import type { FileScope } from '@parley/schema/contracts'
import { type ReactNode, useId } from 'react'
import { Icon } from '../../../../components/ui/icon.tsx'
import { IconButton } from '../../../../components/ui/icon-button.tsx'
import { useFile } from '../../../../lib/file-queries.ts'
import { removeUpload, type Upload } from '../../../../lib/upload-store.ts'
import type { ChatFiles } from './chat-files.ts'
import './attachments.css'

function Chip({
  name,
  status,
  tone,
  onRemove,
  children,
}: {
  name: string
  status: string
  tone: 'busy' | 'ready' | 'failed'
  onRemove: () => void
  children?: ReactNode
}) {
  return (
    <li className={`attachment-chip attachment-chip--${tone}`} aria-label={`${name}: ${status}`}>
      <Icon name="file" size={16} />
      <span className="attachment-chip__text">
        <span className="attachment-chip__name">{name}</span>
        <span className="attachment-chip__status">{status}</span>
      </span>
      {children}
      <IconButton icon="close" label={`Remove ${name}`} onClick={onRemove} />
    </li>
  )
}

/** A file the server has: its name and how far reading it has got, asked until it settles. */
function FileChip({
  fileId,
  name,
  onRemove,
}: {
  fileId: string
  name?: string
  onRemove: () => void
}) {
  const file = useFile(fileId)
  const shown = file.data?.name ?? name ?? 'File'
  if (!file.data || file.data.status === 'processing') {
    return (
      <Chip
        name={shown}
        status={file.isError ? 'Status unknown' : 'Still being read'}
        tone="busy"
        onRemove={onRemove}
      />
    )
  }
  if (file.data.status === 'failed') {
    const why = file.data.error
      ? `Could not be read: ${file.data.error.replace(/\.?$/, '.')}`
      : 'Could not be read.'
    return (
      <Chip
        name={shown}
        status={`${why} Answers will not use it.`}
        tone="failed"
        onRemove={onRemove}
      />
    )
  }
  return <Chip name={shown} status="Ready" tone="ready" onRemove={onRemove} />
}

function UploadChip({ upload, onRemove }: { upload: Upload; onRemove: () => void }) {
  if (upload.error) {
    return <Chip name={upload.name} status={upload.error} tone="failed" onRemove={onRemove} />
  }
  if (upload.uploaded) {
    return <FileChip fileId={upload.uploaded.id} name={upload.name} onRemove={onRemove} />
  }
  const percent = Math.round(upload.progress * 100)
  return (
    <Chip name={upload.name} status={`Uploading ${percent}%`} tone="busy" onRemove={onRemove}>
      <progress
        className="attachment-chip__progress"
        max={1}
        value={upload.progress}
        aria-label={`Uploading ${upload.name}`}
      />
    </Chip>
  )
}

const modeLabel = (scope: FileScope, attached: number) => {
  const count = scope.mode === 'files' ? scope.fileIds.length : attached
  return count === 1 ? 'the attached file' : `the ${count} attached files`
}

function ScopeChoice({ files, attached }: { files: ChatFiles; attached: number }) {
  const id = useId()
  const { scope } = files
  return (
    <p className="file-scope">
      <label htmlFor={id}>Answers use</label>
      <select
        id={id}
        className="file-scope__select"
        value={scope.mode}
        onChange={(event) => files.chooseMode(event.target.value as FileScope['mode'])}
      >
        <option value="none">none of your files</option>
        {(scope.mode === 'files' || attached > 0) && (
          <option value="files">{modeLabel(scope, attached)}</option>
        )}
        <option value="all">all your files</option>
      </select>
    </p>
  )
}

/**
 * Above the composer: the chat's files as chips (uploading, being read, ready or refused, each
 * removable) and which files the answers use.
 */
export function AttachmentTray({ files }: { files: ChatFiles }) {
  const uploaded = new Set(files.uploads.flatMap((u) => (u.uploaded ? [u.uploaded.id] : [])))
  const earlier = files.scope.mode === 'files' ? files.scope.fileIds : []
  const { removeFromScope } = files
  return (
    <div className="attachment-tray">
      {(files.uploads.length > 0 || earlier.length > 0) && (
        <ul className="attachment-tray__chips" aria-label="Attached files">
          {removeFromScope &&
            earlier
              .filter((id) => !uploaded.has(id))
              .map((id) => <FileChip key={id} fileId={id} onRemove={() => removeFromScope(id)} />)}
          {files.uploads.map((upload) => (
            <UploadChip
              key={upload.key}
              upload={upload}
              onRemove={() => removeUpload(files.group, upload.key)}
            />
          ))}
        </ul>
      )}
      <ScopeChoice files={files} attached={uploaded.size} />
    </div>
  )
}
