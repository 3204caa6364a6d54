import fc from 'fast-check'

// Fixed seed so every run replays the same cases; fast-check prints seed and path on failure.
// Override with FC_SEED=<n> to explore other cases.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261122) })
