import { lazy, Suspense, useEffect, useState } from 'react'
import { Link, Redirect, Route, Switch, useLocation, useRoute } from 'wouter'
import { Drawer } from '../components/ui/drawer.tsx'
import { IconButton } from '../components/ui/icon-button.tsx'
import { Spinner } from '../components/ui/spinner.tsx'
import { adminHome } from '../features/admin/admin-sections.ts'
import { useSearchStore } from '../features/search/stores/search-store.ts'
import { useMe } from '../lib/me-query.ts'
import { applyTheme } from '../lib/theme.ts'
import { useMediaQuery } from '../lib/use-media-query.ts'
import { KeyboardShortcuts } from './keyboard-shortcuts.tsx'
import { Sidebar } from './sidebar.tsx'

const ChatPage = lazy(() =>
  import('../features/chat/components/chat-page.tsx').then((m) => ({ default: m.ChatPage })),
)
const NewChatPage = lazy(() =>
  import('../features/chat/components/new-chat-page.tsx').then((m) => ({
    default: m.NewChatPage,
  })),
)
const SettingsPage = lazy(() =>
  import('../features/settings/components/settings-page.tsx').then((m) => ({
    default: m.SettingsPage,
  })),
)

const UsagePage = lazy(() =>
  import('../features/usage/components/usage-page.tsx').then((m) => ({
    default: m.UsagePage,
  })),
)

const FilesPage = lazy(() =>
  import('../features/files/components/files-page.tsx').then((m) => ({
    default: m.FilesPage,
  })),
)

const SearchDialog = lazy(() =>
  import('../features/search/components/search-dialog.tsx').then((m) => ({
    default: m.SearchDialog,
  })),
)

const AdminRoutes = lazy(() =>
  import('./admin-routes.tsx').then((m) => ({ default: m.AdminRoutes })),
)

function PageLoading() {
  return (
    <div className="page-loading">
      <Spinner label="Loading" />
    </div>
  )
}

/** The signed-in app: conversations beside (or, on phones, in a drawer over) the page. */
export function AppLayout() {
  const [inChat, params] = useRoute('/c/:id')
  const activeId = inChat ? params.id : null
  const wide = useMediaQuery('(min-width: 768px)')
  const [drawerOpen, setDrawerOpen] = useState(false)
  const [location] = useLocation()
  const me = useMe()
  const theme = me.data?.theme
  // The search dialog's code loads the first time it is opened.
  const searchOpened = useSearchStore((state) => state.open)
  const [searchLoaded, setSearchLoaded] = useState(false)
  if (searchOpened && !searchLoaded) setSearchLoaded(true)

  useEffect(() => {
    if (theme) applyTheme(theme)
  }, [theme])

  // A navigation (or a window grown past phone width) leaves the drawer closed.
  useEffect(() => setDrawerOpen(false), [location, wide])

  const menuButton = wide ? undefined : (
    <IconButton icon="menu" label="Open conversations" onClick={() => setDrawerOpen(true)} />
  )

  return (
    <div className="app-shell">
      <KeyboardShortcuts />
      {searchLoaded && (
        <Suspense fallback={null}>
          <SearchDialog />
        </Suspense>
      )}
      <a href="#main" className="skip-link">
        Skip to the conversation
      </a>
      {wide ? (
        <aside className="app-sidebar">
          <Sidebar activeId={activeId} />
        </aside>
      ) : (
        <Drawer open={drawerOpen} onClose={() => setDrawerOpen(false)} label="Conversations">
          <Sidebar
            activeId={activeId}
            onNavigate={() => setDrawerOpen(false)}
            onClose={() => setDrawerOpen(false)}
          />
        </Drawer>
      )}
      <main className="app-main" id="main">
        <Suspense fallback={<PageLoading />}>
          <Switch>
            <Route path="/">
              <title>New chat · Parley</title>
              <NewChatPage menuButton={menuButton} />
            </Route>
            <Route path="/c/:id">
              {(route) => (
                <ChatPage key={route.id} conversationId={route.id} menuButton={menuButton} />
              )}
            </Route>
            <Route path="/settings">
              <title>Settings · Parley</title>
              <SettingsPage menuButton={menuButton} />
            </Route>
            <Route path="/files">
              <title>Files · Parley</title>
              <FilesPage menuButton={menuButton} />
            </Route>
            <Route path="/usage">
              <title>Usage · Parley</title>
              <UsagePage menuButton={menuButton} />
            </Route>
            <Route path="/admin">
              <Redirect to={adminHome} replace />
            </Route>
            <Route path="/admin/*">
              <AdminRoutes menuButton={menuButton} />
            </Route>
            <Route>
              <title>Not found · Parley</title>
              <div className="empty-state">
                <h1>Page not found</h1>
                <Link href="/" className="button button--primary">
                  Start a new chat
                </Link>
              </div>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  )
}
