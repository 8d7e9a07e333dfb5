import type { SearchHit } from '@parley/schema/contracts'
import { type KeyboardEvent, useEffect, useId, useState } from 'react'
import { useLocation } from 'wouter'
import { Dialog } from '../../../components/ui/dialog.tsx'
import { ShowMore } from '../../../components/ui/show-more.tsx'
import { Spinner } from '../../../components/ui/spinner.tsx'
import { describeError } from '../../../lib/api-error.ts'
import { useDebouncedValue } from '../../../lib/use-debounced-value.ts'
import { useSearch } from '../api/search.ts'
import { closeSearch, useSearchStore } from '../stores/search-store.ts'
import { hitHref, hitKey, SearchHitContent } from './search-hit.tsx'
import './search.css'

/** How long typing must pause before a search is sent. */
export const searchDebounceMs = 200

function SearchState({
  q,
  search,
  count,
}: {
  q: string
  search: ReturnType<typeof useSearch>
  count: number
}) {
  if (!q) return <p className="search__hint">Search your messages, conversations and files.</p>
  if (search.isError && count === 0) {
    return (
      <div className="search__hint" role="alert">
        <p>The search failed. {describeError(search.error)}</p>
        <button type="button" className="button" onClick={() => void search.refetch()}>
          Try again
        </button>
      </div>
    )
  }
  if (search.isPending) return <Spinner label="Searching" />
  if (count === 0) return <p className="search__hint">No results for “{q}”.</p>
  return null
}

function useActiveIndex(count: number, q: string) {
  const [active, setActive] = useState(0)
  useEffect(() => setActive(0), [q])
  const move = (step: number) =>
    setActive((index) => (count === 0 ? 0 : Math.min(count - 1, Math.max(0, index + step))))
  return { active: Math.min(active, Math.max(0, count - 1)), move }
}

function SearchPanel({ onChoose }: { onChoose: (hit: SearchHit) => void }) {
  const [text, setText] = useState('')
  const q = useDebouncedValue(text.trim(), searchDebounceMs)
  const search = useSearch(q)
  const hits = q ? (search.data?.pages.flatMap((page) => page.items) ?? []) : []
  const { active, move } = useActiveIndex(hits.length, q)
  const listId = useId()
  const optionId = (index: number) => `${listId}-${index}`

  useEffect(() => {
    document.getElementById(optionId(active))?.scrollIntoView?.({ block: 'nearest' })
  })

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const chosen = hits[active]
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      move(event.key === 'ArrowDown' ? 1 : -1)
    } else if (event.key === 'Enter' && chosen) {
      event.preventDefault()
      onChoose(chosen)
    } else if (event.key === 'Escape') {
      event.preventDefault()
      closeSearch()
    }
  }

  return (
    <div className="search">
      <input
        className="input search__input"
        type="search"
        role="combobox"
        aria-label="Search"
        aria-expanded={hits.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={hits.length > 0 ? optionId(active) : undefined}
        placeholder="Search messages and files"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        // biome-ignore lint/a11y/noAutofocus: the dialog exists to type a search
        autoFocus
      />
      <div id={listId} role="listbox" aria-label="Results" className="search__results">
        {hits.map((hit, index) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the search box handles the keys
          <div
            key={hitKey(hit)}
            id={optionId(index)}
            role="option"
            tabIndex={-1}
            aria-selected={index === active}
            className="search-hit"
            onClick={() => onChoose(hit)}
          >
            <SearchHitContent hit={hit} />
          </div>
        ))}
      </div>
      <SearchState q={q} search={search} count={hits.length} />
      {hits.length > 0 && <ShowMore query={search} className="search__more" />}
      <p className="sr-only" role="status">
        {q && !search.isPending ? `${hits.length} results` : ''}
      </p>
    </div>
  )
}

/** Ctrl/Cmd+K: find a message, conversation or file passage and go to it. */
export function SearchDialog() {
  const open = useSearchStore((state) => state.open)
  const [, navigate] = useLocation()
  const choose = (hit: SearchHit) => {
    closeSearch()
    navigate(hitHref(hit))
  }
  return (
    <Dialog open={open} onClose={closeSearch} title="Search" className="search-dialog">
      <SearchPanel onChoose={choose} />
    </Dialog>
  )
}
