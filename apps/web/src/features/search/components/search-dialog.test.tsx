import type { SearchHit, SearchResults } from '@parley/schema/contracts'
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { renderWithQueries } from '../../../testing/render-with-queries.tsx'
import { openSearch, useSearchStore } from '../stores/search-store.ts'
import { SearchDialog } from './search-dialog.tsx'

const conversationId = '00000000-0000-4000-8000-00000000c001'
const messageId = '00000000-0000-4000-8000-00000000a001'
const fileId = '00000000-0000-4000-8000-00000000f001'

const messageHit: SearchHit = {
  kind: 'message',
  conversationId,
  conversationTitle: 'Leave policy',
  messageId,
  role: 'assistant',
  snippet: [
    { text: '<img src=x onerror="alert(1)"> Parents get 16 weeks of ', match: false },
    { text: 'leave', match: true },
  ],
  createdAt: '2026-12-01T10:00:00.000Z',
  score: 2,
}

const fileHit: SearchHit = {
  kind: 'file',
  fileId,
  fileName: 'handbook.pdf',
  chunkId: '00000000-0000-4000-8000-00000000b001',
  page: 4,
  headingPath: ['Leave', 'Parental leave'],
  snippet: [
    { text: 'Parental ', match: false },
    { text: 'leave', match: true },
  ],
  createdAt: '2026-11-20T10:00:00.000Z',
  score: 1,
}

const conversationHit: SearchHit = {
  kind: 'conversation',
  conversationId,
  conversationTitle: 'Leave policy',
  snippet: [{ text: 'Leave policy', match: true }],
  createdAt: '2026-12-01T09:00:00.000Z',
  score: 1,
}

type Answer = (url: URL, signal: AbortSignal | undefined) => Response | Promise<Response>

/** The search endpoint, answered by `answer`; every query it was asked is kept in order. */
function serve(answer: Answer) {
  const asked: URL[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      if (url.pathname !== '/api/v1/search') return new Response(null, { status: 404 })
      asked.push(url)
      return answer(url, init?.signal ?? undefined)
    }),
  )
  return asked
}

const results = (items: SearchHit[], nextCursor: string | null = null): SearchResults => ({
  items,
  nextCursor,
  semantic: false,
})

function renderDialog() {
  openSearch()
  renderWithQueries(<SearchDialog />)
  return screen.getByRole('combobox', { name: 'Search' })
}

beforeEach(() => window.history.replaceState(null, '', '/'))

afterEach(() => {
  useSearchStore.setState({ open: false })
  vi.unstubAllGlobals()
})

describe('SearchDialog', () => {
  it('searches once typing settles, for the words as finally typed', async () => {
    const asked = serve(() => Response.json(results([messageHit])))
    const input = renderDialog()
    // Three edits in one moment: only the last is searched.
    fireEvent.change(input, { target: { value: 'l' } })
    fireEvent.change(input, { target: { value: 'le' } })
    fireEvent.change(input, { target: { value: 'leave' } })
    expect(await screen.findByRole('option', { name: /Reply in Leave policy/ })).toBeVisible()
    expect(asked.map((url) => url.searchParams.get('q'))).toEqual(['leave'])
    expect(asked[0]?.searchParams.get('scope')).toBe('all')
  })

  it('cancels the search for words the user has typed past', async () => {
    const signals = new Map<string, AbortSignal | undefined>()
    serve((url, signal) => {
      const q = url.searchParams.get('q') ?? ''
      signals.set(q, signal)
      if (q === 'lea') {
        // The slow answer never comes: only its cancellation ends it.
        return new Promise<Response>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(signal.reason)),
        )
      }
      return Response.json(results([fileHit]))
    })
    const input = renderDialog()
    fireEvent.change(input, { target: { value: 'lea' } })
    await waitFor(() => expect(signals.has('lea')).toBe(true))
    fireEvent.change(input, { target: { value: 'leave' } })
    expect(await screen.findByRole('option', { name: /handbook\.pdf/ })).toBeVisible()
    await waitFor(() => expect(signals.get('lea')?.aborted).toBe(true))
  })

  it('labels each result by kind, names a file hit’s file and page, and marks matches as text', async () => {
    serve(() => Response.json(results([messageHit, fileHit, conversationHit])))
    const input = renderDialog()
    await userEvent.type(input, 'leave')
    const file = await screen.findByRole('option', { name: /handbook\.pdf, page 4/ })
    expect(file).toHaveTextContent('File')
    expect(file).toHaveTextContent('Leave › Parental leave')
    expect(screen.getByRole('option', { name: /Conversation\s*Leave policy/ })).toBeVisible()

    const message = screen.getByRole('option', { name: /Reply in Leave policy/ })
    expect(message).toHaveTextContent(
      '<img src=x onerror="alert(1)"> Parents get 16 weeks of leave',
    )
    expect(message.querySelector('img')).toBeNull()
    expect(within(message).getByText('leave').tagName).toBe('MARK')
  })

  it('moves through results with the arrow keys and opens the chosen message on Enter', async () => {
    serve(() => Response.json(results([fileHit, messageHit])))
    const input = renderDialog()
    await userEvent.type(input, 'leave')
    const first = await screen.findByRole('option', { name: /handbook\.pdf/ })
    expect(first).toHaveAttribute('aria-selected', 'true')
    expect(input).toHaveAttribute('aria-activedescendant', first.id)

    await userEvent.keyboard('{ArrowDown}{ArrowDown}')
    const second = screen.getByRole('option', { name: /Reply in Leave policy/ })
    expect(second).toHaveAttribute('aria-selected', 'true')
    expect(input).toHaveAttribute('aria-activedescendant', second.id)
    await userEvent.keyboard('{ArrowUp}')
    expect(first).toHaveAttribute('aria-selected', 'true')
    await userEvent.keyboard('{ArrowDown}{Enter}')

    expect(window.location.pathname).toBe(`/c/${conversationId}`)
    expect(new URLSearchParams(window.location.search).get('message')).toBe(messageId)
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('opens the Files page on the file a file result is from', async () => {
    serve(() => Response.json(results([fileHit])))
    const input = renderDialog()
    await userEvent.type(input, 'leave')
    await userEvent.click(await screen.findByRole('option', { name: /handbook\.pdf/ }))
    expect(window.location.pathname).toBe('/files')
    expect(new URLSearchParams(window.location.search).get('file')).toBe(fileId)
  })

  it('closes on Escape', async () => {
    serve(() => Response.json(results([])))
    const input = renderDialog()
    await userEvent.type(input, 'leave{Escape}')
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
    expect(useSearchStore.getState().open).toBe(false)
  })

  it('shows more results from the next page', async () => {
    const asked = serve((url) =>
      url.searchParams.get('cursor') === 'page-2'
        ? Response.json(results([conversationHit]))
        : Response.json(results([messageHit], 'page-2')),
    )
    const input = renderDialog()
    await userEvent.type(input, 'leave')
    await screen.findByRole('option', { name: /Reply in Leave policy/ })
    await userEvent.click(screen.getByRole('button', { name: 'Show more' }))
    expect(await screen.findByRole('option', { name: /Conversation\s*Leave policy/ })).toBeVisible()
    expect(asked.at(-1)?.searchParams.get('cursor')).toBe('page-2')
    expect(screen.queryByRole('button', { name: 'Show more' })).not.toBeInTheDocument()
  })

  it('says when nothing matched', async () => {
    serve(() => Response.json(results([])))
    const input = renderDialog()
    await userEvent.type(input, 'zebra')
    expect(await screen.findByText('No results for “zebra”.')).toBeVisible()
  })

  it('says when the search failed and tries again on request', async () => {
    let fail = true
    serve(() =>
      fail
        ? Response.json(
            { error: { code: 'internal_error', message: 'boom', requestId: 'req-1' } },
            { status: 500 },
          )
        : Response.json(results([fileHit])),
    )
    const input = renderDialog()
    await userEvent.type(input, 'leave')
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The search failed. Something went wrong on the server.')
    fail = false
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }))
    await waitFor(() => expect(screen.getByRole('option', { name: /handbook\.pdf/ })).toBeVisible())
  })
})
