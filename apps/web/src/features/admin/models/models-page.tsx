import type { AdminModel, AdminModelPatch } from '@parley/schema/contracts'
import { type FormEvent, type ReactNode, useState } from 'react'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useAdminModels, useUpdateModel } from './api/admin-models.ts'
import './models.css'
import { PageHeader } from '../../../components/ui/page-header.tsx'

/** The model catalog (admins): switch models on and off, rename, price, and route them. */
export function ModelsPage({ menuButton }: { menuButton?: ReactNode }) {
  const models = useAdminModels()
  const update = useUpdateModel()
  const [switchError, setSwitchError] = useState<string | null>(null)
  const change = (id: string, patch: AdminModelPatch) => {
    setSwitchError(null)
    update.mutate({ id, patch }, { onError: (error) => setSwitchError(describeError(error)) })
  }

  return (
    <div className="admin-models">
      <PageHeader menuButton={menuButton} title="Models" />
      <div className="admin-models__body">
        <p className="admin-models__hint">
          Prices are in US dollars per million tokens. Changes reach every server within a second.
        </p>
        {switchError && (
          <p role="alert" className="admin-models__error">
            {switchError}
          </p>
        )}
        {models.isPending ? (
          <Spinner label="Loading models" />
        ) : models.isError ? (
          <div role="alert" className="admin-models__error">
            <p>{describeError(models.error)}</p>
            <button type="button" className="button" onClick={() => void models.refetch()}>
              Try again
            </button>
          </div>
        ) : (
          <ModelTable models={models.data.items} change={change} />
        )}
      </div>
    </div>
  )
}

/** One row per model: its switch and default act at once; its settings save together. */
function ModelTable({
  models,
  change,
}: {
  models: AdminModel[]
  change: (id: string, patch: AdminModelPatch) => void
}) {
  return (
    <div className="admin-models__scroll">
      <table className="admin-models__table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Enabled</th>
            <th scope="col">Default</th>
            <th scope="col">Settings</th>
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model.id}>
              <th scope="row">
                <code>{model.id}</code>
                <span className="admin-models__provider">
                  {model.provider}
                  {model.available ? '' : ' · provider not configured here'}
                </span>
              </th>
              <td>
                <input
                  type="checkbox"
                  role="switch"
                  aria-label={`${model.displayName} enabled`}
                  aria-checked={model.enabled}
                  checked={model.enabled}
                  onChange={(event) => change(model.id, { enabled: event.target.checked })}
                />
              </td>
              <td>
                <input
                  type="radio"
                  name="default-model"
                  aria-label={`${model.displayName} is the default`}
                  checked={model.isDefault}
                  onChange={() => change(model.id, { isDefault: true })}
                />
              </td>
              <td>
                <ModelSettings key={model.updatedAt} model={model} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

interface Draft {
  displayName: string
  inputUsdPerMtok: string
  outputUsdPerMtok: string
  cachedInputUsdPerMtok: string
  contextWindow: string
  fallbacks: string
  small: boolean
  strong: boolean
}

const draftOf = (model: AdminModel): Draft => ({
  displayName: model.displayName,
  inputUsdPerMtok: String(model.inputUsdPerMtok),
  outputUsdPerMtok: String(model.outputUsdPerMtok),
  cachedInputUsdPerMtok: String(model.cachedInputUsdPerMtok),
  contextWindow: String(model.contextWindow),
  fallbacks: model.fallbacks.join(', '),
  small: model.autoTiers.includes('small'),
  strong: model.autoTiers.includes('strong'),
})

/** The draft as a change, or the first field a person must fix, in words. */
function patchFrom(draft: Draft): AdminModelPatch | string {
  const prices = {
    inputUsdPerMtok: ['Input price', draft.inputUsdPerMtok],
    outputUsdPerMtok: ['Output price', draft.outputUsdPerMtok],
    cachedInputUsdPerMtok: ['Cached input price', draft.cachedInputUsdPerMtok],
  } as const
  const patch: AdminModelPatch = {}
  for (const [field, [label, text]] of Object.entries(prices)) {
    const value = Number(text)
    if (text.trim() === '' || !Number.isFinite(value)) return `${label} must be a number.`
    if (value < 0) return `${label} cannot be below 0.`
    patch[field as keyof typeof prices] = value
  }
  const contextWindow = Number(draft.contextWindow)
  if (!Number.isInteger(contextWindow) || contextWindow < 1) {
    return 'Context window must be a whole number of tokens.'
  }
  if (draft.displayName.trim() === '') return 'Display name cannot be empty.'
  return {
    ...patch,
    displayName: draft.displayName.trim(),
    contextWindow,
    fallbacks: draft.fallbacks
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    autoTiers: [
      ...(draft.small ? ['small' as const] : []),
      ...(draft.strong ? ['strong' as const] : []),
    ],
  }
}

/** One model's editable fields, saved together. */
function ModelSettings({ model }: { model: AdminModel }) {
  const [draft, setDraft] = useState(() => draftOf(model))
  const [error, setError] = useState<string | null>(null)
  const update = useUpdateModel()
  const set = (field: keyof Draft) => (value: string | boolean) =>
    setDraft((current) => ({ ...current, [field]: value }))

  const save = (event: FormEvent) => {
    event.preventDefault()
    const patch = patchFrom(draft)
    if (typeof patch === 'string') return setError(patch)
    setError(null)
    update.mutate(
      { id: model.id, patch },
      { onError: (failure) => setError(describeError(failure)) },
    )
  }

  return (
    <form
      className="admin-models__form"
      aria-label={`${model.displayName} settings`}
      onSubmit={save}
    >
      <Input label="Display name" value={draft.displayName} onChange={set('displayName')} wide />
      <Input label="Input $/M" value={draft.inputUsdPerMtok} onChange={set('inputUsdPerMtok')} />
      <Input label="Output $/M" value={draft.outputUsdPerMtok} onChange={set('outputUsdPerMtok')} />
      <Input
        label="Cached input $/M"
        value={draft.cachedInputUsdPerMtok}
        onChange={set('cachedInputUsdPerMtok')}
      />
      <Input label="Context window" value={draft.contextWindow} onChange={set('contextWindow')} />
      <Input
        label="Fallbacks (model ids, in order)"
        value={draft.fallbacks}
        onChange={set('fallbacks')}
        wide
      />
      <fieldset className="admin-models__tiers">
        <legend>Auto picks it for</legend>
        <label>
          <input
            type="checkbox"
            checked={draft.small}
            onChange={(e) => set('small')(e.target.checked)}
          />
          short turns
        </label>
        <label>
          <input
            type="checkbox"
            checked={draft.strong}
            onChange={(e) => set('strong')(e.target.checked)}
          />
          demanding turns
        </label>
      </fieldset>
      <button type="submit" className="button button--primary" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save'}
      </button>
      {error && (
        <p role="alert" className="admin-models__error">
          {error}
        </p>
      )}
    </form>
  )
}

function Input({
  label,
  value,
  onChange,
  wide = false,
}: {
  label: string
  value: string
  onChange: (value: string) => void
  wide?: boolean
}) {
  return (
    <label
      className={wide ? 'admin-models__field admin-models__field--wide' : 'admin-models__field'}
    >
      <span>{label}</span>
      <input value={value} onChange={(event) => onChange(event.target.value)} />
    </label>
  )
}
