// The engine behind the `regex` operator. It is RE2 (re2js: linear time in the input, no
// backtracking) or nothing: `@splitlane/core/regex` installs it, so the ~40 KB it weighs reaches
// only the bundles that import that entry. The slot is not public, so no backtracking engine
// (such as the platform's RegExp) can be put in its place.

/** A compiled pattern: does it match somewhere in the text? */
export type RegexTest = (text: string) => boolean

/** Compiles a pattern, or throws an Error saying why it is not a valid pattern. */
export type RegexCompiler = (pattern: string, caseInsensitive: boolean) => RegexTest

let installed: RegexCompiler | undefined

/** Called once by `@splitlane/core/regex`. */
export function installRegexEngine(compile: RegexCompiler): void {
  installed = compile
}

/** The installed engine, or undefined when no entry installed one. */
export function regexEngine(): RegexCompiler | undefined {
  return installed
}

/** Why a regex rule cannot be used without the engine, and the one line that fixes it. */
export const REGEX_ENGINE_MISSING =
  "the regex operator needs the RE2 engine: add `import '@splitlane/core/regex'` once at startup (the config sources and the CLI do)"
