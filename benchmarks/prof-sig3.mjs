const hello = () => new Response('Hello world')
const wm = new WeakMap(); const S = Symbol('split')
const variants = {
  none: async (request) => hello(request),
  listener: async (request) => { const o = {}; request.signal.addEventListener('abort', () => o.x = 1, { once: true }); return hello(request) },
  sym: async (request) => { request[S] = {}; return hello(request) },
  weakmap: async (request) => { wm.set(request, {}); return hello(request) },
}
const h = variants[process.argv[2]]
for (let i = 0; i < 40000; i++) { const res = await h(new Request('http://localhost/', { headers: { 'x-user-id': 'u' } })); await res.arrayBuffer() }
