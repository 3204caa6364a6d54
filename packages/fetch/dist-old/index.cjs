'use strict';

var core = require('@splitlane/core');

// src/split-fetch.ts
function createFallbackPolicy(options, router, now, report) {
  const retryable = options?.retryableStatuses ?? [];
  const breaker = options === void 0 || options.breaker === false ? null : core.createCircuitBreaker(options.breaker ?? {});
  const toControl = (from, reason, extra = {}) => {
    const control = router.control();
    const route = router.route(control);
    if (control === null || control === from || route instanceof core.SplitlaneError) return null;
    return { route, fallback: { reason, from, to: control, ...extra } };
  };
  const mayRetry = (method, plan) => options !== void 0 && plan.fallback === void 0 && plan.route.variant !== router.control() && core.IDEMPOTENT_METHODS.includes(method);
  return {
    plan(assignment) {
      const route = router.route(assignment.variant);
      if (route instanceof core.SplitlaneError) {
        report(route);
        return toControl(assignment.variant ?? "", "upstream_invalid", { code: route.code }) ?? {
          route: { variant: assignment.variant, upstream: null, headers: [] }
        };
      }
      const variant = assignment.variant;
      if (breaker !== null && variant !== null && variant !== router.control() && !breaker.allow(variant, now()))
        return toControl(variant, "circuit_open") ?? { route };
      return { route };
    },
    mayRetry,
    async send(fetchImpl, plan, method, build) {
      const variant = plan.route.variant;
      const guarded = breaker !== null && plan.fallback === void 0 && variant !== null && variant !== router.control();
      let response;
      let error;
      try {
        const built = build(plan.route, 0);
        const call = built instanceof Promise ? await built : built;
        response = await fetchImpl(call.url, call.init);
      } catch (thrown) {
        error = thrown;
      }
      const failed = response === void 0 || response.status >= 500;
      if (guarded && failed) breaker.failure(variant, now());
      else if (guarded) breaker.success(variant);
      if (!failed || plan.fallback !== void 0 || !mayRetry(method, plan))
        return { ...plan, variantFailed: failed && plan.fallback === void 0, response, error };
      const reason = core.shouldRetry(method, { error: response === void 0, status: response?.status }, retryable);
      const retry = reason === null ? null : toControl(variant ?? "", reason, response === void 0 ? {} : { status: response.status });
      if (retry === null) return { ...plan, variantFailed: true, response, error };
      await response?.body?.cancel().catch(() => void 0);
      try {
        const built = build(retry.route, 1);
        const call = built instanceof Promise ? await built : built;
        return { ...retry, variantFailed: true, response: await fetchImpl(call.url, call.init) };
      } catch (thrown) {
        return { ...retry, variantFailed: true, error: thrown };
      }
    }
  };
}
var isLlm = (upstream) => upstream?.model !== void 0 || upstream?.prices !== void 0;
function observeLlm(response, upstream, started, now, done) {
  if (response.body === null) {
    done({ status: response.status, latencyMs: now() - started });
    return response;
  }
  const streaming = (response.headers.get("content-type") ?? "").includes("text/event-stream");
  const decoder = new TextDecoder();
  const scanner = streaming ? core.createSseUsageScanner() : null;
  let text2 = "";
  let ttfbMs;
  const finish = (error) => {
    const usage = scanner === null ? core.usageOfText(text2) : scanner.usage();
    const outcome = { status: response.status, latencyMs: now() - started };
    if (ttfbMs !== void 0) outcome.ttfbMs = ttfbMs;
    if (usage?.promptTokens !== void 0) outcome.promptTokens = usage.promptTokens;
    if (usage?.completionTokens !== void 0) outcome.completionTokens = usage.completionTokens;
    const cost = core.costOf(upstream?.prices, usage?.promptTokens, usage?.completionTokens);
    if (cost !== void 0) outcome.cost = cost;
    done(outcome);
  };
  const watch = new TransformStream({
    transform(chunk, controller) {
      ttfbMs ??= now() - started;
      const decoded = decoder.decode(chunk, { stream: true });
      if (scanner === null) text2 += decoded;
      else scanner.push(decoded);
      controller.enqueue(chunk);
    },
    flush() {
      const rest = decoder.decode();
      if (scanner === null) text2 += rest;
      else scanner.push(rest);
      finish();
    }
  });
  const body = response.body.pipeThrough(watch);
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
function fromUrl(url, init) {
  let headers;
  return {
    url,
    method: init?.method === void 0 ? "GET" : init.method.toUpperCase(),
    get headers() {
      return headers ??= new Headers(init?.headers);
    },
    givenHeaders: init?.headers,
    body: init?.body ?? null,
    init
  };
}
function readCall(input, init) {
  if (typeof input === "string") return fromUrl(input, init);
  if (input instanceof URL) return fromUrl(input.href, init);
  const request = init === void 0 ? input : new Request(input, init);
  const passed = { signal: request.signal, redirect: request.redirect, ...init };
  return {
    url: request.url,
    method: request.method,
    headers: request.headers,
    givenHeaders: request.headers,
    body: request.body,
    init: passed
  };
}
function isReusable(body) {
  return typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof URLSearchParams || body instanceof Blob || body instanceof FormData;
}
function bodyCopies(body, count) {
  if (body === null || isReusable(body) || count === 1) return Array(count).fill(body);
  const copies = [];
  let rest = body instanceof ReadableStream ? body : new Response(body).body;
  for (let i = 1; i < count; i++) {
    const [one, other] = rest.tee();
    copies.push(one);
    rest = other;
  }
  copies.push(rest);
  return copies;
}
var JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b/i;
function buildCall(call, body, route, bases, labels) {
  const url = core.rewriteUrl(call.url, route.upstream?.url ?? null, bases);
  const model = route.upstream?.model;
  if (call.givenHeaders === void 0 && (model === void 0 || body === null)) {
    const record = {};
    for (const [name, value] of route.headers) record[name.toLowerCase()] = value;
    for (const [name, value] of labels) record[name.toLowerCase()] = value;
    return outgoing(url, call, record, body);
  }
  const headers = new Headers(call.givenHeaders);
  for (const [name, value] of route.headers) headers.set(name, value);
  for (const [name, value] of labels) headers.set(name, value);
  if (model === void 0 || body === null || !JSON_TYPE.test(headers.get("content-type") ?? "")) return outgoing(url, call, headers, body);
  headers.delete("content-length");
  const rewrite = (text2) => outgoing(url, call, headers, core.withModel(text2, model) ?? text2);
  return typeof body === "string" ? rewrite(body) : new Response(body).text().then(rewrite);
}
function outgoing(url, call, headers, body) {
  const init = call.init === void 0 ? { method: call.method, headers, body } : { ...call.init, method: call.method, headers, body };
  if (body !== null && typeof body === "object" && !isReusable(body)) init.duplex = "half";
  return { url, init };
}
function createRouter({ splitter, experiment, upstreams, env }) {
  let config = null;
  let routes2 = /* @__PURE__ */ new Map();
  let bases = [];
  const refresh = () => {
    if (splitter.config === config) return;
    config = splitter.config;
    routes2 = /* @__PURE__ */ new Map();
    const variants = config.experiments[experiment]?.variants ?? [];
    const urls = variants.map((variant) => build(variant.name)).map((route) => route instanceof core.SplitlaneError ? null : route.upstream?.url);
    bases = [...new Set(urls.filter((url) => typeof url === "string"))].sort((a, b) => b.length - a.length);
  };
  const build = (variant) => {
    if (variant === null) return { variant, upstream: null, headers: [] };
    const value = upstreams?.[variant] ?? config?.experiments[experiment]?.variants.find((each) => each.name === variant)?.value;
    const upstream = core.parseUpstream(value, experiment);
    if (upstream instanceof core.SplitlaneError) return upstream;
    const headers = core.resolveHeaders(upstream?.headers, env, experiment);
    if (headers instanceof core.SplitlaneError) return headers;
    return { variant, upstream, headers };
  };
  return {
    route(variant) {
      refresh();
      let route = routes2.get(variant);
      if (route === void 0) routes2.set(variant, route = build(variant));
      return route;
    },
    control() {
      refresh();
      return config?.experiments[experiment]?.control ?? null;
    },
    bases() {
      refresh();
      return bases;
    }
  };
}
var SHADOW_HEADER = "splitlane-shadow";
function createShadow(options, deps, experiment) {
  const upstream = core.parseUpstream(options.upstream, experiment);
  if (upstream instanceof core.SplitlaneError) throw upstream;
  const headers = core.resolveHeaders(upstream?.headers, deps.env, experiment);
  if (headers instanceof core.SplitlaneError) throw headers;
  const route = { variant: null, upstream, headers: [...headers, [SHADOW_HEADER, "1"]] };
  const methods = (options.methods ?? core.SAFE_METHODS).map((method) => method.toUpperCase());
  const fraction = Math.min(100, Math.max(0, options.percent ?? 100)) / 100;
  const maxConcurrent = options.maxConcurrent ?? 32;
  const timeoutMs = options.timeoutMs ?? 1e4;
  const counts = { sent: 0, dropped: 0, failed: 0, timedOut: 0, mismatches: 0 };
  let inFlight = 0;
  const run = async (call) => {
    const started = deps.now();
    const signal = AbortSignal.timeout(timeoutMs);
    let outcome;
    let observed;
    try {
      const outgoing2 = await Promise.resolve(call.build(route, call.body));
      const response = await deps.fetch(outgoing2.url, { ...outgoing2.init, signal });
      let latest = { status: response.status };
      const watched = isLlm(upstream) ? observeLlm(response, upstream, started, deps.now, (result) => latest = result) : response;
      const body = await watched.text();
      outcome = { ...latest, latencyMs: deps.now() - started, shadow: true };
      observed = { status: response.status, latencyMs: outcome.latencyMs, body };
    } catch {
      outcome = { error: true, latencyMs: deps.now() - started, shadow: true };
      if (signal.aborted) counts.timedOut++;
      else counts.failed++;
    }
    if (call.primary !== void 0) {
      const primary = call.primary;
      if (observed === void 0) await primary.response.body?.cancel();
      else {
        const same = await options.compare(
          { status: primary.response.status, latencyMs: primary.latencyMs, body: await primary.response.text() },
          observed,
          call.assignment
        );
        if (same === false) counts.mismatches++;
        outcome.mismatch = same === false;
      }
    }
    call.record(outcome);
  };
  return {
    compares: options.compare !== void 0,
    wants: (method) => methods.includes(method) && (fraction >= 1 || deps.random() < fraction),
    fire(call) {
      if (inFlight >= maxConcurrent) {
        counts.dropped++;
        void call.primary?.response.body?.cancel();
        if (call.body instanceof ReadableStream) void call.body.cancel();
        return;
      }
      inFlight++;
      counts.sent++;
      run(call).catch(
        (error) => deps.report(new core.SplitlaneError(core.ErrorCode.Internal, "a shadow comparator failed", { cause: error, experiment }))
      ).finally(() => inFlight--);
    },
    stats: () => ({ ...counts })
  };
}

// src/telemetry.ts
var quietly = (action) => {
  try {
    action();
  } catch {
  }
};
function startTelemetry(assignment, call, metrics, otel) {
  let trace;
  if (otel !== void 0) quietly(() => trace = otel.start(assignment, call));
  let done = false;
  return {
    headers: trace?.headers ?? [],
    finish(outcome, fallback) {
      if (done) return;
      done = true;
      if (metrics !== void 0)
        try {
          metrics.record(assignment, outcome);
        } catch {
        }
      if (trace !== void 0) quietly(() => trace.end(fallback === void 0 ? outcome : { ...outcome, fallbackReason: fallback }));
    }
  };
}

// src/split-fetch.ts
var VARIANT_HEADER = "splitlane-variant";
var routes = /* @__PURE__ */ new WeakMap();
var routeOf = (response) => routes.get(response);
var processEnv = () => globalThis.process?.env ?? {};
function createSplitFetch(options) {
  if (typeof options?.splitter?.assign !== "function" || typeof options.experiment !== "string")
    throw new core.SplitlaneError(
      core.ErrorCode.OptionsInvalid,
      "createSplitFetch needs { splitter, experiment }: a splitter and the name of the experiment"
    );
  const { splitter, experiment, metrics } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timer = () => performance.now();
  const env = options.env ?? processEnv();
  const header = options.header === false ? null : options.header ?? VARIANT_HEADER;
  const report = (error) => {
    try {
      options.onError?.(error);
    } catch {
    }
  };
  const router = createRouter({ splitter, experiment, upstreams: options.upstreams, env });
  const policy = createFallbackPolicy(options.fallback, router, options.now ?? Date.now, report);
  const shadowDeps = { fetch: fetchImpl, env, random: options.random ?? Math.random, now: timer, report };
  const shadow = options.shadow === void 0 ? null : createShadow(options.shadow, shadowDeps, experiment);
  const assign = (call) => {
    let key;
    let attributes;
    try {
      key = options.key?.(call);
      attributes = options.attributes?.(call);
    } catch (cause) {
      report(new core.SplitlaneError(core.ErrorCode.GetterFailed, "the key or attributes getter of createSplitFetch threw", { cause, experiment }));
    }
    return splitter.assign(experiment, { key, attributes });
  };
  const labelled = /* @__PURE__ */ new Map();
  const labels = (variant, traced) => {
    if (header === null || variant === null) return traced;
    let own = labelled.get(variant);
    if (own === void 0) labelled.set(variant, own = [[header, `${experiment}=${variant}`]]);
    return traced.length === 0 ? own : [...own, ...traced];
  };
  const splitFetch = async (input, init) => {
    const call = readCall(input, init);
    const assignment = assign(call);
    const plan = policy.plan(assignment);
    const mirror = shadow !== null && shadow.wants(call.method);
    const retry = policy.mayRetry(call.method, plan);
    const bodies = bodyCopies(call.body, 1 + Number(retry) + Number(mirror));
    const mirrorBody = mirror ? bodies.pop() : null;
    const bases = router.bases();
    let used = 0;
    const telemetry = startTelemetry(assignment, { method: call.method }, metrics, options.otel);
    const started = timer();
    const sent = await policy.send(fetchImpl, plan, call.method, (route, copy) => {
      used |= 1 << copy;
      return buildCall(call, bodies[copy], route, bases, labels(route.variant, telemetry.headers));
    });
    if (bodies.length > 1) {
      for (const [copy, body] of bodies.entries()) if ((used & 1 << copy) === 0 && body instanceof ReadableStream) void body.cancel();
    }
    const fallback = sent.fallback;
    const base = fallback === void 0 ? {} : { fallback: true, ...sent.variantFailed ? { error: true } : {} };
    const finish = (outcome) => telemetry.finish({ ...outcome, ...base }, fallback?.reason);
    if (sent.response === void 0) {
      finish({ error: true, latencyMs: timer() - started });
      if (mirrorBody instanceof ReadableStream) void mirrorBody.cancel();
      throw sent.error;
    }
    const upstream = sent.route.upstream;
    let response = sent.response;
    if (isLlm(upstream)) response = observeLlm(response, upstream, started, timer, finish);
    else finish({ status: response.status, latencyMs: timer() - started });
    if (shadow !== null && mirror) {
      const primary = shadow.compares ? { response: response.clone(), latencyMs: timer() - started } : void 0;
      const traced = startTelemetry(assignment, { method: call.method, shadow: true }, metrics, options.otel);
      const build = (route, body) => buildCall(call, body, route, bases, labels(assignment.variant, traced.headers));
      shadow.fire({ assignment, body: mirrorBody, build, primary, record: (outcome) => traced.finish(outcome) });
    }
    routes.set(response, {
      assignment,
      servedBy: sent.route.variant,
      url: response.url,
      shadowed: mirror,
      ...fallback === void 0 ? {} : { fallback },
      explain: () => splitter.explain(assignment) + (fallback === void 0 ? "" : ` ${core.explainFallback(fallback)}`)
    });
    return response;
  };
  return Object.assign(splitFetch, { shadowStats: () => shadow?.stats() ?? { sent: 0, dropped: 0, failed: 0, timedOut: 0, mismatches: 0 } });
}
var splits = /* @__PURE__ */ new WeakMap();
var serverSplitOf = (request) => splits.get(request);
var assignmentsOf = (request) => splits.get(request)?.assignments ?? {};
function viewOf(request, options) {
  let url;
  const parsed = () => url ??= new URL(request.url);
  return {
    header: (name) => request.headers.get(name) ?? void 0,
    ip: () => options.getIp?.(request),
    path: () => parsed().pathname,
    user: () => options.getUser?.(request),
    secure: () => parsed().protocol === "https:",
    query: (name) => parsed().searchParams.getAll(name)
  };
}
function withHeaders(response, headers) {
  if (headers.length === 0) return response;
  try {
    for (const [name, value] of headers) response.headers.append(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of headers) copy.headers.append(name, value);
    return copy;
  }
}
function withSplitlane(handler, options) {
  const split = core.createHttpSplit({ randomId: () => crypto.randomUUID(), now: () => performance.now(), clock: Date.now, ...options });
  const report = split.report;
  return async (request, ...rest) => {
    let begun;
    try {
      begun = split.begin(request, viewOf(request, options));
      splits.set(request, begun);
    } catch (cause) {
      report(new core.SplitlaneError(core.ErrorCode.Internal, "withSplitlane failed; the request goes on unsplit", { cause }));
      return handler(request, ...rest);
    }
    let response;
    try {
      response = await begun.run(() => handler(request, ...rest));
    } catch (error) {
      if (options.onHandlerError === void 0) {
        begun.finish({ error: true });
        throw error;
      }
      response = await options.onHandlerError(error, request);
    }
    begun.finish({ status: response.status });
    return withHeaders(response, begun.responseHeaders);
  };
}
function byVariant(handlers, fallback, options = {}) {
  return (request, ...rest) => {
    const variant = core.pickAssignment(assignmentsOf(request), options.experiment)?.variant;
    const handler = variant !== null && variant !== void 0 && Object.hasOwn(handlers, variant) ? handlers[variant] : fallback;
    return handler(request, ...rest);
  };
}
var text = (status, body) => new Response(body, { status, headers: { "content-type": "text/plain" } });
function withoutHopByHop(headers) {
  const copy = new Headers(headers);
  for (const name of core.hopByHopHeaders(headers.get("connection"))) copy.delete(name);
  return copy;
}
function proxyByVariant(options = {}) {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async (request) => {
    const split = serverSplitOf(request);
    const upstream = split?.upstream(options.experiment);
    if (upstream === void 0 || !upstream.ok) {
      if (upstream !== void 0) split.report(upstream.error);
      return text(502, upstream === void 0 ? "splitlane: request was not split" : "splitlane: no upstream for this variant");
    }
    const url = new URL(request.url);
    const prefix = options.stripPrefix;
    const path = prefix !== void 0 && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || "/" : url.pathname;
    const headers = withoutHopByHop(request.headers);
    headers.delete("host");
    const variantHeader = split.upstreamHeader;
    if (variantHeader !== void 0) headers.set(variantHeader[0], variantHeader[1]);
    const init = {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      signal: request.signal
    };
    if (request.body !== null) init.duplex = "half";
    try {
      const response = await fetchImpl(upstream.url.replace(/\/$/, "") + path + url.search, init);
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: withoutHopByHop(response.headers)
      });
    } catch {
      return text(502, "splitlane: the upstream did not answer");
    }
  };
}
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
    applyText(text2) {
      if (text2 === lastText) return succeeded();
      let document;
      try {
        document = JSON.parse(text2);
      } catch (cause) {
        return reject(new core.SplitlaneConfigError([{ path: "", message: `not valid JSON (${messageOf(cause)})` }]));
      }
      const result = splitter.update(document);
      if (!result.ok) return reject(result.error);
      lastText = text2;
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

// src/config-source-url.ts
function createUrlConfigSource(options) {
  const { splitter, intervalMs = 3e4, maxBackoffMs = 3e5, timeoutMs = 1e4, random = Math.random } = options;
  const url = String(options.url);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const applier = createConfigApplier(url, splitter, options);
  let etag = null;
  let inFlight = null;
  let timer;
  let closed = false;
  const abort = new AbortController();
  async function load() {
    const headers = { accept: "application/json", ...options.headers };
    if (etag !== null) headers["if-none-match"] = etag;
    let response;
    let text2;
    try {
      response = await fetchImpl(url, { headers, signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]) });
      if (response.status === 304) return applier.succeeded();
      text2 = await response.text();
    } catch (error) {
      return applier.fail(messageOf(error), error);
    }
    if (!response.ok) return applier.fail(`HTTP ${response.status}`);
    const accepted = applier.applyText(text2);
    if (accepted) etag = response.headers.get("etag");
    return accepted;
  }
  function schedule() {
    if (closed) return;
    const failures = applier.status().consecutiveFailures;
    const delay = failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** failures) * (0.5 + random() / 2);
    timer = setTimeout(() => void refresh(), delay);
    timer.unref?.();
  }
  function refresh() {
    if (inFlight) return inFlight;
    clearTimeout(timer);
    inFlight = load().then(() => {
      inFlight = null;
      schedule();
      return applier.status();
    });
    return inFlight;
  }
  const ready = refresh();
  return {
    ready,
    refresh,
    status: applier.status,
    close() {
      closed = true;
      clearTimeout(timer);
      abort.abort();
    }
  };
}

exports.SHADOW_HEADER = SHADOW_HEADER;
exports.VARIANT_HEADER = VARIANT_HEADER;
exports.assignmentsOf = assignmentsOf;
exports.byVariant = byVariant;
exports.createSplitFetch = createSplitFetch;
exports.createUrlConfigSource = createUrlConfigSource;
exports.proxyByVariant = proxyByVariant;
exports.routeOf = routeOf;
exports.withSplitlane = withSplitlane;
//# sourceMappingURL=index.cjs.map
//# sourceMappingURL=index.cjs.map