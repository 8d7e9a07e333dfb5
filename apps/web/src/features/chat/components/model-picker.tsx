import type { ModelList } from '@parley/schema/contracts'
import { useId } from 'react'

interface ModelPickerProps {
  models: ModelList | undefined
  value: string
  onChange: (modelId: string) => void
  disabled?: boolean
}

const price = (usdPerMtok: number) =>
  usdPerMtok === 0 ? 'free' : `$${usdPerMtok < 1 ? usdPerMtok.toFixed(2) : usdPerMtok}`

/** Chooses the model that answers in this conversation. */
export function ModelPicker({ models, value, onChange, disabled }: ModelPickerProps) {
  const id = useId()
  const items = models?.items ?? []
  const known = items.some((model) => model.id === value)
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
        {!known && <option value={value}>{value === 'auto' ? 'Auto' : value}</option>}
        {items.map((model) => (
          <option
            key={model.id}
            value={model.id}
            title={`${price(model.inputUsdPerMtok)} in, ${price(model.outputUsdPerMtok)} out per million tokens`}
          >
            {model.displayName}
          </option>
        ))}
      </select>
    </div>
  )
}
