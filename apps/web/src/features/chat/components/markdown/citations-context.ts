import type { Citation } from '@parley/schema/contracts'
import { createContext } from 'react'

/** The citations of the reply being rendered, and how to show one; null outside a cited reply. */
export const CitationsContext = createContext<{
  citations: readonly Citation[]
  onOpen: (citation: Citation) => void
} | null>(null)
