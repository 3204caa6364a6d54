export {
  runAdapterScenarios,
  scenarioConfig,
  SPLIT,
  type AdapterFactory,
  type ScenarioServerSpec,
  type StartedServer,
} from './scenarios.js'
export { startHelloworld, startEcho, deadUrl, closeServer, streamChunk, STREAM_CHUNKS, type Echoed, type Upstream } from './helloworld.js'
export { installOtel, withServerSpan, outgoing, type OtelHarness } from './otel.js'
export { startFakeOpenAi, replyOf, usageFor, type FakeOpenAi } from './fake-openai.js'
export { runAttackRequestScenarios } from './attack-request-scenarios.js'
export { routedHandlers } from './routed.js'
