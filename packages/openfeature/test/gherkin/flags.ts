// The flags OpenFeature's evaluation_v2.feature uses (its test-flags.json, flagd's format), as a splitlane config.
// flagd's `defaultVariant` is the one variant with weight; `contextEvaluator` becomes a targeting rule; a
// disabled flag's control is the variant whose value the scenarios expect back (splitlane serves control).
import type { ExperimentConfig, JsonValue, SplitlaneConfig } from '@splitlane/core'

const pictures = { showImages: true, title: 'Check out these pics!', imagesPerPage: 100 }
const macrosoft = { attribute: 'email', op: 'equals', values: ['ballmer@macrosoft.com'] } as const

function flag(variants: Record<string, JsonValue>, served: string, extra: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return { variants: Object.entries(variants).map(([name, value]) => ({ name, value, weight: name === served ? 1 : 0 })), ...extra }
}
const zero = (values: [JsonValue, JsonValue]) => ({ zero: values[0], 'non-zero': values[1] })
const targetedZero = (values: [JsonValue, JsonValue]) =>
  flag(zero(values), 'zero', { rules: [{ id: 'macrosoft', when: macrosoft, variant: 'zero' }] })

export const evaluationFlags: SplitlaneConfig = {
  version: 1,
  revision: 'openfeature-evaluation-v2',
  experiments: {
    'boolean-flag': flag({ on: true, off: false }, 'on'),
    'string-flag': flag({ greeting: 'hi', parting: 'bye' }, 'greeting'),
    'integer-flag': flag({ one: 1, ten: 10 }, 'ten'),
    'float-flag': flag({ tenth: 0.1, half: 0.5 }, 'half'),
    'object-flag': flag({ empty: {}, template: pictures }, 'template'),
    'boolean-zero-flag': flag(zero([false, true]), 'zero'),
    'string-zero-flag': flag(zero(['', 'str']), 'zero'),
    'integer-zero-flag': flag(zero([0, 1]), 'zero'),
    'float-zero-flag': flag(zero([0.0, 1.0]), 'zero'),
    'object-zero-flag': flag(zero([{}, pictures]), 'zero'),
    'boolean-targeted-zero-flag': targetedZero([false, true]),
    'string-targeted-zero-flag': targetedZero(['', 'str']),
    'integer-targeted-zero-flag': targetedZero([0, 1]),
    'float-targeted-zero-flag': targetedZero([0.0, 1.0]),
    'object-targeted-zero-flag': targetedZero([{}, pictures]),
    'boolean-disabled-flag': flag({ on: true, off: false }, 'on', { enabled: false, control: 'off' }),
    'string-disabled-flag': flag({ greeting: 'hi', parting: 'bye' }, 'greeting', { enabled: false, control: 'parting' }),
    'integer-disabled-flag': flag({ one: 1, ten: 10 }, 'ten', { enabled: false, control: 'one' }),
    'float-disabled-flag': flag({ tenth: 0.1, half: 0.5 }, 'half', { enabled: false, control: 'tenth' }),
    'object-disabled-flag': flag({ empty: {}, template: pictures }, 'template', { enabled: false, control: 'template' }),
    'complex-targeted': flag({ internal: 'INTERNAL', external: 'EXTERNAL' }, 'external', {
      rules: [
        {
          id: 'internal',
          when: {
            all: [{ attribute: 'customer', op: 'equals', values: ['false'] }, macrosoft, { attribute: 'age', op: 'gt', values: [10] }],
          },
          variant: 'internal',
        },
      ],
    }),
    'metadata-flag': flag({ on: true, off: false }, 'on'),
  },
}
