import { describe, expect, it } from 'vitest'
import { PromptRenderError, placeholders, prompts, renderPrompt } from './render-prompt.ts'
import { cleanTitle, heuristicTitle } from './title.ts'

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
})
