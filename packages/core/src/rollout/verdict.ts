// The one canary verdict: judge -> sample ratio check -> limits. The rollout plan and
// `splitlane analyze` both call `judgeAnalysisRun`, so the same window gets the same verdict.
import { analyzeCanary } from '../analysis/canary.js'
import { fleetRevisionCheck, judgeFleetWindow, type FleetWindow } from '../analysis/fleet.js'
import { formatNumber } from '../analysis/judge.js'
import type { JudgeResult } from '../analysis/types.js'
import type { MetricsWindow } from '../metrics/types.js'
import { sampleRatioMismatch, SRM_MIN_EXPECTED, SRM_THRESHOLD, type SampleRatioResult } from '../stats/srm.js'
import type { AnalysisStepOptions } from './types.js'
import { own } from '../own.js'

export const ANALYSIS_DEFAULTS = { intervalMs: 60_000, count: 1, minRequests: 100, failureLimit: 0, inconclusiveLimit: 1 } as const

export interface AnalysisCounts {
  passed: number
  failures: number
  inconclusive: number
}

export interface AnalysisRunInput {
  experiment: string
  canary: string
  baseline: string
  /** The metrics this run judges (a rollout: everything since its last run). Give this or `fleet`. */
  window?: MetricsWindow
  /**
   * Instead of `window`: the whole fleet's per-variant time series (from Prometheus, see
   * `judgeFleetWindow`); request and error counts come from its sums.
   */
  fleet?: FleetWindow
  /** With `fleet`: the config revision every instance must serve; instances on another make the run inconclusive. */
  expectedRevision?: string
  /** The canary's share in percent while the window was recorded; without it the sample ratio is not checked. */
  canaryWeight?: number
  /** The analysis step's settings: `minRequests`, `srm`, `judge`, `count` and the limits. */
  analysis?: AnalysisStepOptions
  /** Earlier runs of the same step (default none). */
  counts?: AnalysisCounts
  /**
   * Why the evidence could not be read (metrics store unreachable, a query failing, no data): the run
   * is inconclusive with this reason, never judged, so missing evidence never promotes.
   */
  missing?: string
}

export interface SampleRatioCheck {
  /** False when the check could not run (`reason` says why); then it flags nothing. */
  checked: boolean
  mismatch: boolean
  reason: string
  result?: SampleRatioResult
}

/** `waiting`: fewer canary requests than `minRequests`, nothing judged. */
export type AnalysisOutcome = 'waiting' | 'passed' | 'failed' | 'inconclusive'
/** What a rollout does next: wait for data, roll back, pause for a human, run again, or complete the step. */
export type AnalysisNext = 'wait' | 'rollback' | 'pause' | 'continue' | 'complete-step'

export interface AnalysisRunVerdict {
  outcome: AnalysisOutcome
  /** Why, in one line: the judge's verdict and any sample ratio mismatch. */
  reason: string
  /** `null` while waiting for data. */
  judge: JudgeResult | null
  srm: SampleRatioCheck | null
  requests: { canary: number; baseline: number }
  /** Counts including this run. */
  counts: AnalysisCounts
  next: AnalysisNext
  /** Why `next`, e.g. "1 failed analysis run(s), more than the limit of 0". */
  nextReason: string
}

function checkSampleRatio(
  requests: { canary: number; baseline: number },
  canaryWeight: number | undefined,
  enabled: boolean,
): SampleRatioCheck {
  if (!enabled) return { checked: false, mismatch: false, reason: 'not checked (srm: false)' }
  if (canaryWeight === undefined) return { checked: false, mismatch: false, reason: 'not checked: the canary weight in force is not known' }
  const weights = `${formatNumber(100 - canaryWeight)}/${formatNumber(canaryWeight)} weights`
  const counts = `${requests.baseline}/${requests.canary} requests against ${weights}`
  const result = sampleRatioMismatch([requests.baseline, requests.canary], [100 - canaryWeight, canaryWeight])
  if (!result.enoughData)
    return { checked: false, mismatch: false, result, reason: `not checked: ${counts}, fewer than ${SRM_MIN_EXPECTED} expected in an arm` }
  if (result.mismatch)
    return {
      checked: true,
      mismatch: true,
      result,
      reason: `sample ratio mismatch: ${counts}, p = ${formatNumber(result.pValue)} < ${SRM_THRESHOLD}: the split cannot be trusted`,
    }
  return { checked: true, mismatch: false, result, reason: `sample ratio matches: ${counts}, p = ${formatNumber(result.pValue)}` }
}

function requestCounts(input: AnalysisRunInput): { canary: number; baseline: number } {
  if (input.fleet !== undefined) {
    const count = (variant: string) => Math.round(own(input.fleet!.variants, variant)?.requests ?? 0)
    return { canary: count(input.canary), baseline: count(input.baseline) }
  }
  const variants = own(input.window?.experiments ?? {}, input.experiment)
  return { canary: own(variants, input.canary)?.requests ?? 0, baseline: own(variants, input.baseline)?.requests ?? 0 }
}

/**
 * Judges one analysis run: waits for `minRequests` canary requests, runs the canary judge, checks the
 * sample ratio against the weight in force, and applies the step's limits. Pure.
 */
export function judgeAnalysisRun(input: AnalysisRunInput): AnalysisRunVerdict {
  const options = { ...ANALYSIS_DEFAULTS, ...input.analysis }
  const before = input.counts ?? { passed: 0, failures: 0, inconclusive: 0 }
  const requests = requestCounts(input)
  if (input.missing !== undefined)
    return withLimits(
      { outcome: 'inconclusive', reason: `no evidence: ${input.missing}`, judge: null, srm: null, requests },
      before,
      options,
    )
  if (requests.canary < options.minRequests)
    return {
      outcome: 'waiting',
      reason: `waiting for data: ${requests.canary}/${options.minRequests} canary requests`,
      judge: null,
      srm: null,
      requests,
      counts: { ...before },
      next: 'wait',
      nextReason: 'not enough canary requests to judge',
    }
  const sides = { experiment: input.experiment, canary: input.canary, baseline: input.baseline }
  const judge =
    input.fleet !== undefined
      ? judgeFleetWindow(input.fleet, { ...options.judge, ...sides })
      : analyzeCanary(input.window ?? { experiments: {} }, { ...options.judge, ...sides })
  const srm = checkSampleRatio(requests, input.canaryWeight, options.srm !== false)
  // Metrics mixed from two configs say nothing about either: a lagging fleet is inconclusive, not judged.
  const revision =
    input.fleet !== undefined && input.expectedRevision !== undefined ? fleetRevisionCheck(input.fleet, input.expectedRevision) : undefined
  let outcome: 'passed' | 'failed' | 'inconclusive'
  let reason: string
  // A Fail counts even over a mismatched split (a crashing canary also skews the split, and rolling
  // back is the safe side); otherwise a mismatch makes the run inconclusive, whatever the judge says.
  if (judge.verdict === 'Fail') {
    outcome = 'failed'
    reason = `judge Fail (${judge.reason})${srm.mismatch ? `; also ${srm.reason}` : ''}`
  } else if (revision !== undefined && !revision.current) {
    outcome = 'inconclusive'
    reason = revision.reason
  } else if (srm.mismatch) {
    outcome = 'inconclusive'
    reason = srm.reason
  } else {
    outcome = judge.verdict === 'Pass' ? 'passed' : 'inconclusive'
    reason = `judge ${judge.verdict} (${judge.reason})`
  }
  return withLimits({ outcome, reason, judge, srm, requests }, before, options)
}

/** Counts this run and applies the step's failure and inconclusive limits. */
function withLimits(
  run: Pick<AnalysisRunVerdict, 'reason' | 'judge' | 'srm' | 'requests'> & { outcome: 'passed' | 'failed' | 'inconclusive' },
  before: AnalysisCounts,
  options: { failureLimit: number; inconclusiveLimit: number; count: number },
): AnalysisRunVerdict {
  const { outcome } = run
  const counts = {
    passed: before.passed + (outcome === 'passed' ? 1 : 0),
    failures: before.failures + (outcome === 'failed' ? 1 : 0),
    inconclusive: before.inconclusive + (outcome === 'inconclusive' ? 1 : 0),
  }
  let next: AnalysisNext
  let nextReason: string
  if (counts.failures > options.failureLimit) {
    next = 'rollback'
    nextReason = `${counts.failures} failed analysis run(s), more than the limit of ${options.failureLimit}`
  } else if (counts.inconclusive > options.inconclusiveLimit) {
    next = 'pause'
    nextReason = `${counts.inconclusive} inconclusive analysis run(s), more than the limit of ${options.inconclusiveLimit}`
  } else if (counts.passed < options.count) {
    next = 'continue'
    nextReason = `${counts.passed} of ${options.count} passed run(s) needed`
  } else {
    next = 'complete-step'
    nextReason = `${counts.passed} passed run(s), ${options.count} needed`
  }
  return { ...run, counts, next, nextReason }
}
