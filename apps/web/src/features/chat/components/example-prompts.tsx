/** Ways to start, for someone looking at an empty chat. Each fills the composer, never sends. */
export const examplePrompts = [
  {
    title: 'Explain an idea simply',
    prompt: 'Explain how public-key cryptography works to someone who is new to it.',
  },
  {
    title: 'Draft a message',
    prompt:
      'Help me write a short, friendly note telling my team that our weekly meeting moves to Thursday.',
  },
  {
    title: 'Plan something',
    prompt: 'Plan three days in Lisbon with a mix of food, history and long walks.',
  },
  {
    title: 'Review some code',
    prompt: 'Review this function for bugs and readability, and suggest a clearer version:\n\n',
  },
] as const

/** A few example prompts under the greeting of a new chat. */
export function ExamplePrompts({ onPick }: { onPick: (prompt: string) => void }) {
  return (
    <ul className="example-prompts" aria-label="Example prompts">
      {examplePrompts.map(({ title, prompt }) => (
        <li key={title}>
          <button type="button" className="example-prompt" onClick={() => onPick(prompt)}>
            <span className="example-prompt__title">{title}</span>
            <span className="example-prompt__text">{prompt.trim()}</span>
          </button>
        </li>
      ))}
    </ul>
  )
}
