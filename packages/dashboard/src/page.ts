// The dashboard's page: static HTML; the script and styles are served from the package (assets/app.js
// bundles uPlot), so the page needs no external network. `base` is where the dashboard is mounted.
const escapeAttribute = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)

export function page(base: string): string {
  const root = escapeAttribute(base)
  return `<!doctype html>
<html lang="en" data-base="${root}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>splitlane dashboard</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${root}/assets/app.css"></head><body>
<header><h1>splitlane</h1><p>Config revision <strong id="revision">-</strong><span id="served" data-served></span> · <span id="updated" role="status">loading…</span></p>
<nav aria-label="Views"><a href="#experiments">Experiments</a> <a href="#health">Health</a> <a href="#rollout">Rollout</a> <a href="#user">One user</a> <a href="#actions">Actions</a></nav></header>
<main><div id="problems" role="alert"></div>
<section id="experiments" aria-labelledby="h-exp"><h2 id="h-exp">Experiments</h2><p id="since"></p><div id="experiment-list"></div></section>
<section id="health" aria-labelledby="h-health"><h2 id="h-health">Health per variant</h2><div id="charts"><p>No requests recorded yet.</p></div></section>
<section id="rollout" aria-labelledby="h-roll"><h2 id="h-roll">Rollout</h2><div id="rollout-view"><p>No rollout attached.</p></div></section>
<section id="user" aria-labelledby="h-user"><h2 id="h-user">One user</h2>
<form id="explain"><div class="field"><label for="key">Unit key</label><input id="key" autocomplete="off" required></div>
<div class="field"><label for="attributes">Attributes <span class="hint">(name=value, comma-separated)</span></label><input id="attributes" autocomplete="off" placeholder="country=DE, plan=pro"></div>
<button type="submit">Explain</button></form><div id="explained" aria-live="polite"></div>
<form id="decode"><div class="field"><label for="header">Variant header</label><input id="header" autocomplete="off" required placeholder="checkout=v2"></div>
<button type="submit">Decode</button></form><div id="decoded" aria-live="polite"></div></section>
<section id="actions" aria-labelledby="h-act"><h2 id="h-act">Actions</h2><p id="actions-mode"></p>
<div class="field"><label for="token">Bearer token</label><input id="token" type="password" autocomplete="off"></div>
<p id="action-result" role="status"></p><h3>History</h3><ul id="history"><li>No actions yet.</li></ul></section>
</main><script src="${root}/assets/app.js"></script></body></html>`
}
