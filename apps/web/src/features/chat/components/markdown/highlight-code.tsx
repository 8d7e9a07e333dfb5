import type { Root } from 'hast'
import { toJsxRuntime } from 'hast-util-to-jsx-runtime'
import { common, createLowlight } from 'lowlight'
import type { ReactNode } from 'react'
import { Fragment, jsx, jsxs } from 'react/jsx-runtime'
import './highlight-code.css'

const lowlight = createLowlight(common)

/** Highlighted code as React elements (token classes, no inline styles), or null. */
export function highlightCode(code: string, language: string | undefined): ReactNode | null {
  if (!language || !lowlight.registered(language)) return null
  const tree: Root = lowlight.highlight(language, code)
  return toJsxRuntime(tree, { Fragment, jsx, jsxs })
}
