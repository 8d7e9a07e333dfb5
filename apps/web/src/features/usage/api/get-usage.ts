import { queryOptions, useQuery } from '@tanstack/react-query'
import { api, type TeamUsageQuery, type UsageReportQuery } from '../../../lib/api-client.ts'
import { queryKeys } from '../../../lib/query-keys.ts'

/** Spend changes with every reply: the page always asks again when it opens. */
const fresh = { staleTime: 0 } as const

export const budgetQuery = () =>
  queryOptions({
    queryKey: queryKeys.usageBudget,
    queryFn: ({ signal }) => api.usage.budget(signal),
    ...fresh,
  })

export const usageReportQuery = (groupBy: UsageReportQuery['groupBy']) =>
  queryOptions({
    queryKey: queryKeys.usageReport(groupBy),
    queryFn: ({ signal }) => api.usage.report({ groupBy }, signal),
    ...fresh,
  })

export const teamUsageReportQuery = (groupBy: TeamUsageQuery['groupBy']) =>
  queryOptions({
    queryKey: queryKeys.teamUsageReport(groupBy),
    queryFn: ({ signal }) => api.usage.team({ groupBy }, signal),
    ...fresh,
  })

/** The caller's budget this period: limit, spent, reserved, when it resets. */
export const useBudget = () => useQuery(budgetQuery())

/** The caller's usage this period, grouped by day, model or conversation. */
export const useUsageReport = (groupBy: UsageReportQuery['groupBy']) =>
  useQuery(usageReportQuery(groupBy))

/** Everyone's usage this period, grouped by day, model or user (admins). */
export const useTeamUsageReport = (groupBy: TeamUsageQuery['groupBy']) =>
  useQuery(teamUsageReportQuery(groupBy))
