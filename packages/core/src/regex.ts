// `@splitlane/core/regex`: imported once, for its effect, by apps whose configs use the `regex`
// operator. It installs RE2 (re2js), which matches in time linear in the input whatever the pattern,
// so no rule or header can make matching backtrack. Apps without regex rules never load it.
import { RE2JS } from 're2js'
import { installRegexEngine } from './targeting/regex-engine.js'

installRegexEngine((pattern, caseInsensitive) => {
  const compiled = RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0)
  return (text) => compiled.test(text)
})
