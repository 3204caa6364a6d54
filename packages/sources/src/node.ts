// Node-only entry: sources that need the file system.
export { createFileConfigSource, type FileConfigSourceOptions } from './config-source-file.js'
export type { ConfigRejection, ConfigSource, ConfigSourceCallbacks, ConfigSourceStatus, ConfigUpdate } from './config-source.js'
