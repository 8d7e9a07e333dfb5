export {
  type ChunkOptions,
  chunkBlocks,
  type DocumentBlock,
  type DocumentChunk,
  defaultOverlapTokens,
  defaultTargetTokens,
} from './chunk-blocks.ts'
export { type DetectedKind, detectFileKind } from './detect-file-kind.ts'
export { DocumentError, type DocumentErrorCode } from './document-error.ts'
export { DocumentReader, type DocumentReaderOptions } from './document-reader.ts'
export {
  defaultExtractLimits,
  type ExtractedDocument,
  type ExtractLimits,
  extractDocument,
} from './extract-document.ts'
export { sanitizeFileName } from './file-name.ts'
