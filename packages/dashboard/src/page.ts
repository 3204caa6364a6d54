// The dashboard's page: static HTML with inline script and style (no external network), polling /api/state with ETags.
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>splitlane dashboard</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#111;background:#fff}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #ccc;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}.bad{color:#a00000}.ok{color:#05620a}
button,input{font:inherit;padding:.3rem .6rem}section{margin:1.5rem 0}
@media (max-width:40rem){table{font-size:13px}}
</style></head><body><main>
<h1>splitlane</h1><p>Config revision <span id="revision">-</span></p>
<section aria-labelledby="h-exp"><h2 id="h-exp">Experiments</h2><div id="experiments"></div></section>
<section aria-labelledby="h-roll"><h2 id="h-roll">Rollout</h2><div id="rollout">No rollout attached.</div></section>
<section aria-labelledby="h-user"><h2 id="h-user">One user</h2>
<form id="explain"><label for="key">Unit key</label> <input id="key" autocomplete="off"> <button>Explain</button></form><div id="explained"></div>
<form id="decode"><label for="header">Variant header</label> <input id="header" autocomplete="off"> <button>Decode</button></form><div id="decoded"></div></section>
<section aria-labelledby="h-act"><h2 id="h-act">Actions</h2><label for="token">Bearer token</label> <input id="token" type="password" autocomplete="off">
<p id="action-result" role="status"></p><ul id="history"></ul></section>
</main><script>
const api=(p)=>location.pathname.replace(/\\/$/,'')+p;let etag=null;
const esc=(s)=>String(s).replace(/[&<>"]/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'})[c]);
const pct=(v)=>v==null?'-':(v*100).toFixed(1)+'%';const num=(v)=>v==null?'-':v.toFixed(1);
async function post(path,body,token){const h={'content-type':'application/json'};if(token)h.authorization='Bearer '+token;
const r=await fetch(api(path),{method:'POST',headers:h,body:JSON.stringify(body)});return {status:r.status,body:await r.json()}}
function render(s){document.getElementById('revision').textContent=s.revision??'-';
document.getElementById('experiments').innerHTML=s.experiments.map((e)=>'<h3>'+esc(e.name)+(e.enabled?'':' (kill switch: off)')+'</h3>'+
'<p>Sample ratio: '+(e.srm==null||!e.srm.enoughData?'not enough data':e.srm.mismatch?'<span class="bad">mismatch</span>':'<span class="ok">matches</span>')+'</p>'+
'<table><thead><tr><th scope="col">Variant</th><th scope="col">Weight</th><th scope="col">Observed</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">p50 ms</th><th scope="col">p95 ms</th><th scope="col">p99 ms</th></tr></thead><tbody>'+
e.variants.map((v)=>'<tr data-variant="'+esc(v.name)+'"><td>'+esc(v.name)+'</td><td>'+pct(v.weight)+'</td><td>'+pct(v.observed)+'</td><td class="requests">'+v.requests+'</td><td>'+v.errors+'</td><td>'+num(v.p50)+'</td><td>'+num(v.p95)+'</td><td>'+num(v.p99)+'</td></tr>').join('')+'</tbody></table>'+
'<button data-act="kill" data-exp="'+esc(e.name)+'">Kill switch</button> <button data-act="revive" data-exp="'+esc(e.name)+'">Re-enable</button>').join('');
const r=s.rollout;if(r){document.getElementById('rollout').innerHTML='<p>'+esc(r.experiment)+': <strong>'+esc(r.status)+'</strong>, canary at '+r.canaryWeight+'%'+(r.reason?' ('+esc(r.reason)+')':'')+'</p><ol>'+
r.steps.map((st,i)=>'<li'+(i===r.step?' aria-current="step"><strong>':'>')+esc(JSON.stringify(st))+(i===r.step?'</strong>':'')+'</li>').join('')+'</ol>'+
'<button data-act="resume">Resume</button> <button data-act="promote">Promote</button> <button data-act="abort">Abort</button><ul>'+r.history.slice(-10).map((h)=>'<li>'+esc(h.message)+'</li>').join('')+'</ul>'}
document.getElementById('history').innerHTML=s.history.map((h)=>'<li>'+esc(h.action)+' '+esc(h.experiment)+': '+esc(h.result)+'</li>').join('')}
async function refresh(){try{const r=await fetch(api('/api/state'),{headers:etag?{'if-none-match':etag}:{}});if(r.status===200){etag=r.headers.get('etag');render(await r.json())}}catch(e){}}
document.addEventListener('click',async(ev)=>{const b=ev.target.closest('button[data-act]');if(!b)return;
const r=await post('/api/actions/'+b.dataset.act,b.dataset.exp?{experiment:b.dataset.exp}:{},document.getElementById('token').value);
document.getElementById('action-result').textContent=r.status===200?r.body.result:r.body.error;etag=null;refresh()});
document.getElementById('explain').addEventListener('submit',async(ev)=>{ev.preventDefault();const r=await post('/api/explain',{key:document.getElementById('key').value});
document.getElementById('explained').innerHTML=r.status===200?'<ul>'+r.body.map((a)=>'<li><strong>'+esc(a.experiment)+' → '+esc(a.variant)+'</strong>: '+esc(a.explanation)+'</li>').join('')+'</ul>':esc(r.body.error)});
document.getElementById('decode').addEventListener('submit',async(ev)=>{ev.preventDefault();const r=await post('/api/decode',{header:document.getElementById('header').value});
document.getElementById('decoded').textContent=JSON.stringify(r.body)});
refresh();setInterval(refresh,2000);
</script></body></html>`
