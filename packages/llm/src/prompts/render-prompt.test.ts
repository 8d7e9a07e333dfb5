import { describe, expect, it } from 'vitest'
import { eventLoopLagDuring } from '../testing/event-loop-lag.ts'
import { PromptRenderError, placeholders, prompts, renderPrompt } from './render-prompt.ts'
import { cleanTitle, heuristicTitle, MAX_TITLE_CHARS } from './title.ts'

describe('renderPrompt', () => {
  it('fills the chat system prompt and records its name and version', () => {
    const rendered = renderPrompt('chat.system', {
      userName: 'Ada',
      currentDate: '2026-11-22',
      modelName: 'GPT-6.1 Terra',
    })
    expect(rendered.name).toBe('chat.system')
    expect(rendered.version).toBe(prompts['chat.system'].version)
    expect(rendered.text).toContain('You are GPT-6.1 Terra')
    expect(rendered.text).toContain('talking with Ada')
    expect(rendered.text).toContain('Today is 2026-11-22')
    expect(rendered.text).not.toMatch(/\{\{|\}\}/)
  })

  it('names the user only by the display name given, else generically', () => {
    const rendered = renderPrompt('chat.system', {
      currentDate: '2026-11-22',
      modelName: 'GPT-6.1 Terra',
    })
    expect(rendered.text).toContain('talking with a member of the team.')
  })

  it('rejects a missing variable', () => {
    expect(() =>
      renderPrompt('chat.system', { userName: 'Ada', currentDate: '2026-11-22' } as never),
    ).toThrow(/modelName/)
  })

  it('rejects an unknown variable', () => {
    expect(() =>
      renderPrompt('chat.system', {
        userName: 'Ada',
        currentDate: '2026-11-22',
        modelName: 'x',
        mood: 'cheerful',
      } as never),
    ).toThrow(PromptRenderError)
  })

  it('rejects a variable of the wrong shape', () => {
    expect(() =>
      renderPrompt('chat.system', { userName: 'Ada', currentDate: 'yesterday', modelName: 'x' }),
    ).toThrow(/currentDate/)
  })

  it('cuts a very long first message in the title prompt', () => {
    const rendered = renderPrompt('conversation.title', {
      userMessage: 'word '.repeat(2_000),
      assistantReply: 'Sure.',
    })
    expect(rendered.text.length).toBeLessThan(3_000)
    expect(rendered.text).toContain('at most 6 words')
  })

  it('uses exactly the variables each template declares', () => {
    for (const [name, prompt] of Object.entries(prompts)) {
      expect(prompt.name).toBe(name)
      expect(placeholders(prompt.template).sort(), prompt.name).toEqual(
        Object.keys(prompt.variables.shape).sort(),
      )
      expect(prompt.version, prompt.name).toMatch(/^\d+$/)
    }
  })
})

describe('titles', () => {
  it('strips quotes, labels and closing punctuation and keeps at most six words', () => {
    expect(cleanTitle('"Planning a Trip to Lisbon."')).toBe('Planning a Trip to Lisbon')
    expect(cleanTitle('Title: Rust borrow checker basics!')).toBe('Rust borrow checker basics')
    expect(cleanTitle('One two three four five six seven eight')).toBe(
      'One two three four five six',
    )
    expect(cleanTitle('First line\nSecond line')).toBe('First line')
  })

  it('derives a heuristic title from the first message', () => {
    expect(heuristicTitle('How do I configure Postgres row level security for teams?')).toBe(
      'How do I configure Postgres row',
    )
    expect(heuristicTitle('```\ncode only\n```')).toBe('New conversation')
  })

  it('cuts a long title at a word boundary, or mid-word when one word is too long', () => {
    const long = cleanTitle(`Rust ${'borrowing'.repeat(8)} ${'lifetimes'.repeat(8)} checker`)
    expect(long).toBe(`Rust ${'borrowing'.repeat(8)}`)
    expect(cleanTitle('x'.repeat(500))).toBe('x'.repeat(MAX_TITLE_CHARS))
    expect(cleanTitle('😀'.repeat(300))).toBe('😀'.repeat(MAX_TITLE_CHARS / 2))
    expect(cleanTitle(`${'x'.repeat(MAX_TITLE_CHARS - 1)}😀`)).toBe('x'.repeat(MAX_TITLE_CHARS - 1))
  })

  it('keeps the event loop responsive on long runs of punctuation', async () => {
    const lagMs = await eventLoopLagDuring(() => {
      cleanTitle(`${'!'.repeat(100_000)}a`)
      heuristicTitle(`${'-'.repeat(100_000)}a`)
      heuristicTitle(`${'?'.repeat(100_000)}`)
    })
    expect(lagMs).toBeLessThan(500)
  })
})
