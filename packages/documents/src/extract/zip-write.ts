import type { ZipEntry } from './zip-directory.ts'

/** A part to write: its stored bytes unchanged, with the inflated size actually measured. */
export interface ZipPart extends ZipEntry {
  size: number
}

const UTF8_NAME = 0x0800

/**
 * A fresh ZIP archive of `parts`, copying their stored (compressed) bytes as they are: headers and
 * directory agree with each other and state the measured sizes.
 */
export function writeZip(parts: ZipPart[]): Uint8Array {
  const headersLength = parts.reduce((sum, part) => sum + 30 + part.nameBytes.length, 0)
  const dataLength = parts.reduce((sum, part) => sum + part.data.length, 0)
  const directoryLength = parts.reduce((sum, part) => sum + 46 + part.nameBytes.length, 0)
  const out = new Uint8Array(headersLength + dataLength + directoryLength + 22)
  const view = new DataView(out.buffer)
  const offsets: number[] = []
  let at = 0
  for (const part of parts) {
    offsets.push(at)
    view.setUint32(at, 0x04034b50, true)
    view.setUint16(at + 4, 20, true)
    writeCommon(view, at + 6, part)
    out.set(part.nameBytes, at + 30)
    at += 30 + part.nameBytes.length
    out.set(part.data, at)
    at += part.data.length
  }
  const directoryStart = at
  parts.forEach((part, i) => {
    view.setUint32(at, 0x02014b50, true)
    view.setUint16(at + 4, 20, true)
    view.setUint16(at + 6, 20, true)
    writeCommon(view, at + 8, part)
    view.setUint32(at + 42, offsets[i] ?? 0, true)
    out.set(part.nameBytes, at + 46)
    at += 46 + part.nameBytes.length
  })
  view.setUint32(at, 0x06054b50, true)
  view.setUint16(at + 8, parts.length, true)
  view.setUint16(at + 10, parts.length, true)
  view.setUint32(at + 12, at - directoryStart, true)
  view.setUint32(at + 16, directoryStart, true)
  return out
}

/** The fields local headers and directory entries share, from the flags to the extra length. */
function writeCommon(view: DataView, at: number, part: ZipPart): void {
  view.setUint16(at, part.flags & UTF8_NAME, true)
  view.setUint16(at + 2, part.method, true)
  view.setUint16(at + 4, part.dosTime, true)
  view.setUint16(at + 6, part.dosDate, true)
  view.setUint32(at + 8, part.crc32, true)
  view.setUint32(at + 12, part.data.length, true)
  view.setUint32(at + 16, part.size, true)
  view.setUint16(at + 20, part.nameBytes.length, true)
  view.setUint16(at + 22, 0, true)
}
