// Node-only entry: sources that need the file system.
export {}
