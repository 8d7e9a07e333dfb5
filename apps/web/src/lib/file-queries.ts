import type { Conversation, FileKind, FileScope } from '@parley/schema/contracts'
import { queryOptions, useQuery } from '@tanstack/react-query'
import { api } from './api-client.ts'
import { queryKeys } from './query-keys.ts'

/** How often a file still being read is asked about again. */
export const processingPollMs = 1_500

/** One file; asked about again while the server is still reading it, and no longer after. */
export const fileQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.file(id),
    queryFn: ({ signal }) => api.files.get(id, signal),
    refetchInterval: (query) =>
      query.state.data?.status === 'processing' && !query.state.error ? processingPollMs : false,
  })

export const useFile = (id: string) => useQuery(fileQuery(id))

export const fileCapabilitiesQuery = () =>
  queryOptions({
    queryKey: queryKeys.fileCapabilities,
    queryFn: ({ signal }) => api.files.capabilities(signal),
    staleTime: 5 * 60_000,
  })

/** The upload size limit, the kinds read, and whether semantic search is on. */
export const useFileCapabilities = () => useQuery(fileCapabilitiesQuery())

/** Each kind as people call it. */
export const kindNames: Record<FileKind, string> = {
  pdf: 'PDF',
  docx: 'Word',
  markdown: 'Markdown',
  text: 'Text',
  html: 'HTML',
  csv: 'CSV',
}

/** File extensions a file picker offers for each kind the server reads. */
const extensions: Record<FileKind, string> = {
  pdf: '.pdf,application/pdf',
  docx: '.docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  markdown: '.md,.markdown,text/markdown',
  text: '.txt,text/plain',
  html: '.html,.htm,text/html',
  csv: '.csv,text/csv',
}

/** The `accept` of a file picker for these kinds (empty: any file, the server decides). */
export const acceptFor = (kinds: readonly FileKind[] | undefined) =>
  (kinds ?? []).map((kind) => extensions[kind]).join(',')

const noFiles: FileScope = { mode: 'none' }

/** The files a conversation's turns read from; none until the server says otherwise. */
export function fileScopeOf(conversation: Conversation | undefined): FileScope {
  return conversation?.fileScope ?? noFiles
}
