import { Link, useRoute } from 'wouter'
import { BrandMark } from '../components/ui/brand-mark.tsx'
import { Icon } from '../components/ui/icon.tsx'
import { IconButton } from '../components/ui/icon-button.tsx'
import { signOut } from '../features/auth/api/sign-out.ts'
import { ConversationList } from '../features/conversations/components/conversation-list.tsx'
import { useMe } from '../lib/me-query.ts'

/** The navigation column: new chat, the conversations, and the account. */
export function Sidebar({
  activeId,
  onNavigate,
  onClose,
}: {
  activeId: string | null
  onNavigate?: () => void
  /** Present in the phone drawer, which needs its own close button. */
  onClose?: () => void
}) {
  const me = useMe()
  const [inSettings] = useRoute('/settings')
  const [inUsage] = useRoute('/usage')
  return (
    <div className="sidebar">
      <div className="sidebar__top">
        <Link href="/" className="sidebar__brand" onClick={onNavigate}>
          <BrandMark />
          Parley
        </Link>
        {onClose && <IconButton icon="close" label="Close conversations" onClick={onClose} />}
      </div>
      <Link href="/" className="button button--new-chat" onClick={onNavigate}>
        <Icon name="plus" />
        New chat
      </Link>
      <ConversationList activeId={activeId} onNavigate={onNavigate} />
      <div className="sidebar__account">
        <span className="sidebar__user" title={me.data?.email ?? undefined}>
          {me.data?.displayName || me.data?.email || ' '}
        </span>
        <Link
          href="/usage"
          className={`icon-button${inUsage ? ' icon-button--current' : ''}`}
          aria-label="Usage"
          aria-current={inUsage ? 'page' : undefined}
          title="Usage"
          onClick={onNavigate}
        >
          <Icon name="usage" />
        </Link>
        <Link
          href="/settings"
          className={`icon-button${inSettings ? ' icon-button--current' : ''}`}
          aria-label="Settings"
          aria-current={inSettings ? 'page' : undefined}
          title="Settings"
          onClick={onNavigate}
        >
          <Icon name="settings" />
        </Link>
        <IconButton icon="signOut" label="Sign out" onClick={() => void signOut()} />
      </div>
    </div>
  )
}
