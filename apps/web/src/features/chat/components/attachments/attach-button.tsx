import { FilePickerButton } from '../../../../components/ui/file-picker-button.tsx'
import { acceptFor, useFileCapabilities } from '../../../../lib/file-queries.ts'

/** The composer's paperclip: the picker offers the kinds the server reads. */
export function AttachButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const capabilities = useFileCapabilities()
  return (
    <FilePickerButton
      label="Attach files"
      icon="paperclip"
      showLabel={false}
      className="composer__attach"
      accept={acceptFor(capabilities.data?.kinds)}
      onFiles={onFiles}
    />
  )
}
