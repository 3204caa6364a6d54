import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Splitter } from '@splitlane/core'
import { createConfigApplier, messageOf, type ConfigSource, type ConfigSourceCallbacks, type ConfigSourceStatus } from './config-source.js'

export interface FileConfigSourceOptions extends ConfigSourceCallbacks {
  path: string
  splitter: Splitter
  /** Quiet time after the last change event before the file is read, so a write in progress is not read half-done. Default 50 ms. */
  debounceMs?: number
}

/** Reloads a JSON config file when it changes (in place or replaced by rename); never swaps in an invalid document. */
export function createFileConfigSource(options: FileConfigSourceOptions): ConfigSource {
  const path = resolve(options.path)
  const { splitter, debounceMs = 50 } = options
  const applier = createConfigApplier(path, splitter, options)
  let inFlight: Promise<ConfigSourceStatus> | null = null
  let again = false
  let timer: ReturnType<typeof setTimeout> | undefined

  async function load(): Promise<void> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      applier.fail(messageOf(error), error)
      return
    }
    applier.applyText(text)
  }

  function refresh(): Promise<ConfigSourceStatus> {
    if (inFlight) {
      again = true // a change arrived during the read: read once more after it
      return inFlight
    }
    inFlight = load().then(() => {
      inFlight = null
      if (!again) return applier.status()
      again = false
      return refresh()
    })
    return inFlight
  }

  // Watching the directory, not the file, follows a file replaced by rename and a Kubernetes ConfigMap
  // mount (whose `..data` symlink is swapped); an event for another file costs one read of unchanged text.
  let watcher: FSWatcher | null = null
  try {
    watcher = watch(dirname(path), { persistent: false }, () => {
      clearTimeout(timer)
      timer = setTimeout(() => void refresh(), debounceMs)
    })
    watcher.on('error', (error) => applier.fail(`watching stopped: ${error.message}`, error))
  } catch (error) {
    applier.fail(`cannot watch ${dirname(path)}: ${messageOf(error)}`, error)
  }

  return {
    ready: refresh(),
    refresh,
    status: applier.status,
    close() {
      clearTimeout(timer)
      watcher?.close()
    },
  }
}
