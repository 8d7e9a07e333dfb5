import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { saveFile } from '../../../lib/save-file.ts'
import { toast } from '../../../lib/toast-store.ts'

type ExportFormat = 'markdown' | 'json'

/** Downloads the conversation: the shown branch as Markdown, or every branch as JSON. */
export function ExportMenu({ conversationId }: { conversationId: string }) {
  const [open, setOpen] = useState(false)
  const download = useMutation({
    mutationFn: (format: ExportFormat) => api.conversations.export(conversationId, format),
    onSuccess: (file) => {
      saveFile(file)
      setOpen(false)
    },
    onError: (error) =>
      toast(`The conversation was not exported. ${describeError(error)}`, 'error'),
  })
  return (
    <>
      <IconButton icon="download" label="Export conversation" onClick={() => setOpen(true)} />
      <Dialog open={open} onClose={() => setOpen(false)} title="Export conversation">
        <p>
          Markdown holds the messages shown now, for reading. JSON holds every version of every
          message and can be imported back into Parley.
        </p>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="button"
            disabled={download.isPending}
            onClick={() => download.mutate('markdown')}
          >
            Export as Markdown
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={download.isPending}
            onClick={() => download.mutate('json')}
          >
            Export as JSON
          </button>
        </div>
      </Dialog>
    </>
  )
}
