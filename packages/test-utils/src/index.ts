export {
  runAdapterScenarios,
  scenarioConfig,
  SPLIT,
  SCENARIO_COOKIE_SECRET,
  signedCookie,
  setCookieSecretEnv,
  type AdapterFactory,
  type ScenarioProxy,
  type ScenarioServerSpec,
  type StartedServer,
} from './scenarios.js'
export { startHelloworld, startEcho, deadUrl, closeServer, streamChunk, STREAM_CHUNKS, type Echoed, type Upstream } from './helloworld.js'
export { installOtel, withServerSpan, outgoing, type OtelHarness } from './otel.js'
export { startFakeOpenAi, replyOf, usageFor, type FakeOpenAi } from './fake-openai.js'
export { runAttackRequestScenarios } from './attack-request-scenarios.js'
export { runAttackUpstreamScenarios } from './attack-upstream-scenarios.js'
export { startHostileUpstream, settledValue, type HostileUpstream } from './hostile-upstream.js'
// Node 20's built-in fetch (undici 6) leaves the connection of an aborted call that awaits its headers open; undici 7 closes it
export { fetch as undiciFetch } from 'undici'
export { routedHandlers } from './routed.js'
