import { Link, useRoute } from 'wouter'
import { BrandMark } from '../components/ui/brand-mark.tsx'
import { Icon, type IconName } from '../components/ui/icon.tsx'
import { IconButton } from '../components/ui/icon-button.tsx'
import { signOut } from '../features/auth/api/sign-out.ts'
import { ConversationList } from '../features/conversations/components/conversation-list.tsx'
import { openSearch } from '../features/search/stores/search-store.ts'
import { useMe } from '../lib/me-query.ts'

/** An icon link of the account row, marked as the current page while it is open. */
function PageLink({
  href,
  icon,
  label,
  onNavigate,
  match = href,
}: {
  href: string
  icon: IconName
  label: string
  onNavigate: (() => void) | undefined
  /** The route pattern of the pages this link stands for (default: its own). */
  match?: string
}) {
  const [current] = useRoute(match)
  return (
    <Link
      href={href}
      className={`icon-button${current ? ' icon-button--current' : ''}`}
      aria-label={label}
      aria-current={current ? 'page' : undefined}
      title={label}
      onClick={onNavigate}
    >
      <Icon name={icon} />
    </Link>
  )
}

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
  return (
    <div className="sidebar">
      <div className="sidebar__top">
        <Link href="/" className="sidebar__brand" onClick={onNavigate}>
          <BrandMark />
          Parley
        </Link>
        {onClose && <IconButton icon="close" label="Close conversations" onClick={onClose} />}
      </div>
      <div className="sidebar__actions">
        <Link href="/" className="button button--new-chat" onClick={onNavigate}>
          <Icon name="plus" />
          New chat
        </Link>
        <IconButton
          icon="search"
          label="Search"
          className="sidebar__search"
          onClick={() => {
            onNavigate?.()
            openSearch()
          }}
        />
      </div>
      <ConversationList activeId={activeId} onNavigate={onNavigate} />
      <div className="sidebar__account">
        <span className="sidebar__user" title={me.data?.email ?? undefined}>
          {me.data?.displayName || me.data?.email || ' '}
        </span>
        {me.data?.role === 'admin' && (
          <PageLink
            href="/admin"
            match="/admin/*?"
            icon="admin"
            label="Admin console"
            onNavigate={onNavigate}
          />
        )}
        <PageLink href="/files" icon="file" label="Files" onNavigate={onNavigate} />
        <PageLink href="/usage" icon="usage" label="Usage" onNavigate={onNavigate} />
        <PageLink href="/settings" icon="settings" label="Settings" onNavigate={onNavigate} />
        <IconButton icon="signOut" label="Sign out" onClick={() => void signOut()} />
      </div>
    </div>
  )
}
