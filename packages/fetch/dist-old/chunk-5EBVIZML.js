import { SplitlaneError, ErrorCode, SplitlaneConfigError } from '@splitlane/core';

// src/config-source.ts
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
    const issues = error instanceof SplitlaneConfigError ? error.issues : [];
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
        return reject(new SplitlaneConfigError([{ path: "", message: `not valid JSON (${messageOf(cause)})` }]));
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
      return reject(new SplitlaneError(ErrorCode.SourceUnavailable, `Could not load config from ${source}: ${message}`, { cause }));
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

export { createConfigApplier, messageOf };
//# sourceMappingURL=chunk-5EBVIZML.js.map
//# sourceMappingURL=chunk-5EBVIZML.js.map