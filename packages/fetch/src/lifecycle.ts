// Work after the response on runtimes that stop an invocation when its response is sent (Cloudflare Workers):
// such work must be handed to `waitUntil`, or it never settles.
import type { RequestSplit } from '@splitlane/core/adapter'

/** Hands `waitUntil` a promise of ours, never letting it throw (Workers' waitUntil throws outside a request). */
export type WaitUntil = (promise: Promise<unknown>) => void

export function holdWith(waitUntil: WaitUntil | undefined, promise: Promise<unknown>): void {
  try {
    waitUntil?.(promise)
  } catch {
    // outside a request the work still runs; it may just be cut short
  }
}

/** The `waitUntil` of a Workers `ctx` among a handler's extra arguments (`fetch(request, env, ctx)`). */
export function waitUntilOf(rest: readonly unknown[]): WaitUntil | undefined {
  for (const argument of rest) {
    const waitUntil = (argument as { waitUntil?: unknown } | null | undefined)?.waitUntil
    if (typeof waitUntil === 'function') return (promise) => void waitUntil.call(argument, promise)
  }
  return undefined
}

/** The same split, whose `finish` also releases a promise held by `waitUntil` (a proxied body records its outcome when it ends). */
export function heldUntilFinished(split: RequestSplit, waitUntil: WaitUntil): RequestSplit {
  let release = () => {}
  holdWith(waitUntil, new Promise<void>((resolve) => (release = resolve)))
  const finish = split.finish.bind(split) // the split's other methods stay its own (a copy would drop them)
  split.finish = (outcome) => {
    finish(outcome)
    release()
  }
  return split
}
