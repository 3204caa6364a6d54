// The default environment for `${NAME}` in upstream headers: process.env where the runtime has one.
export const processEnv = (): Readonly<Record<string, string | undefined>> => {
  try {
    return (globalThis as { process?: { env?: Record<string, string> } }).process?.env ?? {}
  } catch {
    return {} // a runtime that refuses even to hand out its environment: every variable is missing
  }
}

/** One variable of `processEnv()`, undefined where it is unset or the runtime refuses to read it (Deno without --allow-env). */
export const envVariable = (name: string): string | undefined => {
  try {
    const value = processEnv()[name]
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}
