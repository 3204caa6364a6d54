import * as z from 'zod/mini'
import { configSchema } from './schema.js'

/** The config schema as JSON Schema (draft 2020-12), for editors and other languages. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' })
}
