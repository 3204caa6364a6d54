// `@splitlane/core/json-schema`: the config schema as JSON Schema, for editors, docs and other languages.
// Its own entry because zod's JSON Schema generator and the field descriptions weigh ~20 KB minified
// that an app which only splits never needs.
export { configJsonSchema } from './config/json-schema.js'
