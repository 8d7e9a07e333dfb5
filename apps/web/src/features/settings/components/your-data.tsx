import { useMutation } from '@tanstack/react-query'
import { type ChangeEvent, useRef, useState } from 'react'
import { useLocation } from 'wouter'
import { FormError } from '../../../components/ui/text-field.tsx'
import { api } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { saveFile } from '../../../lib/save-file.ts'
import { toast } from '../../../lib/toast-store.ts'
import { useImportConversation } from '../api/import-conversation.ts'

/** Take everything out as one file, or bring a conversation exported as JSON back in. */
export function YourData() {
  const [, navigate] = useLocation()
  const [error, setError] = useState<string | null>(null)
  const picker = useRef<HTMLInputElement>(null)
  const exportData = useMutation({
    mutationFn: () => api.me.exportData(),
    onSuccess: saveFile,
    onError: (failure) => setError(`Your data was not downloaded. ${describeError(failure)}`),
  })
  const importConversation = useImportConversation()

  const onPick = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    event.target.value = ''
    if (!file) return
    setError(null)
    importConversation.mutate(file, {
      onSuccess: (conversation) => {
        toast('Conversation imported.')
        navigate(`/c/${conversation.id}`)
      },
      onError: (failure) =>
        setError(`The conversation was not imported. ${describeError(failure)}`),
    })
  }

  return (
    <section className="settings__section" aria-labelledby="your-data-heading">
      <h2 id="your-data-heading" className="settings__heading">
        Your data
      </h2>
      <FormError message={error} />
      <p className="field__hint">
        Download your profile, every conversation with all its versions, your votes and your usage
        as one JSON file. A conversation exported as JSON can be imported as a new conversation.
      </p>
      <div className="settings__buttons">
        <button
          type="button"
          className="button"
          disabled={exportData.isPending}
          onClick={() => {
            setError(null)
            exportData.mutate()
          }}
        >
          {exportData.isPending ? 'Preparing…' : 'Download all my data'}
        </button>
        <button
          type="button"
          className="button"
          disabled={importConversation.isPending}
          onClick={() => picker.current?.click()}
        >
          {importConversation.isPending ? 'Importing…' : 'Import conversation'}
        </button>
        <input
          ref={picker}
          type="file"
          accept="application/json,.json"
          hidden
          tabIndex={-1}
          aria-hidden="true"
          onChange={onPick}
        />
      </div>
    </section>
  )
}
