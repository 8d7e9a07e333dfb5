import { type ReactNode, useEffect, useRef } from 'react'
import { Link, useRoute } from 'wouter'
import { Spinner } from '../../components/ui/spinner.tsx'
import { useMe } from '../../lib/me-query.ts'
import { type AdminSection, adminSections } from './admin-sections.ts'
import './admin.css'
import { PageHeader } from '../../components/ui/page-header.tsx'

function SectionLink({ section }: { section: AdminSection }) {
  const [current] = useRoute(section.path)
  const link = useRef<HTMLAnchorElement>(null)
  // On a narrow screen the strip scrolls: the open page's tab stays in view.
  useEffect(() => {
    if (current) link.current?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' })
  }, [current])
  return (
    <Link
      ref={link}
      href={section.path}
      className={`admin-nav__link${current ? ' admin-nav__link--current' : ''}`}
      aria-current={current ? 'page' : undefined}
    >
      {section.label}
    </Link>
  )
}

/**
 * The admin console's frame: its navigation above the open page. The API is the authority (every
 * admin route answers 403 to anyone else); this only spares an ordinary user a page of errors.
 */
export function AdminConsole({
  menuButton,
  children,
}: {
  menuButton?: ReactNode
  children: ReactNode
}) {
  const me = useMe()
  if (me.isPending) {
    return (
      <div className="page-loading">
        <Spinner label="Loading" />
      </div>
    )
  }
  if (me.data?.role !== 'admin') {
    return (
      <div className="admin-console">
        <PageHeader menuButton={menuButton} title="Admin" />
        <div className="empty-state" role="alert">
          <h2>This needs the admin role</h2>
          <p>Ask an admin of this Parley to give you the admin role, then sign in again.</p>
          <Link href="/" className="button button--primary">
            Back to chat
          </Link>
        </div>
      </div>
    )
  }
  return (
    <div className="admin-console">
      <nav className="admin-nav" aria-label="Admin console">
        <span className="admin-nav__title">Admin</span>
        {adminSections.map((section) => (
          <SectionLink key={section.path} section={section} />
        ))}
      </nav>
      <div className="admin-console__page">{children}</div>
    </div>
  )
}
