import type { SplitlaneConfig as Config } from '@splitlane/core'

export const checkoutConfig: Config = {
  version: 1,
  revision: 3,
  experiments: {
    checkout: {
      variants: [
        { name: 'stable', weight: 80 },
        { name: 'canary', weight: 15 },
        { name: 'beta', weight: 5 },
      ],
      rules: [{ id: 'new-zealand', when: { attribute: 'country', op: 'in', values: ['NZ'] }, variant: 'beta' }],
    },
  },
}

/** What the test's upstream serves at /config: another revision, another split. */
export const servedConfig: Config = {
  version: 1,
  revision: 9,
  experiments: {
    checkout: {
      variants: [
        { name: 'stable', weight: 50 },
        { name: 'canary', weight: 50 },
      ],
    },
  },
}

/** The sticky cookie's signing secret (signed by default; WebCrypto signs it on every runtime here). */
export const COOKIE_SECRET = 'splitlane-runtimes-cookie-secret-7d1e'
