import { IconButton } from '../../../components/ui/icon-button.tsx'
import { formatBytes } from '../../../lib/format.ts'
import { removeUpload, useUploads } from '../../../lib/upload-store.ts'

/** Files still on their way up, and the ones the server refused, with its reason. */
export function UploadList({ group }: { group: string }) {
  const uploads = useUploads(group)
  if (uploads.length === 0) return null
  return (
    <ul className="upload-list" aria-label="Uploads">
      {uploads.map((upload) => (
        <li key={upload.key} className="upload-list__item">
          <span className="upload-list__name">{upload.name}</span>
          {upload.error ? (
            <span className="upload-list__error" role="alert">
              Not uploaded: {upload.error}
            </span>
          ) : (
            <progress
              className="upload-list__progress"
              max={1}
              value={upload.progress}
              aria-label={`Uploading ${upload.name} (${formatBytes(upload.sizeBytes)})`}
            />
          )}
          <IconButton
            icon="close"
            label={upload.error ? `Dismiss ${upload.name}` : `Cancel ${upload.name}`}
            onClick={() => removeUpload(group, upload.key)}
          />
        </li>
      ))}
    </ul>
  )
}
