import type { ModelList, ModelSummary } from '@parley/schema/contracts'
import { useId } from 'react'

interface ModelPickerProps {
  models: ModelList | undefined
  value: string
  onChange: (modelId: string) => void
  disabled?: boolean
}

/** What `auto` does, in one line. */
export const autoDescription =
  'Auto · a quick model for simple turns, a strong one for code and reasoning'

const price = (usdPerMtok: number) =>
  usdPerMtok === 0 ? 'free' : `$${usdPerMtok < 1 ? usdPerMtok.toFixed(2) : usdPerMtok}`

const tokens = (count: number) =>
  count >= 1_000_000 ? `${Number((count / 1_000_000).toFixed(1))}M` : `${Math.round(count / 1000)}K`

/** A model as the picker lists it: name, context window, and prices per million tokens. */
export function modelLabel(model: ModelSummary): string {
  const prices =
    model.inputUsdPerMtok === 0 && model.outputUsdPerMtok === 0
      ? 'free'
      : `${price(model.inputUsdPerMtok)}/${price(model.outputUsdPerMtok)} per M tokens`
  return `${model.displayName} · ${tokens(model.contextWindow)} context · ${prices}`
}

/** Chooses the model that answers in this conversation, or `auto` to let Parley choose. */
export function ModelPicker({ models, value, onChange, disabled }: ModelPickerProps) {
  const id = useId()
  const items = models?.items ?? []
  const known = value === 'auto' || items.some((model) => model.id === value)
  const offersAuto = items.length > 1
  return (
    <div className="model-picker">
      <label htmlFor={id} className="sr-only">
        Model
      </label>
      <select
        id={id}
        className="select"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        disabled={disabled || !models}
      >
        {!known && <option value={value}>{value}</option>}
        {(offersAuto || value === 'auto') && <option value="auto">{autoDescription}</option>}
        {items.map((model) => (
          <option
            key={model.id}
            value={model.id}
            title={`${price(model.inputUsdPerMtok)} in, ${price(model.outputUsdPerMtok)} out per million tokens; ${model.contextWindow.toLocaleString()}-token context window`}
          >
            {modelLabel(model)}
          </option>
        ))}
      </select>
    </div>
  )
}
