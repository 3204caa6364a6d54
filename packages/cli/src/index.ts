export { run, VERSION } from './program.js'
export { EXIT, CliError, readDocument, readDocuments, type CliIo } from './io.js'
