import type { ButtonHTMLAttributes } from 'react'
import { Icon, type IconName } from './icon.tsx'

interface IconButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'> {
  icon: IconName
  /** The accessible name, also shown as a tooltip. */
  label: string
  /** Shows the label next to the icon. */
  showLabel?: boolean
}

export function IconButton({
  icon,
  label,
  showLabel = false,
  className,
  type = 'button',
  ...rest
}: IconButtonProps) {
  return (
    <button
      type={type}
      className={`icon-button${showLabel ? ' icon-button--labelled' : ''}${className ? ` ${className}` : ''}`}
      aria-label={showLabel ? undefined : label}
      title={label}
      {...rest}
    >
      <Icon name={icon} />
      {showLabel && <span>{label}</span>}
    </button>
  )
}
