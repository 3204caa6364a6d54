// Configs from a file may use regex rules: installing the RE2 engine here keeps them working.
import '@splitlane/core/regex'
import { watch, type FSWatcher } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { SplitlaneError, type Splitter } from '@splitlane/core'
import {
  createConfigApplier,
  DEFAULT_MAX_BYTES,
  messageOf,
  positiveOption,
  tooLarge,
  type ConfigSource,
  type ConfigSourceCallbacks,
  type ConfigSourceStatus,
} from './config-source.js'

export interface FileConfigSourceOptions extends ConfigSourceCallbacks {
  path: string
  splitter: Splitter
  /** Quiet time after the last change event before the file is read, so a write in progress is not read half-done. Default 50 ms. */
  debounceMs?: number
  /** While the file's directory is missing (deleted, not yet mounted), how often to look for it again. Default 1 s. */
  retryMs?: number
  /** Largest file read; a larger one is refused. Default 1 MiB. */
  maxBytes?: number
}

/** Reloads a JSON config file when it changes (in place, replaced by rename, its directory recreated); never swaps in an invalid document. */
export function createFileConfigSource(options: FileConfigSourceOptions): ConfigSource {
  const path = resolve(options.path)
  const directory = dirname(path)
  const { splitter } = options
  const debounceMs = positiveOption('debounceMs', options.debounceMs, 50)
  const retryMs = positiveOption('retryMs', options.retryMs, 1_000)
  const maxBytes = positiveOption('maxBytes', options.maxBytes, DEFAULT_MAX_BYTES)
  const applier = createConfigApplier(path, splitter, options)
  let inFlight: Promise<ConfigSourceStatus> | null = null
  let again = false
  let closed = false
  let debounce: ReturnType<typeof setTimeout> | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  let watcher: FSWatcher | null = null

  async function readText(): Promise<string> {
    const handle = await open(path, 'r')
    try {
      const { size } = await handle.stat()
      if (size > maxBytes) throw tooLarge(`${size} bytes`, maxBytes)
      return await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  }

  async function load(): Promise<void> {
    let text: string
    try {
      text = await readText()
    } catch (error) {
      if (error instanceof SplitlaneError) applier.fail(error.message, error, error.code)
      else applier.fail(messageOf(error), error)
      return
    }
    applier.applyText(text)
  }

  function refresh(): Promise<ConfigSourceStatus> {
    if (inFlight) {
      again = true // a change arrived during the read: read once more after it
      return inFlight
    }
    inFlight = (async () => {
      try {
        do {
          again = false
          await load()
        } while (again && !closed)
      } finally {
        inFlight = null
      }
      return applier.status()
    })()
    return inFlight
  }

  // Watching the directory, not the file, follows a file replaced by rename and a Kubernetes ConfigMap
  // mount (whose `..data` symlink is swapped); an event for another file costs one read of unchanged text.
  // A watch dies with its directory, and a directory created again may even get the same inode, so every
  // change event renews the watch before the file is read; while the directory is missing, it is looked
  // for every `retryMs`. Whatever changed between the old watch and the new one, the read that follows sees.
  function rewatch(): boolean {
    watcher?.close()
    watcher = null
    if (closed) return false
    try {
      watcher = watch(directory, { persistent: false }, changed)
      watcher.on('error', (error) => {
        applier.fail(`watching ${directory} stopped: ${error.message}`, error)
        retryLater()
      })
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') applier.fail(`cannot watch ${directory}: ${messageOf(error)}`, error)
      retryLater()
      return false
    }
  }

  function retryLater(): void {
    clearTimeout(retry)
    retry = setTimeout(() => {
      if (rewatch()) void refresh()
    }, retryMs)
    retry.unref()
  }

  function changed(): void {
    clearTimeout(debounce)
    debounce = setTimeout(() => {
      if (rewatch()) void refresh()
    }, debounceMs) // not unref'd: a change seen is read before the process may exit
  }

  rewatch()
  return {
    ready: refresh(),
    refresh,
    status: applier.status,
    close() {
      closed = true
      clearTimeout(debounce)
      clearTimeout(retry)
      watcher?.close()
    },
  }
}
