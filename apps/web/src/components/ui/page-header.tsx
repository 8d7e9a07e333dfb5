import type { ReactNode } from 'react'

/** The bar above a page: the app's menu button (on phones), the title, and the page's tools. */
export function PageHeader({
  menuButton,
  title,
  children,
}: {
  menuButton?: ReactNode
  title: string
  children?: ReactNode
}) {
  return (
    <header className="page-header">
      {menuButton}
      <h1 className="page-header__title">{title}</h1>
      {children !== undefined && <div className="page-header__tools">{children}</div>}
    </header>
  )
}
