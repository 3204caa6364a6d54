// zod/mini sets no locale, so a check without a message of ours would say only "Invalid input".
// Parses pass zod's English messages as their fallback (the words full zod uses), loaded on the
// first parse and without touching the app's own global zod config.
import { en } from 'zod/locales'
import type * as z from 'zod/mini'

let english: z.core.$ZodErrorMap | undefined

/** Parse options for `schema.safeParse(input, englishFallback())`. */
export function englishFallback(): { error: z.core.$ZodErrorMap } {
  english ??= en().localeError
  return { error: english }
}
