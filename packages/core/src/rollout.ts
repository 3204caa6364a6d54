// `@splitlane/core/rollout`: progressive rollout plans (parse, step, promote, abort), the driver that
// applies their weights to a config, and the verdict of each analysis run. Its own entry so that an
// app which only splits does not bundle it.
export {
  startRollout,
  tickRollout,
  resumeRollout,
  promoteRollout,
  abortRollout,
  rolloutWeights,
  analysisDue,
  type FleetEvidence,
} from './rollout/plan.js'
export { parseRolloutPlan, safeParseRolloutPlan, rolloutPlanSchema, type SafeParseRolloutPlanResult } from './rollout/schema.js'
export { createRolloutDriver, configWithWeights, type RolloutDriver, type RolloutDriverOptions } from './rollout/driver.js'
export { MAX_HISTORY } from './rollout/types.js'
export {
  judgeAnalysisRun,
  ANALYSIS_DEFAULTS,
  type AnalysisRunInput,
  type AnalysisRunVerdict,
  type AnalysisCounts,
  type AnalysisOutcome,
  type AnalysisNext,
  type SampleRatioCheck,
} from './rollout/verdict.js'
export type {
  AnalysisStepOptions,
  RolloutStep,
  GuardrailOptions,
  RolloutPlan,
  RolloutStatus,
  RolloutEvent,
  RolloutAction,
  RolloutState,
  RolloutDecision,
  RolloutTick,
} from './rollout/types.js'
