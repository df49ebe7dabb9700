// Opportunities: the filter form is built from the OpenAPI document's parameters of GET /api/v1/opportunities (so
// a parameter added to the API appears here), the table is that route's answer for the form's query. The
// opportunities stream, subscribed with the same filters, says when a cycle changed the result: the page then
// asks the route again, so what it shows is exactly what the API answers.
import {
  API, compare, downloadCSV, fmtAge, fmtBps, fmtDuration, fmtInterval, fmtPercent, fmtUSD, getJSON, h, hasRoute,
  lineChart, liveStream, notice, num, pageHeader, query, setConnection, signClass, sortableHeader, startClock,
  streamFilters, throttle,
} from './app.js';

const ROUTE = '/api/v1/opportunities';
const badge = pageHeader('opportunities');
const form = document.getElementById('filters');
const table = document.getElementById('table');
const summary = document.getElementById('summary');
let rows = [];
let persistence = new Map();
let sort = { key: null, desc: true };
let stream = null;

/** The form's fields: every query parameter of the route except the aliases (described as "= other name"). */
async function buildForm() {
  const r = await getJSON('/openapi.json');
  const params = r.ok ? r.data.paths?.[ROUTE]?.get?.parameters ?? [] : [];
  if (params.length === 0) {
    form.replaceChildren(notice('error', `This server documents no ${ROUTE} parameters (${r.error ?? 'route missing'}).`));
    return false;
  }
  const dexes = await getJSON(`${API}/dexes`);
  const dexNames = dexes.ok ? dexes.data.dexes.map(d => d.name) : [];
  const current = new URLSearchParams(location.search);
  for (const p of params.filter(p => p.in === 'query' && !(p.description ?? '').startsWith('='))) {
    const schema = p.schema ?? {};
    const value = current.get(p.name) ?? '';
    const def = /\(default ([^)]+)\)/.exec(p.description ?? '')?.[1] ?? '';
    let input;
    if (schema.enum || schema.type === 'boolean' || p.name === 'long_dex' || p.name === 'short_dex') {
      const options = schema.enum ?? (schema.type === 'boolean' ? ['true', 'false'] : dexNames);
      input = h('select', { name: p.name },
        h('option', { value: '' }, def ? `default (${def})` : 'any'),
        options.map(o => h('option', { value: o, selected: String(o) === value }, o)));
    } else {
      input = h('input', { name: p.name, value, placeholder: def || (schema.description ?? ''),
        type: schema.type === 'number' || schema.type === 'integer' ? 'number' : 'text', step: 'any',
        min: schema.minimum, max: schema.maximum, list: /dexes$/.test(p.name) ? 'dex-names' : null });
    }
    form.append(h('label', { title: p.description ?? '' }, p.name.replaceAll('_', ' '), input,
      h('span', { class: 'visually-hidden' }, p.description ?? '')));
  }
  form.append(h('datalist', { id: 'dex-names' }, dexNames.map(n => h('option', { value: n }))));
  form.append(h('div', { class: 'actions' },
    h('button', { type: 'submit' }, 'Apply'),
    h('button', { type: 'button', onclick: () => { form.reset(); for (const el of form.elements) if (el.name) el.value = ''; apply(); } }, 'Reset')));
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
  form.addEventListener('change', () => apply());
  return true;
}

/** The form's non-empty fields as query parameters. */
function filters() {
  const out = {};
  for (const el of form.elements) if (el.name && el.value !== '') out[el.name] = el.value;
  return out;
}

function apply() {
  const f = filters();
  history.replaceState(null, '', query(f) || location.pathname);
  stream?.resubscribe(streamFilters(f));
  load();
}

let generation = 0;
async function load() {
  const path = `${ROUTE}${query(filters())}`;
  document.getElementById('api-link').href = path;
  const mine = ++generation;
  const r = await getJSON(path);
  if (mine !== generation) return; // a newer query superseded this one
  if (!r.ok) {
    table.replaceChildren(notice('error', `The API refused this query: ${r.error}`));
    summary.textContent = '';
    if (r.status === 0) setConnection(badge, 'offline');
    return;
  }
  rows = r.data.opportunities ?? [];
  const f = r.data.filters_applied ?? {};
  summary.textContent = `${rows.length} shown of ${r.data.total_count} · ${f.fee_type ?? 'taker'} fees · hold ${f.hold_hours ?? 8} h`
    + ` · min net ${fmtPercent((f.min_profit ?? 0) * 100, '8h')} · generated ${new Date(r.data.generated_at).toLocaleTimeString()}`;
  render(f);
  loadPersistence();
}

const COLUMNS = [
  ['symbol', 'Symbol', r => r.symbol],
  ['long', 'Long', r => r.long_dex],
  ['short', 'Short', r => r.short_dex],
  ['long_rate_8h', 'Long 8h', r => r.long_rate_8h],
  ['short_rate_8h', 'Short 8h', r => r.short_rate_8h],
  ['divergence', 'Divergence 8h', r => r.divergence],
  ['estimated_fees', 'Fees', r => r.estimated_fees],
  ['net_profit', 'Net (hold)', r => r.net_profit],
  ['annualized_apy', 'APY', r => r.annualized_apy],
  ['break_even_hours', 'Break-even', r => r.break_even_hours],
  ['min_volume_24h', 'Min volume 24h', r => r.min_volume_24h],
  ['min_oi_usd', 'Min OI', r => r.min_oi_usd],
  ['avg_spread_bps', 'Book spread', r => r.avg_spread_bps],
  ['persist', 'Profitable 24h', r => persistence.get(pairKey(r))?.profitable_share_24h ?? null],
  ['discovered_at', 'Sampled', r => r.discovered_at],
  ['history', 'History', () => null],
];
const pairKey = r => `${r.symbol}|${r.long_dex}|${r.short_dex}`;

function leg(r, side) {
  return h('span', { class: 'cell' },
    h('span', {}, r[`${side}_dex`], h('span', { class: 'iv' }, fmtInterval(r[`${side}_interval_hours`]))),
    h('small', {}, r[`${side}_dex_symbol`] ?? ''));
}

function render(f) {
  if (rows.length === 0) {
    const tips = [];
    if ((f.min_profit ?? 0) >= 0) tips.push('set “min profit” to -1 to see pairs that do not pay after fees');
    if ((f.min_volume_24h ?? 0) > 0) tips.push('lower “min volume 24h”');
    if ((f.max_age ?? 300) <= 300) tips.push('raise “max age” if venues are slow');
    table.replaceChildren(notice('empty', `No pair passes these filters${tips.length ? `: ${tips.join('; ')}` : ''}.`));
    return;
  }
  const shown = sort.key ? [...rows].sort((a, b) => compare(COLUMNS.find(c => c[0] === sort.key)[2](a),
    COLUMNS.find(c => c[0] === sort.key)[2](b), sort.desc)) : rows;
  const hold = f.hold_hours ?? 8;
  const thead = h('thead', {}, h('tr', {}, COLUMNS.map(([k, label], i) =>
    h('th', { 'data-key': k, scope: 'col', class: i < 3 ? 'text' : '' }, k === 'net_profit' ? `Net (${hold} h)` : label))));
  sortableHeader(thead, sort, s => { sort = s; render(f); });
  const pct = v => num(v) === null ? null : v * 100;
  const tbody = h('tbody', {}, shown.map(r => {
    const p = persistence.get(pairKey(r));
    return h('tr', { 'data-id': r.id },
      h('th', { scope: 'row', class: 'text' }, h('a', { href: `/ui/market.html${query({ symbol: r.symbol })}` }, r.symbol)),
      h('td', { class: 'text' }, leg(r, 'long')), h('td', { class: 'text' }, leg(r, 'short')),
      h('td', { class: signClass(r.long_rate_8h) }, fmtPercent(pct(r.long_rate_8h), '8h')),
      h('td', { class: signClass(r.short_rate_8h) }, fmtPercent(pct(r.short_rate_8h), '8h')),
      h('td', { 'data-field': 'divergence', 'data-raw': r.divergence }, fmtPercent(pct(r.divergence), '8h')),
      h('td', {}, fmtPercent(pct(r.estimated_fees), '8h').replace('+', '')),
      h('td', { class: signClass(r.net_profit), 'data-field': 'net_profit', 'data-raw': r.net_profit }, fmtPercent(pct(r.net_profit), '8h')),
      h('td', { class: signClass(r.annualized_apy), 'data-field': 'annualized_apy', 'data-raw': r.annualized_apy }, fmtPercent(r.annualized_apy)),
      h('td', {}, num(r.break_even_hours) === null ? 'never' : fmtDuration(r.break_even_hours * 3600)),
      h('td', {}, fmtUSD(r.min_volume_24h)), h('td', {}, fmtUSD(r.min_oi_usd)), h('td', {}, fmtBps(r.avg_spread_bps)),
      h('td', { title: p ? `seen in ${p.cycles_seen_24h} of ${p.cycles_24h} cycles, profitable in ${p.cycles_profitable_24h}; 7 d: ${fmtShare(p.profitable_share_7d)}` : 'no recorded history' },
        p ? fmtShare(p.profitable_share_24h) : '—'),
      h('td', {}, h('span', { dataset: { age: r.discovered_at }, title: new Date(r.discovered_at).toLocaleString() }, fmtAge(r.discovered_at))),
      h('td', {}, h('button', { type: 'button', class: 'history', onclick: () => showDetail(r),
        'aria-label': `history of ${r.symbol} long ${r.long_dex} short ${r.short_dex}` }, 'history')));
  }));
  table.replaceChildren(h('div', { class: 'scroll' }, h('table', { 'aria-label': 'opportunities' }, thead, tbody)));
}

/** One pair's last 7 days (`/arbitrage/opportunity-detail`): both legs' APR and the spread per hour, and the
 * spread's statistics; the spread is the short leg's APR minus the long leg's, before fees. */
async function showDetail(r) {
  const box = document.getElementById('detail');
  box.replaceChildren(notice('loading', `Loading ${r.symbol} long ${r.long_dex}, short ${r.short_dex}…`));
  const path = [r.symbol, r.long_dex, r.short_dex].map(encodeURIComponent).join('/');
  const d = await getJSON(`${API}/arbitrage/opportunity-detail/${path}${query({
    long_contract: r.long_dex_symbol, short_contract: r.short_dex_symbol, days: 7 })}`);
  if (!d.ok) { box.replaceChildren(notice('error', `Pair history unavailable: ${d.error}`)); return; }
  const st = d.data.statistics ?? {};
  const stat = (label, field, value, fmt) => h('div', {}, h('dt', {}, label),
    h('dd', { 'data-field': field, 'data-raw': value ?? '' }, fmt(value)));
  const apr = v => fmtPercent(v);
  const t = p => Date.parse(p.time);
  box.replaceChildren(
    h('h3', {}, `${r.symbol}: long ${r.long_dex} ${r.long_dex_symbol}, short ${r.short_dex} ${r.short_dex_symbol}`),
    h('dl', { class: 'stats' },
      stat('Spread now', 'apr_spread', d.data.apr_spread, apr),
      stat('Mean (7 d)', 'mean', st.mean, apr), stat('Median', 'median', st.median, apr),
      stat('Std dev', 'stddev', st.stddev, v => num(v) === null ? '—' : apr(v).replace('+', '')),
      stat('Min', 'min', st.min, apr), stat('Max', 'max', st.max, apr),
      stat('Hours positive', 'positive_share', st.positive_share, fmtShare),
      stat('Hours', 'samples', st.samples, v => String(v ?? 0))),
    lineChart({ title: 'Funding APR per hour', format: v => `${v.toFixed(1)}%`, series: [
      { name: `short ${r.short_dex}`, points: d.data.history.map(p => [t(p), p.short_apr]) },
      { name: `long ${r.long_dex}`, points: d.data.history.map(p => [t(p), p.long_apr]) },
      { name: 'spread (short - long)', points: d.data.history.map(p => [t(p), p.apr_spread]) },
    ] }));
  box.scrollIntoView({ block: 'nearest' });
}

const fmtShare = v => num(v) === null ? '—' : `${(v * 100).toFixed(0)}%`;

async function loadPersistence() {
  const box = document.getElementById('persistence');
  if (!(await hasRoute('/api/v1/opportunities/persistence'))) {
    box.replaceChildren(notice('empty', 'This server has no persistence route.'));
    return;
  }
  const symbol = filters().symbol;
  const r = await getJSON(`${API}/opportunities/persistence${query({ symbol, limit: 1000 })}`);
  if (!r.ok) { box.replaceChildren(notice('error', `Persistence unavailable: ${r.error}`)); return; }
  persistence = new Map((r.data.persistence ?? []).map(p => [pairKey(p), p]));
  const top = (r.data.persistence ?? []).slice(0, 20);
  if (top.length === 0) {
    box.replaceChildren(notice('empty', 'No opportunity history recorded yet: it fills with every collection cycle.'));
    return;
  }
  box.replaceChildren(h('div', { class: 'scroll' }, h('table', { 'aria-label': 'persistence' },
    h('thead', {}, h('tr', {}, ['Symbol', 'Long', 'Short', 'Profitable 24h', 'Seen 24h', 'Profitable 7d', 'Mean net 24h', 'Last net', 'First seen', 'Last seen']
      .map((t, i) => h('th', { scope: 'col', class: i < 3 ? 'text' : '' }, t)))),
    h('tbody', {}, top.map(p => h('tr', {},
      h('th', { scope: 'row', class: 'text' }, p.symbol), h('td', { class: 'text' }, p.long_dex), h('td', { class: 'text' }, p.short_dex),
      h('td', {}, fmtShare(p.profitable_share_24h)), h('td', {}, `${p.cycles_seen_24h ?? 0} / ${p.cycles_24h ?? 0}`),
      h('td', {}, fmtShare(p.profitable_share_7d)),
      h('td', { class: signClass(p.mean_net_profit_24h) }, fmtPercent(num(p.mean_net_profit_24h) === null ? null : p.mean_net_profit_24h * 100, '8h')),
      h('td', { class: signClass(p.last_net_profit) }, fmtPercent(num(p.last_net_profit) === null ? null : p.last_net_profit * 100, '8h')),
      h('td', {}, fmtAge(p.first_seen)), h('td', {}, fmtAge(p.last_seen))))))));
}

document.getElementById('csv').addEventListener('click', () => {
  const keys = ['symbol', 'long_dex', 'long_dex_symbol', 'short_dex', 'short_dex_symbol', 'long_rate_8h', 'short_rate_8h', 'divergence',
    'estimated_fees', 'net_profit', 'annualized_apy', 'break_even_hours', 'min_volume_24h', 'min_oi_usd', 'avg_spread_bps', 'discovered_at'];
  downloadCSV('opportunities.csv', keys, rows.map(r => keys.map(k => r[k])));
});

startClock(table);
if (await buildForm()) {
  await load();
  const reload = throttle(load, 1000);
  stream = liveStream('opportunities', streamFilters(filters()), {
    // A cycle changed the result: ask the route again (at most once a second).
    onMessage: msg => { if (msg.type === 'update') reload(); },
    onState: s => setConnection(badge, s),
    poll: load,
  });
}
