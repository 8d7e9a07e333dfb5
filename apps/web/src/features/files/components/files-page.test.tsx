import type { FileCapabilities, FileResource } from '@parley/schema/contracts'
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useUploadStore } from '../../../lib/upload-store.ts'
import { fakeUploads } from '../../../testing/fake-uploads.ts'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { FilesPage } from './files-page.tsx'

const file = (n: number, fields: Partial<FileResource> = {}): FileResource => ({
  id: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
  name: `file-${n}.pdf`,
  mimeType: 'application/pdf',
  sizeBytes: 1_468_006,
  status: 'ready',
  kind: 'pdf',
  error: null,
  pageCount: 12,
  chunkCount: 48,
  embedded: false,
  createdAt: '2026-12-04T09:30:00.000Z',
  updatedAt: '2026-12-04T09:31:00.000Z',
  ...fields,
})

const handbook = file(1, { name: 'handbook.pdf' })
const notes = file(2, {
  name: 'notes.md',
  kind: 'markdown',
  mimeType: 'text/markdown',
  sizeBytes: 812,
  pageCount: null,
  chunkCount: 0,
  status: 'failed',
  error: 'The file has no text in it.',
})

const capabilities = (semanticSearch: boolean): FileCapabilities => ({
  maxUploadBytes: 20 * 1024 * 1024,
  kinds: ['pdf', 'markdown'],
  semanticSearch,
  embeddingModel: semanticSearch ? 'text-embedding-3-small' : null,
})

interface Call {
  method: string
  path: string
}

/** The files API over a list the test owns; a DELETE takes the file out of it. */
function serve(files: FileResource[], semanticSearch = false) {
  const calls: Call[] = []
  let items = [...files]
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      const method = init?.method ?? 'GET'
      const path = url.pathname.replace('/api/v1', '')
      calls.push({ method, path })
      if (path === '/files/capabilities') return Response.json(capabilities(semanticSearch))
      if (path === '/files' && method === 'GET') return Response.json({ items, nextCursor: null })
      const id = /^\/files\/([^/]+)$/.exec(path)?.[1]
      if (id && method === 'DELETE') {
        items = items.filter((item) => item.id !== id)
        return new Response(null, { status: 204 })
      }
      return new Response(null, { status: 404 })
    }),
  )
  return {
    calls,
    add: (item: FileResource) => {
      items = [item, ...items]
    },
  }
}

beforeEach(() => {
  useUploadStore.setState({ groups: {} })
  window.history.replaceState(null, '', '/files')
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('FilesPage', () => {
  it('lists each file with its kind, size, pages, passages, date and status', async () => {
    serve([handbook, notes])
    renderWithQueries(<FilesPage />)
    const ready = await screen.findByRole('listitem', { name: 'handbook.pdf' })
    expect(ready).toHaveTextContent('PDF · 1.4 MB · 12 pages · 48 passages · Uploaded 4 Dec 2026')
    expect(ready).toHaveTextContent('Ready')
    expect(within(ready).getByRole('button', { name: 'Download handbook.pdf' })).toBeEnabled()
    const failed = screen.getByRole('listitem', { name: 'notes.md' })
    expect(failed).toHaveTextContent('Markdown · 812 bytes · Uploaded 4 Dec 2026')
    expect(failed).toHaveTextContent('Could not be read: The file has no text in it.')
  })

  it('deletes a file only once the deletion is confirmed', async () => {
    const { calls } = serve([handbook, notes])
    renderWithQueries(<FilesPage />)
    const row = await screen.findByRole('listitem', { name: 'handbook.pdf' })

    await userEvent.click(within(row).getByRole('button', { name: 'Delete handbook.pdf' }))
    const dialog = screen.getByRole('dialog', { name: 'Delete this file?' })
    expect(dialog).toHaveTextContent('“handbook.pdf” and its passages will be deleted')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false)

    await userEvent.click(within(row).getByRole('button', { name: 'Delete handbook.pdf' }))
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }))
    await waitFor(() =>
      expect(screen.queryByRole('listitem', { name: 'handbook.pdf' })).not.toBeInTheDocument(),
    )
    expect(calls.filter((call) => call.method === 'DELETE')).toEqual([
      { method: 'DELETE', path: `/files/${handbook.id}` },
    ])
    expect(screen.getByRole('listitem', { name: 'notes.md' })).toBeInTheDocument()
  })

  it('says plainly when semantic search is off and how to turn it on', async () => {
    serve([handbook])
    renderWithQueries(<FilesPage />)
    const notice = await screen.findByRole('complementary', { name: 'Search mode' })
    expect(notice).toHaveTextContent(
      'Semantic search over files and messages is off: they are found by their words. An administrator can turn it on by setting PARLEY_EMBEDDINGS_URL.',
    )
  })

  it('has no notice when semantic search is on', async () => {
    serve([handbook], true)
    renderWithQueries(<FilesPage />)
    await screen.findByText(/up to 20 MB each/)
    expect(screen.queryByRole('complementary', { name: 'Search mode' })).not.toBeInTheDocument()
  })

  it('focuses the file a search result opened', async () => {
    window.history.replaceState(null, '', `/files?file=${notes.id}`)
    serve([handbook, notes])
    renderWithQueries(<FilesPage />)
    const row = await screen.findByRole('listitem', { name: 'notes.md' })
    await waitFor(() => expect(row).toHaveFocus())
  })

  it('uploads a chosen file and lists it as being read', async () => {
    const api = serve([handbook])
    const uploads = fakeUploads()
    const { container } = renderWithQueries(<FilesPage />)
    await screen.findByRole('listitem', { name: 'handbook.pdf' })
    const input = container.querySelector<HTMLInputElement>('input[type="file"]')
    await userEvent.upload(input as HTMLInputElement, new File(['# Plan'], 'plan.md'))
    await waitFor(() => expect(uploads).toHaveLength(1))
    act(() => uploads[0]?.progress(0.25))
    expect(screen.getByRole('progressbar', { name: /Uploading plan\.md/ })).toHaveAttribute(
      'value',
      '0.25',
    )
    const plan = file(3, { name: 'plan.md', kind: 'markdown', status: 'processing' })
    api.add(plan)
    act(() => uploads[0]?.respond(202, plan))
    const row = await screen.findByRole('listitem', { name: 'plan.md' })
    expect(row).toHaveTextContent('Reading the file…')
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument()
  })
})
