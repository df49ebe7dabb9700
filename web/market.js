// One symbol across venues: its contracts now (funding-rates stream, filtered to the symbol), per-market statistics
// (/stats), and history charts (rate as APR, mark, open interest, 24 h volume) from the history route, which
// answers from the raw table or the hourly/daily rollups depending on the window.
import {
  API, COLOURS, fill, fmtAge, fmtBps, fmtCountdown, fmtInterval, fmtPercent, fmtPrice, fmtUSD, getJSON, h, lineChart,
  liveStream, notice, num, pageHeader, query, serverRoutes, setConnection, signClass, startClock,
} from './app.js';

const badge = pageHeader('market');
const params = new URLSearchParams(location.search);
const symbolInput = document.getElementById('symbol');
const periodSelect = document.getElementById('period');
const now = document.getElementById('now');
let symbol = (params.get('symbol') ?? 'BTC').toUpperCase();
const markets = new Map();
symbolInput.value = symbol;
if (['1d', '7d', '30d'].includes(params.get('period'))) periodSelect.value = params.get('period');

document.getElementById('pick').addEventListener('submit', e => {
  e.preventDefault();
  location.search = query({ symbol: symbolInput.value.trim().toUpperCase(), period: periodSelect.value });
});
periodSelect.addEventListener('change', () => document.getElementById('pick').requestSubmit());

async function loadSymbols() {
  const r = await getJSON(`${API}/dexes`);
  const all = new Set(r.ok ? r.data.dexes.flatMap(d => d.supported_symbols ?? []) : []);
  document.getElementById('symbols').replaceChildren(...[...all].sort().map(s => h('option', { value: s })));
}

// Now ---------------------------------------------------------------------------------------------------------------
function renderNow() {
  document.getElementById('title').textContent = `${symbol} across venues`;
  const rows = [...markets.values()].sort((a, b) => (b.open_interest_usd ?? -1) - (a.open_interest_usd ?? -1));
  if (rows.length === 0) { now.replaceChildren(notice('empty', `No venue lists a ${symbol} perpetual right now.`)); return; }
  const head = ['Venue', 'Contract', 'Interval', 'Rate', 'APR', 'Next funding', 'Mark', 'Index', 'Open interest', 'Volume 24h', 'Book spread', 'Sampled'];
  now.replaceChildren(h('div', { class: 'scroll' }, h('table', { 'aria-label': `${symbol} contracts now` },
    h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i < 2 ? 'text' : '' }, t)))),
    h('tbody', {}, rows.map(m => h('tr', { 'data-dex': m.dex, 'data-contract': m.dex_symbol },
      h('th', { scope: 'row', class: 'text' }, m.dex), h('td', { class: 'text' }, m.dex_symbol),
      h('td', {}, fmtInterval(m.funding_interval_hours)),
      h('td', { class: signClass(m.funding_rate) }, fmtPercent(num(m.funding_rate) === null ? null : m.funding_rate * 100, '1h')),
      h('td', { class: signClass(m.apr), 'data-field': 'apr', 'data-raw': m.apr }, fmtPercent(m.apr)),
      h('td', {}, m.next_funding_time ? h('span', { dataset: { countdown: m.next_funding_time }, title: new Date(m.next_funding_time).toLocaleString() }, fmtCountdown(m.next_funding_time)) : '—'),
      h('td', {}, fmtPrice(m.mark_price)), h('td', {}, fmtPrice(m.index_price)),
      h('td', {}, fmtUSD(m.open_interest_usd)), h('td', {}, fmtUSD(m.volume_24h_usd)), h('td', {}, fmtBps(m.spread_bps)),
      h('td', {}, m.time ? h('span', { dataset: { age: m.time }, title: new Date(m.time).toLocaleString() }, fmtAge(m.time)) : '—')))))));
}

/** While the stream is down: each venue's markets of the symbol from the REST route. */
async function pollNow() {
  const r = await getJSON(`${API}/funding-rates${query({ symbol })}`);
  if (!r.ok) { now.replaceChildren(notice('error', `Current rates unavailable: ${r.error}`)); return; }
  const dexes = Object.keys(r.data.data?.[symbol] ?? {});
  const answers = await Promise.all(dexes.map(dex => getJSON(`${API}/funding-rates/${dex}/${encodeURIComponent(symbol)}`)));
  markets.clear();
  for (const a of answers) for (const m of a.ok ? a.data.markets ?? [] : []) markets.set(`${m.dex}|${m.dex_symbol}`, m);
  renderNow();
}

// Statistics ----------------------------------------------------------------------------------------------------------
async function loadStats() {
  const box = document.getElementById('stats');
  const r = await getJSON(`${API}/stats/funding-rates/${encodeURIComponent(symbol)}?period=30d`);
  if (!r.ok) { box.replaceChildren(notice(r.status === 404 ? 'empty' : 'error', `No statistics for ${symbol}: ${r.error}`)); return; }
  const d = r.data;
  const cards = h('div', { class: 'cards' },
    [['Mean APR (30 d, all venues)', fmtPercent(d.avg_annualized_apy)], ['Mean rate per 8 h', fmtPercent(num(d.avg_funding_rate) === null ? null : d.avg_funding_rate * 100, '8h')],
      ['Std dev per 8 h', fmtPercent(num(d.std_dev) === null ? null : d.std_dev * 100, '8h').replace('+', '')],
      ['Positive hours', num(d.positive_rate_frequency) === null ? '—' : `${(d.positive_rate_frequency * 100).toFixed(0)}%`],
      ['Markets', String(d.markets ?? '—')], ['Samples', String(d.sample_count ?? '—')]]
      .map(([label, value]) => h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value))));
  const rows = d.statistics ?? [];
  const head = ['Venue', 'Contract', 'Mean APR', 'Min rate', 'Max rate', 'Volatility', 'Positive', 'Current', 'z-score', 'Percentile', 'Samples'];
  const pct = v => num(v) === null ? null : v * 100;
  box.replaceChildren(cards, rows.length === 0 ? notice('empty', 'No per-market statistics yet: they need collected history.') :
    h('div', { class: 'scroll' }, h('table', { 'aria-label': `${symbol} statistics per market, 30 days` },
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i < 2 ? 'text' : '' }, t)))),
      h('tbody', {}, rows.map(m => h('tr', {},
        h('th', { scope: 'row', class: 'text' }, m.dex), h('td', { class: 'text' }, m.dex_symbol),
        h('td', { class: signClass(m.mean_apr) }, fmtPercent(m.mean_apr)),
        h('td', {}, fmtPercent(pct(m.min_rate), '1h')), h('td', {}, fmtPercent(pct(m.max_rate), '1h')),
        h('td', {}, fmtPercent(pct(m.volatility), '1h').replace('+', '')),
        h('td', {}, num(m.positive_share) === null ? '—' : `${(m.positive_share * 100).toFixed(0)}%`),
        h('td', { class: signClass(m.current_rate) }, fmtPercent(pct(m.current_rate), '1h')),
        h('td', { class: Math.abs(m.zscore_30d ?? 0) >= 2 ? (m.zscore_30d > 0 ? 'z-pos' : 'z-neg') : '' }, num(m.zscore_30d) === null ? '—' : m.zscore_30d.toFixed(2)),
        h('td', {}, num(m.percentile_30d) === null ? '—' : `${(m.percentile_30d * 100).toFixed(0)}%`),
        h('td', {}, String(m.sample_count ?? '—'))))))));
}

// History -------------------------------------------------------------------------------------------------------------
async function loadHistory() {
  const charts = document.getElementById('charts');
  charts.replaceChildren(notice('info', 'Loading history…'));
  const r = await getJSON(`${API}/funding-rates${query({ symbol })}`);
  const dexes = Object.keys(r.ok ? r.data.data?.[symbol] ?? {} : {}).slice(0, COLOURS.length);
  if (dexes.length === 0) { charts.replaceChildren(notice('empty', `No venue has ${symbol}: nothing to chart.`)); return; }
  const period = periodSelect.value;
  const answers = await Promise.all(dexes.map(dex =>
    getJSON(`${API}/history/funding-rates/${dex}/${encodeURIComponent(symbol)}${query({ period })}`, { timeout: 15000 })));
  const series = field => answers.map((a, i) => ({
    name: `${dexes[i]}${a.ok ? ` ${a.data.dex_symbol}` : ''}`,
    colour: COLOURS[i],
    // The market the API shows for the dex (most liquid); bucket means for 1h/1d windows.
    points: a.ok ? (a.data.data ?? []).filter(p => p.dex_symbol === a.data.dex_symbol).map(p => [Date.parse(p.time), field(p)]) : [],
  }));
  const failed = answers.map((a, i) => a.ok ? null : `${dexes[i]}: ${a.error}`).filter(Boolean);
  // APR from the interval-normalised 8 h rate: × 3 × 365 × 100.
  fill(charts,
    lineChart({ title: 'Funding rate (APR)', series: series(p => num(p.rate_8h) === null ? null : p.rate_8h * 109500), format: v => `${v.toFixed(1)}%` }),
    lineChart({ title: 'Mark price', series: series(p => p.mark_price), format: fmtPrice }),
    lineChart({ title: 'Open interest', series: series(p => p.open_interest_usd), format: fmtUSD }),
    lineChart({ title: 'Volume 24h', series: series(p => p.volume_24h_usd), format: fmtUSD }),
    failed.length ? notice('error', `History unavailable for ${failed.join('; ')}`) : null);
  const interval = answers.find(a => a.ok)?.data.interval;
  document.getElementById('summary').textContent = `${dexes.length} venues · ${period} window${interval ? ` · ${interval} points` : ''}`;
}

/** Routes other helpers may add later (settled funding, leaderboards): linked when this server has them. */
async function loadExtras() {
  const routes = [...await serverRoutes()].filter(p => /settle|leaderboard|realised|realized/.test(p));
  const box = document.getElementById('extra');
  box.replaceChildren(h('h2', {}, 'Settled funding'), routes.length === 0
    ? notice('empty', 'This server records no settled funding payments yet: the charts show the collected (predicted) rates.')
    : h('ul', {}, routes.map(p => h('li', {}, h('code', {}, p)))));
}

startClock(now);
loadSymbols();
loadStats();
loadHistory();
loadExtras();
liveStream('funding-rates', { symbols: [symbol] }, {
  onMessage: msg => {
    if (msg.type === 'snapshot') markets.clear();
    for (const m of msg.data ?? []) markets.set(`${m.dex}|${m.dex_symbol}`, m);
    renderNow();
  },
  onState: s => setConnection(badge, s),
  poll: pollNow,
});
