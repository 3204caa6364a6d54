// The page's script, bundled with uPlot into assets/app.js by scripts/embed-assets.ts. It polls
// api/state with If-None-Match and redraws; every chart has a data table beside it with the numbers drawn.
import uPlot from 'uplot'

type Num = number | null
interface VariantRow {
  name: string
  weight: number
  observed: Num
  requests: number
  errors: number
  p50: Num
  p95: Num
  p99: Num
}
interface ExperimentView {
  name: string
  enabled: boolean
  variants: VariantRow[]
  srm: { mismatch: boolean; pValue: number; enoughData: boolean } | null
}
type Line = Record<'requests' | 'rate' | 'errorRatio' | 'p50' | 'p95' | 'p99' | 'ttfb' | 'tokens' | 'cost', Num[]>
interface RolloutView {
  experiment: string
  canary: string
  baseline: string
  steps: Record<string, unknown>[]
  status: string
  step: number
  canaryWeight: number
  reason: string | null
  history: { at: number; action: string; message: string }[]
  runs: {
    at: number
    step: number
    verdict: string
    score: number
    reason: string
    metrics: { name: string; class: string; reason: string }[]
  }[]
  guardrail: { breached: boolean; explanation: string[] } | null
  decision: { action: string; explanation: string[] } | null
}
interface State {
  /** `fleet`: series from Prometheus, the rollout from a controller; the kill switch is the config document. */
  mode: 'process' | 'fleet'
  problems: string[]
  revision: string | null
  /** Fleet: the revision each instance served lately. */
  served: { revision: string; instances: string[] }[] | null
  since: number | null
  refreshMs: number
  experiments: ExperimentView[]
  series: { t: number[]; experiments: Record<string, Record<string, Line>>; canaryWeight: Num[] }
  rollout: RolloutView | null
  history: { at: number; action: string; experiment: string; result: string }[]
  actionsEnabled: boolean
}

const base = document.documentElement.dataset['base'] ?? ''
const $ = (id: string) => document.getElementById(id)!
/** Replaces an element's content only when it changed, so a button under the pointer is not swapped out on every poll. */
const written = new WeakMap<Element, string>()
const setHtml = (element: Element, html: string) => {
  if (written.get(element) === html) return
  written.set(element, html)
  element.innerHTML = html
}
const esc = (text: unknown) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
const pct = (value: Num) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`)
const fixed = (value: Num, digits = 1) => (value === null ? '–' : value.toFixed(digits))
const time = (ms: number) => new Date(ms).toLocaleTimeString()
// Colours with at least 4.5:1 contrast on white; the canary is always orange, the baseline blue.
const PALETTE = ['#1f5fa8', '#b5470b', '#2e7d32', '#7b3fa0', '#8a6000', '#a0204c']
const DASH = { p50: [], p95: [6, 3], p99: [2, 3] } as const

interface ChartSpec {
  metric: string
  title: string
  unit: string
  digits: number
  columns: { label: string; variant: string; values: Num[]; dash?: number[] }[]
}

const charts = new Map<string, uPlot>()
let etag: string | null = null
let state: State | null = null

async function post(path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers['authorization'] = `Bearer ${token}`
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & unknown[] }
}

function colourOf(experiment: string, variant: string, index: number): string {
  const rollout = state?.rollout
  if (rollout?.experiment === experiment) {
    if (variant === rollout.canary) return PALETTE[1]!
    if (variant === rollout.baseline) return PALETTE[0]!
  }
  return PALETTE[index % PALETTE.length]!
}

function labelOf(experiment: string, variant: string): string {
  const rollout = state?.rollout
  if (rollout?.experiment === experiment && variant === rollout.canary) return `${variant} (canary)`
  if (rollout?.experiment === experiment && variant === rollout.baseline) return `${variant} (baseline)`
  return variant
}

function specsOf(experiment: string, lines: Record<string, Line>): ChartSpec[] {
  const names = Object.keys(lines)
  const one = (metric: keyof Line) =>
    names.map((variant) => ({ label: labelOf(experiment, variant), variant, values: lines[variant]![metric] }))
  const specs: ChartSpec[] = [
    { metric: 'rate', title: 'Request rate', unit: 'req/s', digits: 2, columns: one('rate') },
    {
      metric: 'errorRatio',
      title: 'Error ratio',
      unit: '%',
      digits: 2,
      columns: one('errorRatio').map((c) => ({ ...c, values: c.values.map((v) => (v === null ? null : v * 100)) })),
    },
    {
      metric: 'latency',
      title: 'Latency p50 / p95 / p99',
      unit: 'ms',
      digits: 1,
      columns: names.flatMap((variant) =>
        (['p50', 'p95', 'p99'] as const).map((q) => ({
          label: `${labelOf(experiment, variant)} ${q}`,
          variant,
          values: lines[variant]![q],
          dash: [...DASH[q]],
        })),
      ),
    },
    { metric: 'ttfb', title: 'Time to first byte p50', unit: 'ms', digits: 1, columns: one('ttfb') },
    { metric: 'tokens', title: 'Tokens per request', unit: 'tokens', digits: 1, columns: one('tokens') },
    { metric: 'cost', title: 'Cost per request', unit: 'currency', digits: 5, columns: one('cost') },
  ]
  // TTFB, tokens and cost only when the recorder has them (LLM and streaming splits)
  return specs.filter(
    (spec) =>
      spec.columns.some((column) => column.values.some((value) => value !== null && value !== 0)) ||
      ['rate', 'errorRatio', 'latency'].includes(spec.metric),
  )
}

function chartTable(spec: ChartSpec, t: number[], experiment: string): string {
  const requests = spec.metric === 'rate' ? state!.series.experiments[experiment]! : null
  const head =
    spec.columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('') +
    (requests ? spec.columns.map((c) => `<th scope="col">${esc(c.label)} requests</th>`).join('') : '')
  const rows = t
    .map((at, i) => {
      const cells = spec.columns
        .map((c) => `<td data-series="${esc(c.label)}" data-value="${c.values[i] ?? ''}">${fixed(c.values[i] ?? null, spec.digits)}</td>`)
        .join('')
      const counts = requests
        ? spec.columns.map((c) => `<td data-requests="${esc(c.variant)}">${requests[c.variant]!.requests[i]}</td>`).join('')
        : ''
      return `<tr data-t="${at}"><th scope="row">${time(at)}</th>${cells}${counts}</tr>`
    })
    .join('')
  return `<div class="scroll" tabindex="0"><table><caption>${esc(spec.title)} (${esc(spec.unit)}) per interval</caption><thead><tr><th scope="col">Time</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`
}

function drawCharts(s: State): void {
  const host = $('charts')
  const experiments = Object.entries(s.series.experiments)
  if (experiments.length === 0 || s.series.t.length === 0) return
  const seconds = s.series.t.map((at) => at / 1000)
  const seen = new Set<string>()
  for (const [experiment, lines] of experiments) {
    let block = host.querySelector<HTMLElement>(`[data-experiment-charts="${CSS.escape(experiment)}"]`)
    if (!block) {
      host.querySelector('p')?.remove()
      block = document.createElement('div')
      block.dataset['experimentCharts'] = experiment
      block.innerHTML = `<h3>${esc(experiment)}</h3><div class="grid"></div>`
      host.append(block)
    }
    const grid = block.querySelector('.grid')!
    for (const spec of specsOf(experiment, lines)) {
      const id = `${experiment}\u0000${spec.metric}`
      seen.add(id)
      let figure = grid.querySelector<HTMLElement>(`figure[data-chart="${spec.metric}"]`)
      if (!figure) {
        figure = document.createElement('figure')
        figure.dataset['chart'] = spec.metric
        figure.dataset['experiment'] = experiment
        figure.innerHTML = `<figcaption>${esc(spec.title)} <span class="hint">(${esc(spec.unit)})</span></figcaption><div class="plot" role="img"></div><ul class="legend"></ul><details><summary>Data table</summary><div class="data"></div></details>`
        grid.append(figure)
      }
      const plot = figure.querySelector<HTMLElement>('.plot')!
      const last = spec.columns.map((c) => `${c.label} ${fixed(c.values.at(-1) ?? null, spec.digits)}`).join(', ')
      plot.setAttribute('aria-label', `${spec.title} of ${experiment} over the last ${s.series.t.length} intervals; latest: ${last}`)
      figure.dataset['points'] = String(s.series.t.length)
      setHtml(
        figure.querySelector('.legend')!,
        spec.columns
          .map(
            (c, i) =>
              `<li><span class="swatch" style="background:${colourOf(experiment, c.variant, Object.keys(lines).indexOf(c.variant))}${c.dash?.length ? ';opacity:' + (1 - (i % 3) * 0.25) : ''}"></span>${esc(c.label)}</li>`,
          )
          .join(''),
      )
      setHtml(figure.querySelector('.data')!, chartTable(spec, s.series.t, experiment))
      const data = [seconds, ...spec.columns.map((c) => c.values)] as uPlot.AlignedData
      const existing = charts.get(id)
      if (existing && existing.series.length === spec.columns.length + 1) existing.setData(data)
      else {
        existing?.destroy()
        const chart = new uPlot(
          {
            width: Math.max(260, plot.clientWidth),
            height: 180,
            legend: { show: false },
            cursor: { show: false },
            series: [
              {},
              ...spec.columns.map((c) => ({
                label: c.label,
                stroke: colourOf(experiment, c.variant, Object.keys(lines).indexOf(c.variant)),
                width: 2,
                ...(c.dash ? { dash: c.dash } : {}),
                spanGaps: true,
              })),
            ],
            axes: [{ stroke: '#333' }, { stroke: '#333', size: 56 }],
          },
          data,
          plot,
        )
        charts.set(id, chart)
      }
    }
  }
  for (const [id, chart] of charts)
    if (!id.startsWith('\u0000') && !seen.has(id)) {
      chart.destroy()
      charts.delete(id)
    }
}

function renderExperiments(s: State): void {
  $('since').textContent =
    s.since === null ? '' : `Observed shares and the sample-ratio check count requests since ${time(s.since)} (the last weight change).`
  setHtml(
    $('experiment-list'),
    s.experiments
      .map((e) => {
        const srm =
          e.srm === null || !e.srm.enoughData
            ? 'not enough data yet'
            : e.srm.mismatch
              ? `<span class="bad">mismatch</span> (p = ${e.srm.pValue.toExponential(2)})`
              : `<span class="ok">matches the weights</span> (p = ${e.srm.pValue.toFixed(3)})`
        const rows = e.variants
          .map(
            (v) =>
              `<tr data-variant="${esc(v.name)}"><th scope="row">${esc(labelOf(e.name, v.name))}</th><td>${pct(v.weight)}</td><td>${pct(v.observed)}</td><td class="requests">${v.requests}</td><td>${v.errors}</td><td>${fixed(v.p50)}</td><td>${fixed(v.p95)}</td><td>${fixed(v.p99)}</td></tr>`,
          )
          .join('')
        return `<article data-experiment="${esc(e.name)}"><h3>${esc(e.name)} <span class="${e.enabled ? 'ok' : 'bad'}">${e.enabled ? 'on' : 'kill switch: off'}</span></h3>
<p>Sample ratio: ${srm}</p><div class="scroll" tabindex="0"><table><caption class="visually-hidden">Variants of ${esc(e.name)}</caption><thead><tr><th scope="col">Variant</th><th scope="col">Weight</th><th scope="col">Observed</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">p50 ms</th><th scope="col">p95 ms</th><th scope="col">p99 ms</th></tr></thead><tbody>${rows}</tbody></table></div>
${s.mode === 'fleet' ? '' : `<p><button type="button" data-act="${e.enabled ? 'kill' : 'revive'}" data-exp="${esc(e.name)}">${e.enabled ? 'Kill switch: turn off' : 'Re-enable'} ${esc(e.name)}</button></p>`}</article>`
      })
      .join(''),
  )
}

function stepText(step: Record<string, unknown>): string {
  if ('setWeight' in step) return `Set the canary's weight to ${String(step['setWeight'])}%`
  if ('pause' in step) {
    const ms = (step['pause'] as { durationMs?: number }).durationMs
    return ms === undefined ? 'Pause until resumed' : `Pause ${ms / 1000} s`
  }
  const analysis = step['analysis'] as { count?: number; intervalMs?: number }
  return `Analysis: ${analysis.count ?? 1} run(s) every ${(analysis.intervalMs ?? 60000) / 1000} s`
}

function renderRollout(s: State): void {
  const r = s.rollout
  if (!r) return
  const steps = r.steps
    .map((step, i) =>
      i === r.step
        ? `<li aria-current="step" class="current"><strong>${esc(stepText(step))}</strong> (current)</li>`
        : `<li${i < r.step ? ' class="done"' : ''}>${esc(stepText(step))}</li>`,
    )
    .join('')
  const decision = r.decision
    ? r.decision.explanation.map((line) => esc(line)).join('<br>')
    : esc(r.reason ?? `${r.status} at step ${r.step + 1}`)
  const runs = r.runs.length
    ? `<div class="scroll" tabindex="0"><table><caption>Analysis runs</caption><thead><tr><th scope="col">Time</th><th scope="col">Step</th><th scope="col">Verdict</th><th scope="col">Score</th><th scope="col">Per metric</th></tr></thead><tbody>${r.runs
        .map(
          (run) =>
            `<tr data-run><th scope="row">${time(run.at)}</th><td>${run.step + 1}</td><td class="${run.verdict === 'Pass' ? 'ok' : 'bad'}">${esc(run.verdict)}</td><td>${run.score.toFixed(0)}</td><td><ul>${run.metrics.map((m) => `<li><strong>${esc(m.name)}</strong> ${esc(m.class)}: ${esc(m.reason)}</li>`).join('')}</ul></td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p>No analysis run yet.</p>'
  const guard = r.guardrail
    ? `<p>Guardrails: ${r.guardrail.breached ? '<span class="bad">breached</span>' : '<span class="ok">within budget</span>'}</p><ul>${r.guardrail.explanation.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`
    : '<p>No guardrails configured.</p>'
  const view = $('rollout-view')
  if (!view.querySelector('#rollout-weight')) {
    view.innerHTML = `<div id="rollout-summary"></div><figure id="rollout-weight" data-chart="weight"><figcaption>Canary weight over time <span class="hint">(%)</span></figcaption><div class="plot" role="img" aria-label="Canary weight over time"></div><details><summary>Data table</summary><div class="data"></div></details></figure><div id="rollout-detail"></div>`
  }
  setHtml(
    $('rollout-summary'),
    `<p><strong>${esc(r.experiment)}</strong>: ${esc(labelOf(r.experiment, r.canary))} against ${esc(labelOf(r.experiment, r.baseline))}, status <strong data-status>${esc(r.status)}</strong>, canary at <strong data-weight>${r.canaryWeight}%</strong></p>
<p class="decision" data-decision>${decision}</p><h3>Plan</h3><ol class="steps">${steps}</ol>
<p><button type="button" data-act="resume">Resume</button> <button type="button" data-act="promote">Promote</button> <button type="button" data-act="abort">Abort (roll back)</button></p>`,
  )
  setHtml(
    $('rollout-detail'),
    `<h3>Analysis</h3>${runs}<h3>Guardrails</h3>${guard}<h3>Events</h3><ol class="events">${r.history
      .slice(-10)
      .map((h) => `<li>${time(h.at)} ${esc(h.message)}</li>`)
      .join('')}</ol>`,
  )
  const figure = $('rollout-weight')
  const weights = s.series.canaryWeight
  setHtml(
    figure.querySelector('.data')!,
    `<div class="scroll" tabindex="0"><table><caption>Canary weight (%) per interval</caption><thead><tr><th scope="col">Time</th><th scope="col">Weight</th></tr></thead><tbody>${s.series.t.map((at, i) => `<tr><th scope="row">${time(at)}</th><td data-value="${weights[i] ?? ''}">${fixed(weights[i] ?? null, 1)}</td></tr>`).join('')}</tbody></table></div>`,
  )
  const data = [s.series.t.map((at) => at / 1000), weights] as uPlot.AlignedData
  const existing = charts.get('\u0000weight')
  if (existing) existing.setData(data)
  else if (s.series.t.length) {
    const plot = figure.querySelector<HTMLElement>('.plot')!
    const chart = new uPlot(
      {
        width: Math.max(260, plot.clientWidth),
        height: 160,
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: [0, 100] } },
        series: [{}, { label: 'canary weight', stroke: PALETTE[1], width: 2, paths: uPlot.paths.stepped!({ align: 1 }) }],
        axes: [{ stroke: '#333' }, { stroke: '#333', size: 44 }],
      },
      data,
      plot,
    )
    charts.set('\u0000weight', chart)
  }
}

function render(s: State): void {
  state = s
  $('revision').textContent = s.revision ?? '(none)'
  $('served').textContent =
    s.served === null
      ? ''
      : ` · served: ${s.served.length === 0 ? 'no traffic seen' : s.served.map((one) => `${one.revision} by ${one.instances.join(', ') || 'an unlabelled instance'}`).join('; ')}`
  $('updated').textContent = `updated ${time(Date.now())}${s.mode === 'fleet' ? ' · fleet view' : ''}`
  setHtml($('problems'), s.problems.length ? `<ul class="bad">${s.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '')
  renderExperiments(s)
  drawCharts(s)
  renderRollout(s)
  $('actions-mode').textContent = s.actionsEnabled
    ? 'Actions need the bearer token configured on the dashboard; each is recorded below.'
    : 'Read-only: no token or authorize hook is configured, so actions are refused.'
  setHtml(
    $('history'),
    s.history.length
      ? s.history.map((h) => `<li>${time(h.at)} ${esc(h.action)} ${esc(h.experiment)}: ${esc(h.result)}</li>`).join('')
      : '<li>No actions yet.</li>',
  )
}

async function refresh(): Promise<void> {
  try {
    const response = await fetch(`${base}/api/state`, { headers: etag ? { 'if-none-match': etag } : {} })
    if (response.status === 200) {
      etag = response.headers.get('etag')
      render((await response.json()) as State)
    }
  } catch {
    $('updated').textContent = 'the dashboard is unreachable; retrying'
  }
}

async function loop(): Promise<void> {
  await refresh()
  setTimeout(() => void loop(), state?.refreshMs ?? 2000)
}

document.addEventListener('click', (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>('button[data-act]')
  if (!button) return
  const experiment = button.dataset['exp']
  void post(`/api/actions/${button.dataset['act']}`, experiment ? { experiment } : {}, ($('token') as HTMLInputElement).value).then((r) => {
    $('action-result').textContent = r.status === 200 ? String(r.body['result']) : `Refused (${r.status}): ${String(r.body['error'])}`
    etag = null
    void refresh()
  })
})

function attributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=')
    if (at > 0) attributes[pair.slice(0, at).trim()] = pair.slice(at + 1).trim()
  }
  return attributes
}

$('explain').addEventListener('submit', (event) => {
  event.preventDefault()
  const key = ($('key') as HTMLInputElement).value
  void post('/api/explain', { key, attributes: attributesOf(($('attributes') as HTMLInputElement).value) }).then((r) => {
    const rows = r.body as unknown as { experiment: string; variant: string | null; reason: string; explanation: string }[]
    setHtml(
      $('explained'),
      r.status === 200
        ? `<div class="scroll" tabindex="0"><table><caption>Assignments of this key</caption><thead><tr><th scope="col">Experiment</th><th scope="col">Variant</th><th scope="col">Reason</th><th scope="col">Why</th></tr></thead><tbody>${rows.map((a) => `<tr data-assignment="${esc(a.experiment)}"><th scope="row">${esc(a.experiment)}</th><td>${esc(a.variant)}</td><td>${esc(a.reason)}</td><td>${esc(a.explanation)}</td></tr>`).join('')}</tbody></table></div>`
        : `<p class="bad">${esc(r.body['error'])}</p>`,
    )
  })
})

$('decode').addEventListener('submit', (event) => {
  event.preventDefault()
  void post('/api/decode', { header: ($('header') as HTMLInputElement).value }).then((r) => {
    const pairs = Object.entries(r.body as Record<string, string>)
    setHtml(
      $('decoded'),
      r.status !== 200
        ? `<p class="bad">${esc(r.body['error'])}</p>`
        : pairs.length
          ? `<ul>${pairs.map(([experiment, variant]) => `<li data-decoded="${esc(experiment)}"><strong>${esc(experiment)}</strong> → ${esc(variant)}</li>`).join('')}</ul>`
          : '<p>No experiment=variant pair found in that header.</p>',
    )
  })
})

let resizing = 0
window.addEventListener('resize', () => {
  clearTimeout(resizing)
  resizing = window.setTimeout(() => {
    for (const chart of charts.values())
      chart.setSize({ width: Math.max(260, chart.root.parentElement!.clientWidth), height: chart.height })
  }, 150)
})

void loop()
