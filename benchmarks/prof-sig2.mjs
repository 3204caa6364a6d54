const N = 200000
const reqs = Array.from({ length: 1000 }, () => new Request('http://localhost/'))
const cases = {
  signalOnly: (r) => r.signal.aborted,
  listenerOnce: (r) => { const o = {}; r.signal.addEventListener('abort', () => o.x = 1, { once: true }) },
  listenerPlain: (r) => { const o = {}; r.signal.addEventListener('abort', () => o.x = 1) },
  onabort: (r) => { const o = {}; r.signal.onabort = () => o.x = 1 },
  ctrlOnly: (r) => new AbortController().signal,
  ctrlListener: (r) => { const o = {}; new AbortController().signal.addEventListener('abort', () => o.x = 1) },
  newRequest: (r) => new Request('http://localhost/'),
}
const res = Object.fromEntries(Object.keys(cases).map(k => [k, []]))
for (let round = 0; round < 9; round++) for (const [k, f] of Object.entries(cases)) {
  const fresh = Array.from({ length: 2000 }, () => new Request('http://localhost/'))
  const t = performance.now(); for (let i = 0; i < 2000; i++) f(fresh[i]); res[k].push((performance.now() - t) * 1000 / 2000)
}
const med = a => a.sort((x, y) => x - y)[a.length >> 1]
for (const k in res) console.log(k.padEnd(14), med(res[k]).toFixed(2), 'µs')
