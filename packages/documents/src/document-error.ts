export type DocumentErrorCode =
  | 'unsupported_type'
  | 'empty'
  | 'encrypted'
  | 'corrupt'
  | 'too_large'
  | 'too_many_pages'
  | 'timeout'

/** A document Parley cannot read; `message` says why in words a person understands. */
export class DocumentError extends Error {
  override readonly name = 'DocumentError'
  readonly code: DocumentErrorCode

  constructor(code: DocumentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
