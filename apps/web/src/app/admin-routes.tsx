import { lazy, type ReactNode } from 'react'
import { Route, Switch } from 'wouter'
import { AdminConsole } from '../features/admin/admin-console.tsx'

const TeamUsagePage = lazy(() =>
  import('../features/usage/components/team-usage-page.tsx').then((m) => ({
    default: m.TeamUsagePage,
  })),
)
const ActivityPage = lazy(() =>
  import('../features/admin/activity/activity-page.tsx').then((m) => ({ default: m.ActivityPage })),
)
const ErrorsPage = lazy(() =>
  import('../features/admin/errors/errors-page.tsx').then((m) => ({ default: m.ErrorsPage })),
)
const UsersPage = lazy(() =>
  import('../features/admin/users/users-page.tsx').then((m) => ({ default: m.UsersPage })),
)
const ModelsPage = lazy(() =>
  import('../features/admin/models/models-page.tsx').then((m) => ({ default: m.ModelsPage })),
)
const AuditPage = lazy(() =>
  import('../features/admin/audit/audit-page.tsx').then((m) => ({ default: m.AuditPage })),
)
const FeedbackPage = lazy(() =>
  import('../features/admin/feedback/feedback-page.tsx').then((m) => ({ default: m.FeedbackPage })),
)

/** Every page of the admin console, inside its frame. */
export function AdminRoutes({ menuButton }: { menuButton?: ReactNode }) {
  return (
    <AdminConsole menuButton={menuButton}>
      <Switch>
        <Route path="/admin/users">
          <title>Users · Parley</title>
          <UsersPage menuButton={menuButton} />
        </Route>
        <Route path="/admin/models">
          <title>Models · Parley</title>
          <ModelsPage menuButton={menuButton} />
        </Route>
        <Route path="/admin/audit">
          <title>Audit · Parley</title>
          <AuditPage menuButton={menuButton} />
        </Route>
        <Route path="/admin/usage">
          <title>Team usage · Parley</title>
          <TeamUsagePage menuButton={menuButton} />
        </Route>
        <Route path="/admin/feedback">
          <title>Feedback · Parley</title>
          <FeedbackPage menuButton={menuButton} />
        </Route>
        <Route path="/admin/activity">
          <title>Activity · Parley</title>
          <ActivityPage menuButton={menuButton} />
        </Route>
        <Route path="/admin/errors">
          <title>Errors · Parley</title>
          <ErrorsPage menuButton={menuButton} />
        </Route>
        <Route>
          <title>Not found · Parley</title>
          <div className="empty-state">
            <h1>There is no such admin page</h1>
          </div>
        </Route>
      </Switch>
    </AdminConsole>
  )
}
