import { safeParseConfig, type ConfigIssue, type ParsedConfig } from '@splitlane/core'
import { safeParseRolloutPlan, type RolloutPlan } from '@splitlane/core/rollout'
import { CliError, readDocument } from './io.js'

const listIssues = (issues: readonly ConfigIssue[]) => issues.map((issue) => `\n  ${issue.path || '(root)'}: ${issue.message}`).join('')

/** A config file, validated; an invalid one stops the command (run `splitlane validate` for fixes). */
export async function loadConfig(path: string): Promise<{ input: unknown; config: ParsedConfig }> {
  const input = await readDocument(path)
  const result = safeParseConfig(input)
  if (!result.success)
    throw new CliError(`${path} is not a valid config (run \`splitlane validate ${path}\` for fixes):${listIssues(result.error.issues)}`)
  return { input, config: result.data }
}

/** A rollout plan file (JSON or YAML), validated. */
export async function loadPlan(path: string): Promise<RolloutPlan> {
  const result = safeParseRolloutPlan(await readDocument(path))
  if (!result.success) throw new CliError(`${path} is not a valid rollout plan:${listIssues(result.error.issues)}`)
  return result.data
}
