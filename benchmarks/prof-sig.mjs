const hello = () => new Response('Hello world')
const wm = new WeakMap()
const variants = {
  none: async (request) => hello(request),
  listener: async (request) => { const o = {}; request.signal.addEventListener('abort', () => o.x = 1, { once: true }); return hello(request) },
  weakmap: async (request) => { wm.set(request, {}); return hello(request) },
  both: async (request) => { wm.set(request, {}); const o = {}; request.signal.addEventListener('abort', () => o.x = 1, { once: true }); return hello(request) },
}
async function loop(h, n) { for (let i = 0; i < n; i++) { const res = await h(new Request('http://localhost/', { headers: { 'x-user-id': 'u' } })); await res.arrayBuffer() } }
const res = Object.fromEntries(Object.keys(variants).map(k => [k, []]))
for (let r = 0; r < 21; r++) for (const [k, h] of Object.entries(variants)) { const t = performance.now(); await loop(h, 2000); res[k].push((performance.now() - t) / 2) }
const med = a => a.sort((x, y) => x - y)[a.length >> 1]
for (const k in res) console.log(k, med(res[k]).toFixed(2), 'µs/req')
