// The funding grid: symbols × venues from the funding-rates stream (every market, pushed after each collection
// cycle), polling the REST routes while the stream is down. z-scores come from /stats for the symbols on screen.
import {
  API, BASES, compare, downloadCSV, fill, fmtCountdown, fmtInterval, fmtPercent, fmtPrice, fmtUSD, fmtBps, fmtAge, getJSON,
  h, liveStream, notice, num, pageHeader, query, rateIn, setConnection, signClass, sortableHeader, startClock,
} from './app.js';

const params = new URLSearchParams(location.search);
const state = {
  markets: new Map(),          // "dex|dex_symbol" → the stream's market row
  dexes: [],                   // [{name, display_name}] every active venue, from /dexes
  basis: BASES[params.get('view')] ? params.get('view') : 'apr',
  search: params.get('q') ?? '',
  quote: '',
  sort: { key: 'venues', desc: true }, // most widely listed first (ties: open interest)
  expanded: new Set(),
  zscores: new Map(),          // "dex|dex_symbol" → zscore_30d
  zFetched: 0,                 // when the z-scores were last asked for (ms)
  limit: 300,
  error: null,
  lastData: null,
};
const badge = pageHeader('index');
const grid = document.getElementById('grid');
const summary = document.getElementById('summary');

// Controls -------------------------------------------------------------------------------------------------------
const basisGroup = document.getElementById('basis');
for (const [key, { label }] of Object.entries(BASES)) {
  basisGroup.append(h('button', { type: 'button', 'data-basis': key, 'aria-pressed': String(key === state.basis),
    onclick: () => { state.basis = key; syncURL(); render(); } }, label));
}
const search = document.getElementById('search');
search.value = state.search;
search.addEventListener('input', () => { state.search = search.value.trim(); syncURL(); render(); });
document.getElementById('quote').addEventListener('change', e => { state.quote = e.target.value; render(); });
document.getElementById('csv').addEventListener('click', exportCSV);

function syncURL() {
  for (const b of basisGroup.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.basis === state.basis));
  history.replaceState(null, '', query({ view: state.basis === 'apr' ? '' : state.basis, q: state.search }) || location.pathname);
}

// Data -----------------------------------------------------------------------------------------------------------
const key = row => `${row.dex}|${row.dex_symbol}`;

function accept(rows, replace) {
  if (replace) state.markets.clear();
  for (const row of rows) state.markets.set(key(row), row);
  state.error = null;
  state.lastData = Date.now();
  scheduleRender();
}

/** While the stream is down: every venue's markets (OI, volume) and its rates with next funding times. */
async function poll() {
  const dexes = await loadDexes();
  if (!dexes) return;
  const rows = [];
  const failed = [];
  await Promise.all(dexes.map(async ({ name }) => {
    const [markets, rates] = await Promise.all([getJSON(`${API}/dexes/${name}/symbols`), getJSON(`${API}/funding-rates/${name}`)]);
    if (!markets.ok) { failed.push(name); return; }
    const next = new Map(Object.values(rates.data?.rates ?? {}).map(r => [r.dex_symbol, r]));
    for (const m of markets.data.markets ?? []) {
      // rate_1h and apr as the API defines them (README): funding_rate / interval hours, rate_1h × 8760 × 100.
      const rate1h = num(m.funding_rate) !== null && num(m.funding_interval_hours) ? m.funding_rate / m.funding_interval_hours : null;
      rows.push({ ...m, dex: name, rate_1h: rate1h, apr: rate1h === null ? null : rate1h * 876000,
        next_funding_time: next.get(m.dex_symbol)?.next_funding_time ?? null, time: m.last_update });
    }
  }));
  if (failed.length === dexes.length && dexes.length > 0) { state.error = 'no venue answered: the API is down or has no data'; render(); return; }
  accept(rows, true);
}

async function loadDexes() {
  const r = await getJSON(`${API}/dexes`);
  if (!r.ok) { state.error = `venues unavailable: ${r.error}`; setConnection(badge, 'offline'); render(); return null; }
  state.dexes = r.data.dexes.map(d => ({ name: d.name, display_name: d.display_name ?? d.name }));
  return state.dexes;
}

/** z-scores of every contract (`/contracts-with-zscores`: each current rate against its last 30 days) in one
 * request, at most every 5 minutes (they move with the hourly rollup, not with each cycle). */
async function loadZScores() {
  if (Date.now() - state.zFetched < 300000) return;
  state.zFetched = Date.now();
  const r = await getJSON(`${API}/contracts-with-zscores?limit=5000`);
  if (!r.ok) { state.zFetched = 0; return; }
  state.zscores = new Map(r.data.contracts.map(c => [`${c.dex}|${c.dex_symbol}`, c.zscore]));
  scheduleRender();
}

// Model ------------------------------------------------------------------------------------------------------------
/** The API's choice of a venue's market for a symbol: most 24 h volume, then open interest, then the venue symbol. */
function mostLiquid(a, b) {
  return (b.volume_24h_usd ?? -1) - (a.volume_24h_usd ?? -1) || (b.open_interest_usd ?? -1) - (a.open_interest_usd ?? -1)
    || a.dex_symbol.localeCompare(b.dex_symbol);
}

function buildRows() {
  const bySymbol = new Map();
  for (const m of state.markets.values()) {
    if (state.quote && m.quote !== state.quote) continue;
    let s = bySymbol.get(m.symbol);
    if (!s) bySymbol.set(m.symbol, s = { symbol: m.symbol, venues: new Map(), contracts: [] });
    s.contracts.push(m);
    if (!s.venues.has(m.dex)) s.venues.set(m.dex, []);
    s.venues.get(m.dex).push(m);
  }
  const term = state.search.toLowerCase();
  const rows = [];
  for (const s of bySymbol.values()) {
    for (const list of s.venues.values()) list.sort(mostLiquid);
    s.main = new Map([...s.venues].map(([dex, list]) => [dex, list[0]]));
    s.matches = new Set();
    if (term) {
      const symbolHit = s.symbol.toLowerCase().includes(term);
      for (const c of s.contracts) if (c.dex_symbol.toLowerCase().includes(term)) s.matches.add(key(c));
      if (!symbolHit && s.matches.size === 0) continue;
    }
    const values = [...s.main.values()].map(m => rateIn(m, state.basis)).filter(v => v !== null);
    s.spread = values.length > 1 ? Math.max(...values) - Math.min(...values) : null;
    s.oi = s.contracts.reduce((t, m) => t + (m.open_interest_usd ?? 0), 0);
    s.volume = s.contracts.reduce((t, m) => t + (m.volume_24h_usd ?? 0), 0);
    rows.push(s);
  }
  const sortValue = s => {
    const k = state.sort.key;
    if (k === 'symbol') return s.symbol;
    if (k === 'spread') return s.spread;
    if (k === 'venues') return s.main.size;
    if (k === 'oi') return s.oi;
    if (k === 'volume') return s.volume;
    const m = s.main.get(k.slice(4));
    return m ? rateIn(m, state.basis) : null;
  };
  rows.sort((a, b) => compare(sortValue(a), sortValue(b), state.sort.desc) || b.oi - a.oi || a.symbol.localeCompare(b.symbol));
  return rows;
}

function columns() {
  const seen = new Set([...state.markets.values()].map(m => m.dex));
  const known = [...state.dexes];
  for (const dex of seen) if (!known.some(d => d.name === dex)) known.push({ name: dex, display_name: dex });
  return known.sort((a, b) => a.name.localeCompare(b.name));
}

// View -------------------------------------------------------------------------------------------------------------
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

function rateCell(m, tag = 'td') {
  if (!m) return h(tag, { class: 'muted', title: 'not listed on this venue' }, '·');
  const v = rateIn(m, state.basis);
  const z = state.zscores.get(key(m));
  const cls = [signClass(v), z !== undefined && Math.abs(z) >= 2 ? (z > 0 ? 'z-pos' : 'z-neg') : ''].join(' ');
  const title = `${m.dex_symbol} on ${m.dex}: funding ${fmtPercent(num(m.funding_rate) === null ? null : m.funding_rate * 100, '8h')} `
    + `per ${fmtInterval(m.funding_interval_hours)}` + (z !== undefined ? `, z-score ${z.toFixed(2)} vs 30 days` : '')
    + (m.next_funding_time ? `, next funding ${new Date(m.next_funding_time).toLocaleString()}` : '');
  return h(tag, { class: cls, title, dataset: { dex: m.dex, symbol: m.symbol, value: v ?? '' } },
    h('span', { class: 'cell' },
      h('span', {}, h('span', { class: 'rate' }, fmtPercent(v, state.basis)), h('span', { class: 'iv' }, fmtInterval(m.funding_interval_hours))),
      m.next_funding_time ? h('small', { dataset: { countdown: m.next_funding_time } }, fmtCountdown(m.next_funding_time)) : null));
}

function highlight(text, term) {
  const i = term ? text.toLowerCase().indexOf(term.toLowerCase()) : -1;
  return i < 0 ? text : [text.slice(0, i), h('mark', {}, text.slice(i, i + term.length)), text.slice(i + term.length)];
}

function render() {
  const quotes = [...new Set([...state.markets.values()].map(m => m.quote).filter(Boolean))].sort();
  const quoteSelect = document.getElementById('quote');
  if (quoteSelect.options.length !== quotes.length + 1) {
    quoteSelect.replaceChildren(h('option', { value: '' }, 'any'), ...quotes.map(q => h('option', { value: q, selected: q === state.quote }, q)));
  }
  if (state.error && state.markets.size === 0) { grid.replaceChildren(notice('error', state.error)); summary.textContent = ''; return; }
  if (state.markets.size === 0) {
    grid.replaceChildren(notice('empty', state.lastData ? 'The API has no market data yet: no collection cycle has written any (see Venue health).'
      : 'Loading every market from the funding-rates stream…'));
    return;
  }
  const cols = columns();
  const rows = buildRows();
  const shown = rows.slice(0, state.limit);
  summary.textContent = `${rows.length} symbols · ${state.markets.size} markets · ${cols.length} venues`
    + (state.lastData ? ` · updated ${fmtAge(new Date(state.lastData).toISOString())}` : '');
  if (rows.length === 0) {
    grid.replaceChildren(notice('empty', `No symbol or contract matches “${state.search}”${state.quote ? ` with quote ${state.quote}` : ''}.`));
    return;
  }
  const thead = h('thead', {}, h('tr', {},
    h('th', { 'data-key': 'symbol', scope: 'col' }, 'Symbol'),
    h('th', { 'data-key': 'venues', scope: 'col', title: 'venues listing the symbol' }, 'Venues'),
    h('th', { 'data-key': 'spread', scope: 'col', title: 'highest minus lowest venue rate in this view' }, 'Spread'),
    cols.map(d => h('th', { 'data-key': `dex:${d.name}`, scope: 'col', 'data-dex': d.name }, d.display_name)),
    h('th', { 'data-key': 'oi', scope: 'col' }, 'Open interest'),
    h('th', { 'data-key': 'volume', scope: 'col' }, 'Volume 24h')));
  sortableHeader(thead, state.sort, sort => { state.sort = sort; render(); });
  const tbody = h('tbody');
  for (const s of shown) {
    const open = state.expanded.has(s.symbol) || s.matches.size > 0 && !s.symbol.toLowerCase().includes(state.search.toLowerCase());
    const multi = s.contracts.length > s.main.size;
    tbody.append(h('tr', { 'data-symbol': s.symbol },
      h('th', { scope: 'row', class: 'text' },
        h('button', { type: 'button', class: 'expand', 'aria-expanded': String(open),
          'aria-label': `${open ? 'hide' : 'show'} every contract of ${s.symbol}`, title: multi ? 'several contracts on a venue' : 'contracts',
          onclick: () => { state.expanded.has(s.symbol) ? state.expanded.delete(s.symbol) : state.expanded.add(s.symbol); render(); } },
        open ? '▾' : '▸'),
        h('a', { href: `/ui/market.html${query({ symbol: s.symbol })}` }, highlight(s.symbol, state.search)),
        multi ? h('span', { class: 'iv', title: 'contracts' }, `${s.contracts.length}`) : null),
      h('td', {}, String(s.main.size)),
      h('td', { class: 'muted' }, s.spread === null ? '—' : fmtPercent(s.spread, state.basis).replace('+', '')),
      cols.map(d => rateCell(s.main.get(d.name))),
      h('td', {}, fmtUSD(s.oi)), h('td', {}, fmtUSD(s.volume))));
    if (open) {
      tbody.append(h('tr', { class: 'contract' }, h('td', { colspan: cols.length + 5, class: 'text' },
        contractTable(s))));
    }
  }
  const table = h('table', { 'aria-label': `funding rates, ${BASES[state.basis].label} view` }, thead, tbody);
  const more = rows.length > shown.length
    ? h('p', {}, h('button', { type: 'button', onclick: () => { state.limit += 500; render(); } },
      `Show ${Math.min(500, rows.length - shown.length)} more of ${rows.length - shown.length} symbols`))
    : null;
  const scroll = grid.querySelector('.scroll');
  const [top, left] = scroll ? [scroll.scrollTop, scroll.scrollLeft] : [0, 0];
  fill(grid, h('div', { class: 'scroll' }, table), more);
  grid.querySelector('.scroll').scrollTo(left, top);
  loadZScores();
}

function contractTable(s) {
  const head = ['Venue', 'Contract', 'Quote', 'Interval', BASES[state.basis].label, 'Next funding', 'Mark', 'Open interest', 'Volume 24h', 'Spread', 'z (30d)', 'Sampled'];
  return h('table', { class: 'contracts', 'aria-label': `contracts of ${s.symbol}` },
    h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i < 3 ? 'text' : '' }, t)))),
    h('tbody', {}, [...s.contracts].sort((a, b) => a.dex.localeCompare(b.dex) || mostLiquid(a, b)).map(m => {
      const z = state.zscores.get(key(m));
      const v = rateIn(m, state.basis);
      return h('tr', { class: s.matches.has(key(m)) ? 'contract match' : 'contract' },
        h('td', { class: 'text' }, m.dex), h('td', { class: 'text' }, highlight(m.dex_symbol, state.search)),
        h('td', { class: 'text' }, m.quote ?? '—'), h('td', {}, fmtInterval(m.funding_interval_hours)),
        h('td', { class: signClass(v) }, fmtPercent(v, state.basis)),
        h('td', {}, m.next_funding_time ? h('span', { dataset: { countdown: m.next_funding_time } }, fmtCountdown(m.next_funding_time)) : '—'),
        h('td', {}, fmtPrice(m.mark_price)), h('td', {}, fmtUSD(m.open_interest_usd)), h('td', {}, fmtUSD(m.volume_24h_usd)),
        h('td', {}, fmtBps(m.spread_bps)), h('td', {}, z === undefined ? '—' : z.toFixed(2)),
        h('td', {}, m.time ? h('span', { dataset: { age: m.time }, title: new Date(m.time).toLocaleString() }, fmtAge(m.time)) : '—'));
    })));
}

function exportCSV() {
  const cols = columns();
  const unit = state.basis === 'apr' ? 'apr_pct' : `rate_${state.basis}_pct`;
  const rows = buildRows().map(s => [s.symbol, s.main.size, s.spread, ...cols.map(d => rateIn(s.main.get(d.name) ?? {}, state.basis)), s.oi, s.volume]);
  downloadCSV(`funding-${state.basis}.csv`, ['symbol', 'venues', `spread_${unit}`, ...cols.map(d => `${d.name}_${unit}`), 'open_interest_usd', 'volume_24h_usd'], rows);
}

// Start ------------------------------------------------------------------------------------------------------------
startClock(grid);
setInterval(() => { // the stream says nothing when nothing changed: only flag data older than three cycles
  if (state.lastData && Date.now() - state.lastData > 180000 && badge.dataset.state === 'live') setConnection(badge, 'stale', 'no cycle for 3 min');
}, 5000);
loadDexes().then(render);
liveStream('funding-rates', {}, {
  onMessage: msg => accept(msg.data ?? [], msg.type === 'snapshot'),
  onState: s => setConnection(badge, s),
  poll,
  pollMs: 15000,
});
