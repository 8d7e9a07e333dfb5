import type { FileResource } from '@parley/schema/contracts'
import { useQueryClient } from '@tanstack/react-query'
import { type ReactNode, useState } from 'react'
import { useSearchParams } from 'wouter'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog.tsx'
import { FilePickerButton } from '../../../components/ui/file-picker-button.tsx'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { QueriesState } from '../../../components/ui/queries-state.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'
import { acceptFor, kindNames, useFileCapabilities } from '../../../lib/file-queries.ts'
import { formatBytes } from '../../../lib/format.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { removeUpload, startUpload } from '../../../lib/upload-store.ts'
import { useFileDrop } from '../../../lib/use-file-drop.ts'
import { useDeleteFile } from '../api/delete-file.ts'
import { useFiles } from '../api/get-files.ts'
import { FileRow } from './file-row.tsx'
import { UploadList } from './upload-list.tsx'
import './files.css'

/** Where uploads started on this page are tracked. */
export const filesPageUploads = 'files-page'

function SemanticSearchNotice() {
  return (
    <aside className="files-notice" aria-label="Search mode">
      <p>
        Semantic search over files and messages is off: they are found by their words. An
        administrator can turn it on by setting <code>PARLEY_EMBEDDINGS_URL</code>.
      </p>
    </aside>
  )
}

function useUploadHere() {
  const client = useQueryClient()
  return (files: File[]) => {
    for (const file of files) {
      const key = startUpload(filesPageUploads, file, () => {
        // The list shows it from now on, with its status as the server reads it.
        removeUpload(filesPageUploads, key)
        void client.invalidateQueries({ queryKey: queryKeys.fileList })
      })
    }
  }
}

/** The user's documents: upload, read status, download and delete. */
export function FilesPage({ menuButton }: { menuButton?: ReactNode }) {
  const files = useFiles()
  const capabilities = useFileCapabilities()
  const remove = useDeleteFile()
  const [deleting, setDeleting] = useState<FileResource | null>(null)
  const [params] = useSearchParams()
  const focusedId = params.get('file')
  const upload = useUploadHere()
  const drop = useFileDrop(upload)
  const limits = capabilities.data
    ? ` (${capabilities.data.kinds.map((kind) => kindNames[kind]).join(', ')}, up to ${formatBytes(capabilities.data.maxUploadBytes)} each)`
    : ''
  const items = files.data?.pages.flatMap((page) => page.items) ?? []

  return (
    <div className="files">
      <PageHeader menuButton={menuButton} title="Files">
        <FilePickerButton
          label="Upload"
          accept={acceptFor(capabilities.data?.kinds)}
          onFiles={upload}
          className="button button--primary"
        />
      </PageHeader>
      <div className="files__body">
        {capabilities.data?.semanticSearch === false && <SemanticSearchNotice />}
        <section
          className={`files-drop${drop.dragging ? ' files-drop--active' : ''}`}
          aria-label="Drop files to upload"
          {...drop.handlers}
        >
          <p>
            Drop files here to upload them{limits}. Chats can then answer from them, with citations.
          </p>
        </section>
        <UploadList group={filesPageUploads} />
        <QueriesState queries={[files]} label="Loading files">
          {files.data &&
            (items.length === 0 ? (
              <p className="files__empty">No files yet.</p>
            ) : (
              <ul className="file-list" aria-label="Your files">
                {items.map((file) => (
                  <FileRow
                    key={file.id}
                    file={file}
                    focused={file.id === focusedId}
                    onDelete={setDeleting}
                  />
                ))}
              </ul>
            ))}
        </QueriesState>
        <ShowMore query={files} className="files__more" />
      </div>
      <ConfirmDialog
        subject={deleting}
        title="Delete this file?"
        confirmLabel="Delete"
        onConfirm={(file) => {
          setDeleting(null)
          remove.mutate(file.id)
        }}
        onClose={() => setDeleting(null)}
      >
        <p>
          “{deleting?.name}” and its passages will be deleted, and chats will no longer answer from
          it.
        </p>
      </ConfirmDialog>
    </div>
  )
}
