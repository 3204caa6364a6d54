import { tooLarge } from './config-source.js'

/** Reads a response body as UTF-8 text, refusing more than `maxBytes` (checked against Content-Length first, then while streaming). */
export async function readBody(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) {
    await discard(response)
    throw tooLarge(`Content-Length ${declared}`, maxBytes)
  }
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    // A fetch that ends the stream when aborted (instead of erroring it) must not pass a prefix off as the document.
    signal.throwIfAborted()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge(`${size} bytes read and more coming`, maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** Drops a body we will not read, so its connection is freed; a body that already failed has nothing to drop. */
export async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {})
}
