import fc from 'fast-check'

// Fixed seed so every run replays the same cases; fast-check prints seed and path on failure.
// Override with FC_SEED=<n> to explore other cases.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261122) })

// Adapters sign the sticky cookie by default and refuse to start without a secret: tests run as a
// deployment would, with the secret in the environment. Tests about the cookie set their own secret
// (the shared adapter suite sets SPLITLANE_COOKIE_SECRET, and deletes it to test the missing secret);
// tests that run the examples pass it, or leave it out, explicitly.
process.env['SPLITLANE_COOKIE_SECRET'] ??= 'splitlane-test-secret-3b9f0c1e7a4d'
