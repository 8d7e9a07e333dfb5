import type { Citation, Message } from '@parley/schema/contracts'
import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { messageFixture } from '../../message-fixture.ts'
import { MessageBubble } from '../message-bubble.tsx'

const handbook: Citation = {
  index: 1,
  chunkId: '00000000-0000-4000-8000-0000000000c1',
  fileId: '00000000-0000-4000-8000-0000000000f1',
  fileName: 'handbook.pdf',
  page: 4,
  headingPath: ['Leave', 'Parental leave'],
  snippet: 'Parents may take up to 16 weeks of paid leave.',
}

const policy: Citation = {
  ...handbook,
  index: 2,
  chunkId: '00000000-0000-4000-8000-0000000000c2',
  fileName: 'policy.pdf',
  page: 9,
}

const citedReply = (content: string, citations: Citation[] = [handbook]): Message =>
  ({ ...messageFixture({ content }), citations }) as Message

function renderReply(message: Message) {
  render(<MessageBubble message={message} busy={false} onRegenerate={vi.fn()} />)
}

// The markdown renderer is its own chunk; loaded once here, no test waits on its first import.
beforeAll(async () => {
  await import('../markdown/markdown-content.tsx')
})

describe('Citations in a reply', () => {
  it('opens the cited passage from its marker, with the file, page and headings', async () => {
    renderReply(citedReply('You get 16 weeks [1].'))
    await userEvent.click(
      await screen.findByRole('button', { name: 'Source 1: handbook.pdf, page 4' }),
    )
    const dialog = screen.getByRole('dialog', { name: '[1] handbook.pdf' })
    expect(within(dialog).getByText('Page 4 · Leave › Parental leave')).toBeInTheDocument()
    expect(
      within(dialog).getByText('Parents may take up to 16 weeks of paid leave.'),
    ).toBeInTheDocument()
    expect(within(dialog).getByRole('link', { name: 'Open in Files' })).toHaveAttribute(
      'href',
      `/files?file=${handbook.fileId}`,
    )
    await userEvent.click(within(dialog).getByRole('button', { name: 'Close' }))
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('lists the sources below the reply', async () => {
    renderReply(citedReply('You get 16 weeks [1].'))
    const sources = await screen.findByRole('region', { name: 'Sources' })
    await userEvent.click(within(sources).getByRole('button', { name: '[1] handbook.pdf, p. 4' }))
    expect(screen.getByRole('dialog', { name: '[1] handbook.pdf' })).toBeInTheDocument()
  })

  it('leaves a marker with no citation behind it as plain text', async () => {
    renderReply(citedReply('Cited [1] but not [2].'))
    await screen.findByRole('button', { name: /Source 1/ })
    expect(screen.queryByRole('button', { name: /Source 2/ })).not.toBeInTheDocument()
    expect(screen.getByText(/but not \[2\]\./)).toBeInTheDocument()
  })

  it('never turns brackets in code into markers', async () => {
    renderReply(citedReply('Index it with `items[1]`:\n\n```js\nconst first = items[1]\n```'))
    await screen.findByText('items[1]')
    expect(screen.queryByRole('button', { name: /Source 1/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Sources' })).toBeInTheDocument()
  })

  it('gives each number of a grouped or adjacent marker its own button', async () => {
    renderReply(citedReply('Paid [1, 2]; unpaid [2][1].', [handbook, policy]))
    expect(
      await screen.findAllByRole('button', { name: 'Source 1: handbook.pdf, page 4' }),
    ).toHaveLength(2)
    expect(screen.getAllByRole('button', { name: 'Source 2: policy.pdf, page 9' })).toHaveLength(2)
  })

  it('keeps a grouped number with no citation behind it as plain text', async () => {
    renderReply(citedReply('Paid [1, 3].'))
    await screen.findByRole('button', { name: /Source 1/ })
    expect(screen.queryByRole('button', { name: /Source 3/ })).not.toBeInTheDocument()
    expect(screen.getByText('[3]')).toBeInTheDocument()
  })

  it('never turns grouped or adjacent brackets in code into markers', async () => {
    renderReply(citedReply('See `grid[1, 2]` and `a[1][2]`, as said [2].', [handbook, policy]))
    await screen.findByRole('button', { name: /Source 2/ })
    expect(screen.queryByRole('button', { name: /Source 1/ })).not.toBeInTheDocument()
    expect(screen.getByText('grid[1, 2]')).toBeInTheDocument()
  })

  it('shows a reply without citations as it is, with no sources', async () => {
    renderReply(citedReply('Plain [1] text.', []))
    expect(await screen.findByText('Plain [1] text.')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Source/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Sources' })).not.toBeInTheDocument()
  })
})
