// Price spreads: the rows are the price-spreads stream's (its snapshot and each update carry the whole current
// list, the same rows GET /api/v1/price-spreads answers), or that route's while the stream is down. A selected pair
// shows its net and gross spread over the last hour from /api/v1/price-spreads/history.
import {
  API, fmtBps, fmtPrice, fmtUSD, getJSON, h, lineChart, liveStream, notice, num, pageHeader, query, setConnection,
  signClass, streamFilters, throttle,
} from './app.js';

const badge = pageHeader('prices');
const form = document.getElementById('filters');
const table = document.getElementById('table');
const summary = document.getElementById('summary');
const historyBox = document.getElementById('history');
let stream = null;
let latest = null;
let selected = null; // {symbol, long_dex, short_dex}

const FIELDS = [
  ['symbols', 'symbols', 'text', 'any (comma-separated)'],
  ['dexes', 'dexes', 'text', 'any (both legs among them)'],
  ['min_spread_bps', 'min net bps', 'number', 'any'],
  ['min_volume_usd', 'min volume 24h', 'number', 'any'],
  ['max_age_seconds', 'max age s', 'number', '60'],
  ['limit', 'limit', 'number', '100'],
];

function buildForm() {
  const current = new URLSearchParams(location.search);
  for (const [name, label, type, placeholder] of FIELDS) {
    form.append(h('label', {}, label, h('input', { name, type, step: 'any', placeholder, value: current.get(name) ?? (name === 'limit' ? '50' : '') })));
  }
  form.append(h('label', {}, 'best pair per symbol',
    h('input', { name: 'best', type: 'checkbox', checked: current.get('best') !== 'false' })));
  form.addEventListener('change', apply);
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
}

function filters() {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked; else if (el.value !== '') out[el.name] = el.value;
  }
  return out;
}

const routeOf = f => {
  const { best, ...rest } = f;
  return `${API}/price-spreads${best ? '/best' : ''}${query(rest)}`;
};

function apply() {
  const f = filters();
  history.replaceState(null, '', query({ ...f, best: f.best ? null : 'false' }) || location.pathname);
  document.getElementById('api-link').href = routeOf(f);
  stream?.resubscribe(streamFilters(f));
  poll();
}

async function poll() {
  const r = await getJSON(routeOf(filters()));
  if (!r.ok) {
    table.replaceChildren(notice('error', `The API refused these filters: ${r.error}`));
    if (r.status === 0) setConnection(badge, 'offline');
    return;
  }
  latest = r.data.spreads ?? [];
  render();
}

const pairKey = r => `${r.symbol}|${r.long_dex}|${r.short_dex}`;
const fmtAgeS = s => num(s) === null ? '—' : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;

function render() {
  const rows = latest ?? [];
  const f = filters();
  summary.textContent = `${rows.length} ${f.best ? 'symbols (best pair each)' : 'pairs'} · net after both taker fees · updated ${new Date().toLocaleTimeString()}`;
  if (rows.length === 0) {
    table.replaceChildren(notice('empty', 'No pair passes these filters. Spreads need live prices from at least two venues '
      + 'of a symbol (FUNDINGD_STREAMS); raise “max age” if streams are slow, or clear “min net bps”.'));
    return;
  }
  const head = ['Symbol', 'Buy at', 'Ask', 'Sell at', 'Bid', 'Gross', 'Fees', 'Net', 'Ask size', 'Bid size', 'Min volume 24h', 'Ages'];
  table.replaceChildren(h('div', { class: 'scroll' }, h('table', { 'aria-label': 'price spreads' },
    h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: [0, 1, 3].includes(i) ? 'text' : '' }, t)))),
    h('tbody', {}, rows.map(r => h('tr', {
      'data-key': pairKey(r), tabindex: 0, class: selected && pairKey(selected) === pairKey(r) ? 'selected' : '',
      onclick: () => select(r), onkeydown: e => { if (e.key === 'Enter') select(r); },
    },
    h('th', { scope: 'row', class: 'text' }, r.symbol),
    h('td', { class: 'text' }, r.long_dex, h('small', {}, ` ${r.long_dex_symbol}`)), h('td', {}, fmtPrice(r.buy_price)),
    h('td', { class: 'text' }, r.short_dex, h('small', {}, ` ${r.short_dex_symbol}`)), h('td', {}, fmtPrice(r.sell_price)),
    h('td', { class: signClass(r.gross_spread_bps) }, fmtBps(r.gross_spread_bps)), h('td', {}, fmtBps(r.fees_bps)),
    h('td', { class: signClass(r.net_spread_bps), 'data-field': 'net', 'data-raw': r.net_spread_bps }, fmtBps(r.net_spread_bps)),
    h('td', {}, num(r.long_ask_size) === null ? '—' : String(+r.long_ask_size.toPrecision(6))),
    h('td', {}, num(r.short_bid_size) === null ? '—' : String(+r.short_bid_size.toPrecision(6))),
    h('td', {}, fmtUSD(Math.min(r.long_volume_24h_usd ?? Infinity, r.short_volume_24h_usd ?? Infinity))),
    h('td', {}, `${fmtAgeS(r.long_age_seconds)} / ${fmtAgeS(r.short_age_seconds)}`)))))));
}

async function select(r) {
  selected = { symbol: r.symbol, long_dex: r.long_dex, short_dex: r.short_dex };
  render();
  loadHistory();
}

async function loadHistory() {
  if (!selected) return;
  const r = await getJSON(`${API}/price-spreads/history${query({ ...selected, period: '1h', threshold_bps: 0 })}`);
  if (!r.ok) { historyBox.replaceChildren(notice('error', `No history for this pair: ${r.error}`)); return; }
  const points = r.data.history ?? [];
  const p = r.data.persistence;
  historyBox.replaceChildren(
    h('h2', {}, `${selected.symbol}: buy ${selected.long_dex}, sell ${selected.short_dex}`),
    h('p', { class: 'summary' }, p
      ? `Net spread ${p.above_now ? 'at or above' : 'below'} 0 bps now; above it ${Math.round((p.share_above ?? 0) * 100)}% of the last hour`
        + (p.above_now && p.seconds_above ? `, for the last ${Math.round(p.seconds_above)} s` : '') + '.'
      : 'No samples of this pair in the last hour.'),
    lineChart({ title: 'Spread over the last hour (bps)', format: v => `${v.toFixed(1)}`, series: [
      { name: 'net', points: points.map(x => [Date.parse(x.sample_time), x.net_spread_bps]) },
      { name: 'gross', points: points.map(x => [Date.parse(x.sample_time), x.gross_spread_bps]) },
    ] }));
}

buildForm();
apply();
const draw = throttle(render, 500);
stream = liveStream('price-spreads', streamFilters(filters()), {
  onMessage: msg => { if (msg.type === 'snapshot' || msg.type === 'update') { latest = msg.data ?? []; draw(); } },
  onState: s => setConnection(badge, s),
  poll,
  pollMs: 5000,
});
setInterval(loadHistory, 15000);
