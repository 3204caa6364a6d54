import { judgeAnalysisRun, type AnalysisRunVerdict, type AnalysisStepOptions, type RolloutPlan } from '@splitlane/core/rollout'
import { type JudgeResult } from '@splitlane/core/analysis'
import { formatNumber } from '@splitlane/core/adapter'
import type { Command } from 'commander'
import { CliError, EXIT, type CliIo } from '../io.js'
import { loadPlan } from '../load.js'
import { readMetrics } from '../metrics-file.js'
import { examples, json, painter, pValue, table } from '../output.js'

interface AnalyzeOptions {
  plan?: string
  experiment?: string
  canary?: string
  baseline?: string
  passThreshold?: number
  marginalThreshold?: number
  canaryWeight?: number
  json?: boolean
}

const score = (name: string) => (text: string) => {
  const value = Number(text)
  if (text === '' || !Number.isFinite(value) || value < 0 || value > 100)
    throw new CliError(`${name} expects a score 0..100, got "${text}"`)
  return value
}

/** The plan's first analysis step and the canary weight set before it (undefined when no step sets one). */
function firstAnalysis(plan: RolloutPlan | undefined): { analysis: AnalysisStepOptions; canaryWeight?: number } {
  let canaryWeight: number | undefined
  for (const step of plan?.steps ?? []) {
    if ('setWeight' in step) canaryWeight = step.setWeight
    if ('analysis' in step) return { analysis: step.analysis, ...(canaryWeight === undefined ? {} : { canaryWeight }) }
  }
  return { analysis: {} }
}

const OUTCOME_TEXT = {
  passed: 'passed',
  failed: 'failed',
  inconclusive: 'inconclusive',
  waiting: 'not judged',
} as const

function runText(run: AnalysisRunVerdict): string {
  const srm = run.srm === null || run.reason.includes(run.srm.reason) ? '' : `sample ratio: ${run.srm.reason}\n`
  return `analysis run ${OUTCOME_TEXT[run.outcome]}: ${run.reason}\n${srm}a rollout would: ${run.next} (${run.nextReason})\n`
}

function verdictText(result: JudgeResult, io: CliIo): string {
  const paint = painter(io.isTTY)
  const colour = result.verdict === 'Pass' ? paint.green : result.verdict === 'Fail' ? paint.red : paint.yellow
  const rows = result.metrics.map((metric) => [
    metric.name,
    metric.class,
    metric.canary.count,
    formatNumber(metric.canary.mean),
    metric.baseline.count,
    formatNumber(metric.baseline.mean),
    metric.effectSize === null ? '-' : `${formatNumber(metric.effectSize)}x`,
    metric.statistic === null ? '-' : pValue(metric.statistic.pValue),
    metric.criticalFailure ? 'critical' : '',
  ])
  const groups = result.groups
    .map((group) => `${group.name} ${formatNumber(group.score)} (weight ${formatNumber(group.weight)})`)
    .join(', ')
  return (
    `verdict: ${paint.bold(colour(result.verdict))}  score ${formatNumber(result.score)}  (${result.reason})\n\n` +
    table(['metric', 'class', 'canary n', 'canary mean', 'baseline n', 'baseline mean', 'ratio', 'p-value', 'flag'], rows) +
    `\ngroups: ${groups}\n\nwhy:\n${result.explanation.map((line) => `  ${line}`).join('\n')}\n`
  )
}

export function registerAnalyze(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('analyze')
    .summary('run the canary judge on a metrics file and print the verdict with per-metric detail')
    .description(
      "Judge a canary against its baseline (error rate and latency, plus events and thresholds from a plan's analysis step)\n" +
        'from a metrics window (JSON/YAML, as recorder.snapshot() writes it) or a CSV of per-request rows\n' +
        '(header: experiment,variant,status,latency_ms,error[,event:<name>...]).\n' +
        "The verdict is the one a rollout reaches: judge, then the sample ratio against --canary-weight (or the plan's weight), then the limits.\n" +
        'Exit 0: the run passed; 1: failed, inconclusive (Marginal, Nodata, sample ratio mismatch) or too few canary requests; 2: could not run.',
    )
    .argument('<metrics>', 'metrics window (.json, .yaml) or per-request samples (.csv)')
    .option('--plan <file>', "rollout plan (JSON or YAML): experiment, canary, baseline and the first analysis step's judge settings")
    .option('-e, --experiment <name>', "experiment (default: the plan's, or the only one in the metrics)")
    .option('-c, --canary <variant>', "the new variant (default: the plan's)")
    .option('-b, --baseline <variant>', "the variant it replaces (default: the plan's)")
    .option('--pass-threshold <score>', 'score at or above which the verdict is Pass (default 95)', score('--pass-threshold'))
    .option('--marginal-threshold <score>', 'score at or above which the verdict is Marginal (default 75)', score('--marginal-threshold'))
    .option(
      '--canary-weight <percent>',
      "the canary's share in percent while the metrics were recorded, for the sample ratio check (default: the plan's weight at its first analysis step)",
      score('--canary-weight'),
    )
    .option(
      '--json',
      'machine-readable output: { experiment, canary, baseline, outcome, outcomeReason, next, srm, verdict, score, reason, groups, metrics, explanation }',
    )
    .addHelpText(
      'after',
      examples([
        'splitlane analyze metrics.json --experiment checkout --canary v2 --baseline v1',
        'splitlane analyze requests.csv --plan plan.yaml',
        'splitlane analyze requests.csv --plan plan.yaml --json',
      ]),
    )
    .action(async (path: string, options: AnalyzeOptions) => {
      const plan = options.plan === undefined ? undefined : await loadPlan(options.plan)
      const window = await readMetrics(path, options.experiment ?? plan?.experiment)
      const experiments = Object.keys(window.experiments)
      const experiment = options.experiment ?? plan?.experiment ?? (experiments.length === 1 ? experiments[0] : undefined)
      if (experiment === undefined)
        throw new CliError(`which experiment? pass --experiment or --plan; ${path} has: ${experiments.join(', ') || 'none'}`)
      const variants = Object.hasOwn(window.experiments, experiment) ? window.experiments[experiment] : undefined
      if (variants === undefined)
        throw new CliError(`no experiment "${experiment}" in ${path}; it has: ${experiments.join(', ') || 'none'}`)
      const names = Object.keys(variants)
      const canary = options.canary ?? plan?.canary
      const baseline = options.baseline ?? plan?.baseline
      if (canary === undefined || baseline === undefined)
        throw new CliError(`which variants? pass --canary and --baseline (or --plan); ${experiment} has: ${names.join(', ')}`)
      for (const variant of [canary, baseline])
        if (!names.includes(variant)) throw new CliError(`no variant "${variant}" of ${experiment} in ${path}; it has: ${names.join(', ')}`)
      const { analysis, canaryWeight: planWeight } = firstAnalysis(plan)
      const judge = {
        ...analysis.judge,
        ...(options.passThreshold === undefined ? {} : { passThreshold: options.passThreshold }),
        ...(options.marginalThreshold === undefined ? {} : { marginalThreshold: options.marginalThreshold }),
      }
      const canaryWeight = options.canaryWeight ?? planWeight
      const run = judgeAnalysisRun({
        experiment,
        canary,
        baseline,
        window,
        analysis: { ...analysis, judge },
        ...(canaryWeight === undefined ? {} : { canaryWeight }),
      })
      const summary = { outcome: run.outcome, outcomeReason: run.reason, next: run.next, nextReason: run.nextReason, srm: run.srm }
      if (options.json) io.out(json({ experiment, canary, baseline, ...summary, ...run.judge }))
      else {
        const count = (variant: string) => variants[variant]!.requests
        io.out(`${experiment}: canary ${canary} (${count(canary)} requests) vs baseline ${baseline} (${count(baseline)} requests)\n`)
        if (run.judge !== null) io.out(verdictText(run.judge, io) + '\n')
        io.out(runText(run))
      }
      setExit(run.outcome === 'passed' ? EXIT.ok : EXIT.failed)
    })
}
