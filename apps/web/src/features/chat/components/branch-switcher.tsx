import type { Message } from '@parley/schema/contracts'
import { IconButton } from '../../../components/ui/icon-button.tsx'

interface BranchSwitcherProps {
  message: Message
  disabled: boolean
  onSwitch: (messageId: string) => void
}

/** `< 2/3 >` on a message with other versions (edits or regenerations); nothing otherwise. */
export function BranchSwitcher({ message, disabled, onSwitch }: BranchSwitcherProps) {
  const siblings = message.siblingIds ?? []
  const index = siblings.indexOf(message.id)
  if (siblings.length < 2 || index === -1) return null
  const previous = siblings[index - 1]
  const next = siblings[index + 1]
  return (
    <fieldset className="branch-switcher" aria-label="Versions">
      <IconButton
        icon="back"
        label="Previous version"
        disabled={disabled || !previous}
        onClick={() => previous && onSwitch(previous)}
      />
      <span className="branch-switcher__position" aria-hidden="true">
        {index + 1} / {siblings.length}
      </span>
      <span className="sr-only">
        Version {index + 1} of {siblings.length}
      </span>
      <IconButton
        icon="forward"
        label="Next version"
        disabled={disabled || !next}
        onClick={() => next && onSwitch(next)}
      />
    </fieldset>
  )
}
