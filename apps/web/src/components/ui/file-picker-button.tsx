import { type ChangeEvent, useRef } from 'react'
import { Icon, type IconName } from './icon.tsx'

/** A button that opens the system's file picker; the chosen files go to `onFiles`. */
export function FilePickerButton({
  label,
  accept,
  onFiles,
  icon = 'upload',
  showLabel = true,
  className = 'button',
}: {
  label: string
  /** The picker's `accept` list; empty offers every file. */
  accept: string
  onFiles: (files: File[]) => void
  icon?: IconName
  showLabel?: boolean
  className?: string
}) {
  const input = useRef<HTMLInputElement>(null)
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])]
    // Cleared so that choosing the same file again is noticed.
    event.target.value = ''
    if (files.length > 0) onFiles(files)
  }
  return (
    <>
      <button
        type="button"
        className={className}
        aria-label={showLabel ? undefined : label}
        title={label}
        onClick={() => input.current?.click()}
      >
        <Icon name={icon} />
        {showLabel && <span>{label}</span>}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={accept || undefined}
        onChange={onChange}
      />
    </>
  )
}
