import type { Me } from '@parley/schema/contracts'
import { maxCustomInstructionChars } from '@parley/schema/limits'
import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { FormError, TextAreaField, TextField } from '../../../components/ui/text-field.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useMe } from '../../../lib/me-query.ts'
import { useModels } from '../../../lib/models-query.ts'
import { queryKeys } from '../../../lib/query-keys.ts'
import { applyTheme, type Theme } from '../../../lib/theme.ts'
import { toast } from '../../../lib/toast-store.ts'
import { useUpdateMe } from '../api/update-me.ts'
import { AccountSection } from './account-section.tsx'
import './settings.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'
import { YourData } from './your-data.tsx'

const themes: { value: Theme; label: string }[] = [
  { value: 'system', label: 'Match the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
]

function SettingsForm({ me }: { me: Me }) {
  const models = useModels()
  const update = useUpdateMe()
  const [displayName, setDisplayName] = useState(me.displayName ?? '')
  const [defaultModel, setDefaultModel] = useState(me.defaultModel ?? '')
  const [theme, setTheme] = useState<Theme>(me.theme)
  const [aboutMe, setAboutMe] = useState(me.aboutMe ?? '')
  const [replyStyle, setReplyStyle] = useState(me.replyStyle ?? '')
  const [error, setError] = useState<string | null>(null)
  const modelId = useId()
  const serverDefault = models.data?.items.find(
    (model) => model.id === models.data?.defaultModelId,
  )?.displayName
  const client = useQueryClient()

  // Picking a theme previews it; leaving without saving goes back to the saved one.
  useEffect(
    () => () => {
      const saved = client.getQueryData<Me>(queryKeys.me)?.theme
      if (saved) applyTheme(saved)
    },
    [client],
  )

  const save = (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    const previousTheme = me.theme
    applyTheme(theme)
    update.mutate(
      {
        displayName: displayName.trim() || null,
        defaultModel: defaultModel || null,
        theme,
        aboutMe: aboutMe.trim() || null,
        replyStyle: replyStyle.trim() || null,
      },
      {
        onSuccess: () => toast('Settings saved.'),
        onError: (failure) => {
          applyTheme(previousTheme)
          setError(`Your settings were not saved. ${describeError(failure)}`)
        },
      },
    )
  }

  return (
    <form className="settings__form" onSubmit={save}>
      <FormError message={error} />
      <TextField label="Email" value={me.email ?? ''} onChange={() => undefined} readOnly />
      <TextField
        label="Display name"
        hint="How Parley addresses you."
        autoComplete="name"
        maxLength={100}
        value={displayName}
        onChange={setDisplayName}
      />
      <div className="field">
        <label className="field__label" htmlFor={modelId}>
          Default model
        </label>
        <select
          id={modelId}
          className="select"
          value={defaultModel}
          onChange={(event) => setDefaultModel(event.target.value)}
          aria-describedby={`${modelId}-hint`}
        >
          <option value="">Server default{serverDefault ? ` (${serverDefault})` : ''}</option>
          {models.data?.items.map((model) => (
            <option key={model.id} value={model.id}>
              {model.displayName}
            </option>
          ))}
        </select>
        <p id={`${modelId}-hint`} className="field__hint">
          New chats start with this model; each chat can switch.
        </p>
      </div>
      <fieldset className="field">
        <legend className="field__label">Custom instructions</legend>
        <p className="field__hint">Given to the model at the start of every new reply.</p>
        <TextAreaField
          label="What should Parley know about you?"
          hint="Your work, your interests, what you are using Parley for."
          rows={3}
          maxLength={maxCustomInstructionChars}
          value={aboutMe}
          onChange={setAboutMe}
        />
        <TextAreaField
          label="How should Parley answer?"
          hint="Tone, length, format, language."
          rows={3}
          maxLength={maxCustomInstructionChars}
          value={replyStyle}
          onChange={setReplyStyle}
        />
      </fieldset>
      <fieldset className="field">
        <legend className="field__label">Theme</legend>
        <div className="segmented">
          {themes.map((option) => (
            <label key={option.value} className="segmented__option">
              <input
                type="radio"
                name="theme"
                value={option.value}
                checked={theme === option.value}
                onChange={() => {
                  setTheme(option.value)
                  applyTheme(option.value)
                }}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="settings__actions">
        <button type="submit" className="button button--primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  )
}

/** The user's profile settings: display name, default model, custom instructions, theme. */
export function SettingsPage({ menuButton }: { menuButton?: ReactNode }) {
  const me = useMe()
  return (
    <div className="settings">
      <PageHeader menuButton={menuButton} title="Settings" />
      <div className="settings__body">
        {me.data ? (
          <>
            <SettingsForm me={me.data} />
            <YourData />
            {me.data.email && <AccountSection email={me.data.email} />}
          </>
        ) : me.isError ? (
          <div className="empty-state" role="alert">
            <p>{describeError(me.error)}</p>
            <button type="button" className="button" onClick={() => void me.refetch()}>
              Try again
            </button>
          </div>
        ) : (
          <Spinner label="Loading settings" />
        )}
      </div>
    </div>
  )
}
