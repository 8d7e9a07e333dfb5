import { queryOptions, useQuery } from '@tanstack/react-query'
import { api, type UsageReportQuery } from '../../../lib/api-client.ts'
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

/** The caller's budget this period: limit, spent, reserved, when it resets. */
export const useBudget = () => useQuery(budgetQuery())

/** The caller's usage this period, grouped by day, model or conversation. */
export const useUsageReport = (groupBy: UsageReportQuery['groupBy']) =>
  useQuery(usageReportQuery(groupBy))

/** Saves this period's report as a CSV file through the browser's download. */
export async function downloadUsageCsv(groupBy: UsageReportQuery['groupBy']): Promise<void> {
  const blob = await api.usage.csv({ groupBy })
  const url = URL.createObjectURL(blob)
  try {
    const link = document.createElement('a')
    link.href = url
    link.download = `parley-usage-by-${groupBy}.csv`
    document.body.append(link)
    link.click()
    link.remove()
  } finally {
    // The download has its own reference by now.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
}
