/** One part of a ZIP archive as its central directory lists it, with its stored bytes located. */
export interface ZipEntry {
  /** The name's bytes as stored, decoded by whoever reads the archive. */
  nameBytes: Uint8Array
  /** General-purpose flags; bit 11 marks a UTF-8 name. */
  flags: number
  /** 0 stored, 8 deflated. */
  method: number
  dosTime: number
  dosDate: number
  crc32: number
  /** The part's bytes as stored in the archive (compressed when `method` is 8). */
  data: Uint8Array
  /** The inflated size the directory claims; nothing here checks it. */
  claimedSize: number
}

const END_OF_DIRECTORY = 0x06054b50
const DIRECTORY_HEADER = 0x02014b50
const LOCAL_HEADER = 0x04034b50
const ZIP64_MARK = 0xffffffff
const ENCRYPTED = 0x1

/**
 * The parts of a ZIP archive, read from its central directory the way ZIP readers do (Zip64 and
 * encrypted parts are refused). Throws on anything malformed; nothing is inflated.
 */
export function readZipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = findEndOfDirectory(view)
  const count = view.getUint16(end + 10, true)
  let offset = view.getUint32(end + 16, true)
  if (count === 0xffff || offset === ZIP64_MARK) throw new Error('Zip64 archives are not read')
  const entries: ZipEntry[] = []
  for (let i = 0; i < count; i++) {
    need(view, offset, 46)
    if (view.getUint32(offset, true) !== DIRECTORY_HEADER) throw new Error('bad directory entry')
    const nameLength = view.getUint16(offset + 28, true)
    const skip = nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true)
    need(view, offset + 46, skip)
    const entry = readEntry(bytes, view, offset, nameLength)
    entries.push(entry)
    offset += 46 + skip
  }
  return entries
}

function readEntry(bytes: Uint8Array, view: DataView, at: number, nameLength: number): ZipEntry {
  const flags = view.getUint16(at + 8, true)
  const storedSize = view.getUint32(at + 20, true)
  const claimedSize = view.getUint32(at + 24, true)
  const localOffset = view.getUint32(at + 42, true)
  if (flags & ENCRYPTED) throw new Error('encrypted part')
  if ([storedSize, claimedSize, localOffset].includes(ZIP64_MARK)) {
    throw new Error('Zip64 parts are not read')
  }
  need(view, localOffset, 30)
  if (view.getUint32(localOffset, true) !== LOCAL_HEADER) throw new Error('bad local header')
  const dataStart =
    localOffset +
    30 +
    view.getUint16(localOffset + 26, true) +
    view.getUint16(localOffset + 28, true)
  need(view, dataStart, storedSize)
  return {
    nameBytes: bytes.subarray(at + 46, at + 46 + nameLength),
    flags,
    method: view.getUint16(at + 10, true),
    dosTime: view.getUint16(at + 12, true),
    dosDate: view.getUint16(at + 14, true),
    crc32: view.getUint32(at + 16, true),
    data: bytes.subarray(dataStart, dataStart + storedSize),
    claimedSize,
  }
}

function findEndOfDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let at = view.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === END_OF_DIRECTORY) return at
  }
  throw new Error('not a ZIP archive')
}

function need(view: DataView, offset: number, length: number): void {
  if (offset + length > view.byteLength) throw new Error('truncated ZIP archive')
}
