'use strict';

var fs = require('fs');
var promises = require('fs/promises');
var path = require('path');
var core = require('@splitlane/core');

// src/config-source-file.ts
function createConfigApplier(source, splitter, callbacks) {
  let lastText = null;
  let updates = 0;
  let rejections = 0;
  let consecutiveFailures = 0;
  let lastError = null;
  const onReject = callbacks.onReject ?? ((rejection) => console.warn(`splitlane: config from ${source} rejected: ${rejection.error.message}`));
  function reject(error) {
    rejections += 1;
    consecutiveFailures += 1;
    lastError = error;
    const issues = error instanceof core.SplitlaneConfigError ? error.issues : [];
    safely(() => onReject({ source, error, issues }));
    return false;
  }
  return {
    /** Swaps in the document if it is valid and new; returns false when it was rejected. */
    applyText(text) {
      if (text === lastText) return succeeded();
      let document;
      try {
        document = JSON.parse(text);
      } catch (cause) {
        return reject(new core.SplitlaneConfigError([{ path: "", message: `not valid JSON (${messageOf(cause)})` }]));
      }
      const result = splitter.update(document);
      if (!result.ok) return reject(result.error);
      lastText = text;
      updates += 1;
      safely(() => callbacks.onUpdate?.({ source, revision: result.revision }));
      return succeeded();
    },
    /** Records a load that produced no document (network error, HTTP error, unreadable file). */
    fail(message, cause) {
      return reject(new core.SplitlaneError(core.ErrorCode.SourceUnavailable, `Could not load config from ${source}: ${message}`, { cause }));
    },
    succeeded,
    status: () => ({ source, revision: splitter.revision, updates, rejections, consecutiveFailures, lastError })
  };
  function succeeded() {
    consecutiveFailures = 0;
    return true;
  }
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
function safely(callback) {
  try {
    callback();
  } catch {
  }
}

// src/config-source-file.ts
function createFileConfigSource(options) {
  const path$1 = path.resolve(options.path);
  const { splitter, debounceMs = 50 } = options;
  const applier = createConfigApplier(path$1, splitter, options);
  let inFlight = null;
  let again = false;
  let timer;
  async function load() {
    let text;
    try {
      text = await promises.readFile(path$1, "utf8");
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
    watcher = fs.watch(path.dirname(path$1), { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), debounceMs);
    });
    watcher.on("error", (error) => applier.fail(`watching stopped: ${error.message}`, error));
  } catch (error) {
    applier.fail(`cannot watch ${path.dirname(path$1)}: ${messageOf(error)}`, error);
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

exports.createFileConfigSource = createFileConfigSource;
//# sourceMappingURL=node.cjs.map
//# sourceMappingURL=node.cjs.map