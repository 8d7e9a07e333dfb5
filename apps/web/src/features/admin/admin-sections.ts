/** The pages of the admin console, in the order its navigation shows them. */
export interface AdminSection {
  path: string
  label: string
}

export const adminSections: readonly AdminSection[] = [
  { path: '/admin/users', label: 'Users' },
  { path: '/admin/models', label: 'Models' },
  { path: '/admin/usage', label: 'Usage' },
  { path: '/admin/feedback', label: 'Feedback' },
  { path: '/admin/activity', label: 'Activity' },
  { path: '/admin/errors', label: 'Errors' },
  { path: '/admin/audit', label: 'Audit' },
]

export const adminHome = adminSections[0]?.path ?? '/admin/users'
