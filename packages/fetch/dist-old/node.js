import { createConfigApplier, messageOf } from './chunk-5EBVIZML.js';
import { watch } from 'fs';
import { readFile } from 'fs/promises';
import { resolve, dirname } from 'path';

function createFileConfigSource(options) {
  const path = resolve(options.path);
  const { splitter, debounceMs = 50 } = options;
  const applier = createConfigApplier(path, splitter, options);
  let inFlight = null;
  let again = false;
  let timer;
  async function load() {
    let text;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      applier.fail(messageOf(error), error);
      return;
    }
    applier.applyText(text);
  }
  function refresh() {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = load().then(() => {
      inFlight = null;
      if (!again) return applier.status();
      again = false;
      return refresh();
    });
    return inFlight;
  }
  let watcher = null;
  try {
    watcher = watch(dirname(path), { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), debounceMs);
    });
    watcher.on("error", (error) => applier.fail(`watching stopped: ${error.message}`, error));
  } catch (error) {
    applier.fail(`cannot watch ${dirname(path)}: ${messageOf(error)}`, error);
  }
  return {
    ready: refresh(),
    refresh,
    status: applier.status,
    close() {
      clearTimeout(timer);
      watcher?.close();
    }
  };
}

export { createFileConfigSource };
//# sourceMappingURL=node.js.map
//# sourceMappingURL=node.js.map