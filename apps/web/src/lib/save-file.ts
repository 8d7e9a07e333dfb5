import type { DownloadedFile } from './api-client.ts'

/** Hands a downloaded file to the browser to save, under its own name. */
export function saveFile({ blob, fileName }: DownloadedFile) {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // The browser may read the blob after the click returns: release it well after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
