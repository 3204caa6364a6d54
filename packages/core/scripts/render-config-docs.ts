import { writeFileSync } from 'node:fs'
import { renderConfigDocs, renderConfigSchemaJson } from './config-docs.js'

const target = new URL('../../../docs/reference/', import.meta.url)
writeFileSync(new URL('config.md', target), renderConfigDocs())
writeFileSync(new URL('../config.schema.json', import.meta.url), renderConfigSchemaJson())
console.log('wrote docs/reference/config.md and packages/core/config.schema.json')
