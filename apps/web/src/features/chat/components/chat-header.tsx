import type { ReactNode } from 'react'

/** The bar above a chat: the app's menu button (on phones), the title, and the model. */
export function ChatHeader({
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
      <div className="page-header__tools">{children}</div>
    </header>
  )
}
