// Request bodies sent to more than one place (a retry on control, a shadow) without buffering them.

/** A body that can be sent more than once as it is. */
export function isReusable(body: unknown): boolean {
  return (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData
  )
}

/**
 * The body as `count` independent copies, never buffered: the caller's own body when it can be
 * reused (keeping its Content-Length), else tees of its stream.
 */
export function bodyCopies(body: BodyInit | null, count: number): (BodyInit | null)[] {
  if (body === null || isReusable(body) || count === 1) return Array<BodyInit | null>(count).fill(body)
  const copies: ReadableStream<Uint8Array>[] = []
  let rest = body instanceof ReadableStream ? (body as ReadableStream<Uint8Array>) : new Response(body).body!
  for (let i = 1; i < count; i++) {
    const [one, other] = rest.tee()
    copies.push(one)
    rest = other
  }
  copies.push(rest)
  return copies
}
