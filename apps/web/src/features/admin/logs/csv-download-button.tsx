import { useState } from 'react'
import type { DownloadedFile } from '../../../lib/api-client.ts'
import { describeError } from '../../../lib/api-error.ts'
import { saveFile } from '../../../lib/save-file.ts'
import { toast } from '../../../lib/toast-store.ts'

/** Fetches a log as CSV (with the caller's token) and hands it to the browser's download. */
export function CsvDownloadButton({
  download,
  label = 'Download CSV',
}: {
  download: () => Promise<DownloadedFile>
  label?: string
}) {
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    try {
      saveFile(await download())
    } catch (error) {
      toast(`The CSV could not be downloaded. ${describeError(error)}`)
    } finally {
      setBusy(false)
    }
  }
  return (
    <button type="button" className="button" onClick={() => void run()} disabled={busy}>
      {busy ? 'Preparing…' : label}
    </button>
  )
}
