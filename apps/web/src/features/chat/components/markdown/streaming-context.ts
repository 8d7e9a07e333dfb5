import { createContext } from 'react'

/** True inside a reply that is still streaming: code is highlighted once it has settled. */
export const StreamingContext = createContext(false)
