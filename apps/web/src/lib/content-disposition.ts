/**
 * The file name a `Content-Disposition` header gives (RFC 6266): the exact name of
 * `filename*=UTF-8''...` (RFC 5987) when it decodes, else the plain `filename=`, else null.
 */
export function attachmentFileName(header: string | null): string | null {
  if (!header) return null
  const parameters = readParameters(header)
  const extended = parameters.get('filename*')
  const decoded = extended === undefined ? null : decodeExtendedValue(extended)
  if (decoded) return decoded
  return parameters.get('filename') || null
}

/** `name=value` pairs after the disposition type, names lower-cased, quoted strings unescaped. */
function readParameters(header: string): Map<string, string> {
  const parameters = new Map<string, string>()
  let at = header.indexOf(';')
  while (at !== -1 && at < header.length) {
    const equals = header.indexOf('=', at + 1)
    if (equals === -1) break
    const name = header
      .slice(at + 1, equals)
      .trim()
      .toLowerCase()
    let value: string
    let rest = equals + 1
    while (header[rest] === ' ' || header[rest] === '\t') rest++
    if (header[rest] === '"') {
      value = ''
      rest++
      while (rest < header.length && header[rest] !== '"') {
        if (header[rest] === '\\') rest++
        value += header[rest] ?? ''
        rest++
      }
      at = header.indexOf(';', rest)
    } else {
      const end = header.indexOf(';', rest)
      value = header.slice(rest, end === -1 ? undefined : end).trim()
      at = end
    }
    if (!parameters.has(name)) parameters.set(name, value)
  }
  return parameters
}

/** `charset'language'percent-encoded` (UTF-8 or ISO-8859-1), or null when it does not decode. */
function decodeExtendedValue(value: string): string | null {
  const match = /^([\w!#$%&+^`{}~-]+)'[\w-]*'(.*)$/.exec(value)
  if (!match) return null
  const [, charset = '', encoded = ''] = match
  try {
    if (charset.toLowerCase() === 'utf-8') return decodeURIComponent(encoded)
    if (charset.toLowerCase() === 'iso-8859-1') {
      return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      )
    }
  } catch {
    // a malformed percent sequence: the plain name is used instead
  }
  return null
}
