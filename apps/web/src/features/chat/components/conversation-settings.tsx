import type { Conversation } from '@parley/schema/contracts'
import { type FormEvent, useId, useState } from 'react'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { IconButton } from '../../../components/ui/icon-button.tsx'
import { FormError, TextAreaField } from '../../../components/ui/text-field.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useUpdateConversationSettings } from '../api/update-conversation-settings.ts'

const maxSystemPromptChars = 20_000

function SettingsForm({
  conversation,
  onDone,
}: {
  conversation: Conversation
  onDone: () => void
}) {
  const update = useUpdateConversationSettings(conversation.id)
  const [systemPrompt, setSystemPrompt] = useState(conversation.systemPrompt ?? '')
  const [temperature, setTemperature] = useState(conversation.temperature?.toString() ?? '')
  const [error, setError] = useState<string | null>(null)
  const temperatureId = useId()

  const save = (event: FormEvent) => {
    event.preventDefault()
    const value = temperature.trim() === '' ? null : Number(temperature)
    if (value !== null && !(value >= 0 && value <= 2)) {
      setError('Temperature is a number from 0 to 2, or empty for the model’s default.')
      return
    }
    update.mutate(
      { systemPrompt: systemPrompt.trim() || null, temperature: value },
      {
        onSuccess: onDone,
        onError: (failure) => setError(`Not saved. ${describeError(failure)}`),
      },
    )
  }

  return (
    <form onSubmit={save}>
      <FormError message={error} />
      <TextAreaField
        label="Instructions for this chat"
        hint="Added to the system prompt of every reply in this conversation."
        rows={5}
        maxLength={maxSystemPromptChars}
        value={systemPrompt}
        onChange={setSystemPrompt}
      />
      <div className="field">
        <label className="field__label" htmlFor={temperatureId}>
          Temperature
        </label>
        <input
          id={temperatureId}
          className="input"
          type="number"
          inputMode="decimal"
          min={0}
          max={2}
          step={0.1}
          placeholder="Model default"
          value={temperature}
          onChange={(event) => setTemperature(event.target.value)}
          aria-describedby={`${temperatureId}-hint`}
        />
        <p id={`${temperatureId}-hint`} className="field__hint">
          0 is focused and repeatable, 2 is varied; empty uses the model’s default.
        </p>
      </div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={update.isPending}>
          Save
        </button>
      </div>
    </form>
  )
}

/** The chat's own settings (system prompt, temperature), behind a button in its header. */
export function ConversationSettings({ conversation }: { conversation: Conversation | undefined }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <IconButton
        icon="settings"
        label="Chat settings"
        disabled={!conversation}
        onClick={() => setOpen(true)}
      />
      <Dialog open={open} onClose={() => setOpen(false)} title="Chat settings">
        {conversation && <SettingsForm conversation={conversation} onDone={() => setOpen(false)} />}
      </Dialog>
    </>
  )
}
