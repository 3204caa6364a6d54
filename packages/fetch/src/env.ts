// The default environment for `${NAME}` in upstream headers: process.env where the runtime has one.
export const processEnv = (): Record<string, string | undefined> =>
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env ?? {}
