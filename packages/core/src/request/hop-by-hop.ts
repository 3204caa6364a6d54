// Hop-by-hop headers (RFC 9110 section 7.6.1) belong to one connection and are never forwarded.

const ALWAYS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]

/** The names not to forward: the fixed list plus whatever the `Connection` header lists. */
export function hopByHopHeaders(connection?: string | readonly string[] | null): Set<string> {
  const names = new Set(ALWAYS)
  const lines = connection === undefined || connection === null ? [] : typeof connection === 'string' ? [connection] : connection
  for (const line of lines) for (const name of line.split(',')) if (name.trim() !== '') names.add(name.trim().toLowerCase())
  return names
}
