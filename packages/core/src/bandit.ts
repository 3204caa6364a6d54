// `@splitlane/core/bandit`: Thompson-sampling bandits that move a random-mode experiment's weights
// toward the winning variant. Its own entry so that an app which only splits does not bundle it.
export {
  createBandit,
  assignmentProbability,
  type Bandit,
  type BanditOptions,
  type BanditState,
  type BanditUpdate,
  type ArmStats,
} from './bandit/thompson.js'
