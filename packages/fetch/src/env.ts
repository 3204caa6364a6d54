// The default environment for `${NAME}` in upstream headers: process.env where the runtime has one.
export const processEnv = (): Readonly<Record<string, string | undefined>> => {
  try {
    return (globalThis as { process?: { env?: Record<string, string> } }).process?.env ?? {}
  } catch {
    return {} // a runtime that refuses even to hand out its environment: every variable is missing
  }
}
