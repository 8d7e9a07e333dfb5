import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useRef } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { clearDrafts, getDraft, newChatDraftKey, setDraft } from '../stores/draft-store.ts'
import { Composer } from './composer.tsx'
import { ExamplePrompts, examplePrompts } from './example-prompts.tsx'

/** The new chat's greeting and composer, wired as the page wires them. */
function Greeting({ onSend }: { onSend: (text: string) => void }) {
  const input = useRef<HTMLTextAreaElement>(null)
  return (
    <>
      <ExamplePrompts
        onPick={(prompt) => {
          setDraft(newChatDraftKey, prompt)
          input.current?.focus()
        }}
      />
      <Composer draftKey={newChatDraftKey} busy={false} onSend={onSend} inputRef={input} />
    </>
  )
}

describe('ExamplePrompts', () => {
  beforeEach(() => clearDrafts())

  it('puts a picked example in the composer to edit, focused, without sending it', async () => {
    const onSend = vi.fn()
    render(<Greeting onSend={onSend} />)
    const examples = screen.getByRole('list', { name: 'Example prompts' })
    expect(
      screen.getAllByRole('button', {
        name: /Explain an idea simply|Draft a message|Plan something|Review some code/,
      }),
    ).toHaveLength(examplePrompts.length)
    expect(examples).toBeInTheDocument()

    await userEvent.click(screen.getByRole('button', { name: /Plan something/ }))
    const box = screen.getByRole('textbox', { name: 'Message' })
    expect(box).toHaveValue(examplePrompts[2].prompt)
    expect(box).toHaveFocus()
    expect(onSend).not.toHaveBeenCalled()

    await userEvent.type(box, ' Keep it cheap.{Enter}')
    expect(onSend).toHaveBeenCalledExactlyOnceWith(`${examplePrompts[2].prompt} Keep it cheap.`)
    expect(getDraft(newChatDraftKey)).toBe('')
  })
})
