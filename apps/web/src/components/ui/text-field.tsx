import { type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes, useId } from 'react'

interface FieldProps {
  label: string
  hint?: string | undefined
  value: string
  onChange: (value: string) => void
  invalid?: boolean | undefined
}

/** A label, the control it names, and a hint the control is described by. */
function Field({
  label,
  hint,
  control,
}: {
  label: string
  hint: string | undefined
  control: (id: string, describedBy: string | undefined) => ReactNode
}) {
  const id = useId()
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {control(id, hint ? `${id}-hint` : undefined)}
      {hint && (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      )}
    </div>
  )
}

type TextFieldProps = FieldProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'id'>

export function TextField({ label, hint, value, onChange, invalid, ...rest }: TextFieldProps) {
  return (
    <Field
      label={label}
      hint={hint}
      control={(id, describedBy) => (
        <input
          id={id}
          className="input"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...rest}
        />
      )}
    />
  )
}

type TextAreaFieldProps = FieldProps &
  Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value' | 'id'>

export function TextAreaField({
  label,
  hint,
  value,
  onChange,
  invalid,
  ...rest
}: TextAreaFieldProps) {
  return (
    <Field
      label={label}
      hint={hint}
      control={(id, describedBy) => (
        <textarea
          id={id}
          className="input input--multiline"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          {...rest}
        />
      )}
    />
  )
}

/** The form's error, read out as soon as it appears. */
export function FormError({ message }: { message: string | null }) {
  return (
    <div role="alert" className={message ? 'form-error' : undefined}>
      {message}
    </div>
  )
}
