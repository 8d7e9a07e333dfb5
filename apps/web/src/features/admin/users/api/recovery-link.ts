import { useMutation } from '@tanstack/react-query'
import { api } from '../../../../lib/api-client.ts'

/** Makes a one-time reset link for an account; it replaces any link made before. */
export const useRecoveryLink = () =>
  useMutation({ mutationFn: (userId: string) => api.adminUsers.recoveryLink(userId) })
