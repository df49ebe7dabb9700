// Screener: one leaderboard at a time. The board list, windows and units come from GET /api/v1/leaderboards; the
// rows come from the leaderboards stream (its snapshot and updates hold the whole board, the same rows the REST
// route answers), or from polling that route while the stream is down. Below, Hyperliquid liquidation clusters
// drawn as an inline SVG bar chart by price band.
import {
  API, fmtAge, fmtBps, fmtPercent, fmtPrice, fmtUSD, getJSON, h, liveStream, notice, num, pageHeader, query,
  setConnection, signClass, startClock, streamFilters,
} from './app.js';

const badge = pageHeader('screener');
const form = document.getElementById('filters');
const board = document.getElementById('board');
const summary = document.getElementById('summary');
const description = document.getElementById('description');
let boards = [];
let stream = null;

/** The board's value in its unit (the registry's value_unit). */
function fmtValue(v, unit) {
  if (num(v) === null) return '—';
  const signed = (x, digits) => `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;
  switch (unit) {
    case 'percent': return `${signed(v, Math.abs(v) < 10 ? 2 : 1)}%`;
    case 'percent per hour': return `${signed(v, 3)}%/h`;
    case 'percent per year': return fmtPercent(v);
    case 'percentage points per year': return `${signed(v, 2)} pp APR`;
    case 'USD': return fmtUSD(v);
    case 'basis points': return fmtBps(v);
    case 'ratio': return `${v.toFixed(Math.abs(v) < 10 ? 3 : 1)}×`;
    default: return `${+v.toPrecision(6)} ${unit ?? ''}`.trim();
  }
}

function selected() {
  const f = Object.fromEntries(new FormData(form).entries());
  for (const k of Object.keys(f)) if (f[k] === '') delete f[k];
  return f;
}

function buildForm() {
  const current = new URLSearchParams(location.search);
  const name = current.get('name') ?? 'gainers';
  const boardSelect = h('select', { name: 'name' }, boards.map(b =>
    h('option', { value: b.name, selected: b.name === name }, b.name.replaceAll('_', ' '))));
  const windowSelect = h('select', { name: 'window' });
  const fillWindows = keep => {
    const b = boards.find(x => x.name === boardSelect.value);
    const windows = b?.windows ?? [];
    windowSelect.replaceChildren(...windows.map(w => h('option', { value: w, selected: w === (keep ?? b.default_window) }, w)));
    windowSelect.disabled = windows.length === 0;
    description.textContent = b?.description ?? '';
  };
  fillWindows(current.get('window'));
  boardSelect.addEventListener('change', () => fillWindows());
  form.append(
    h('label', {}, 'board', boardSelect),
    h('label', {}, 'window', windowSelect),
    h('label', {}, 'dex', h('input', { name: 'dex', value: current.get('dex') ?? '', placeholder: 'any (comma-separated)' })),
    h('label', {}, 'min volume 24h', h('input', { name: 'min_volume_24h', type: 'number', min: 0, step: 'any', value: current.get('min_volume_24h') ?? '' })),
    h('label', {}, 'limit', h('input', { name: 'limit', type: 'number', min: 1, max: 1000, value: current.get('limit') ?? '25' })));
  form.addEventListener('change', apply);
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
}

function routeOf(f) {
  const { name, ...rest } = f;
  return `${API}/leaderboards/${encodeURIComponent(name)}${query(rest)}`;
}

function apply() {
  const f = selected();
  history.replaceState(null, '', query(f) || location.pathname);
  document.getElementById('api-link').href = routeOf(f);
  board.replaceChildren(notice('empty', 'Loading…'));
  stream?.resubscribe(streamFilters(f));
  poll(); // at once, whether or not the stream is up (its snapshot follows when it is)
}

async function poll() {
  const f = selected();
  const r = await getJSON(routeOf(f));
  if (!r.ok) {
    board.replaceChildren(notice('error', `The API refused this board: ${r.error}`));
    if (r.status === 0) setConnection(badge, 'offline');
    return;
  }
  render({ leaderboard: r.data.leaderboard, window: r.data.window, value_unit: r.data.value_unit, data: r.data.entries,
    generated_at: r.data.generated_at });
}

function render(msg) {
  const rows = msg.data ?? [];
  const unit = msg.value_unit;
  summary.textContent = `${rows.length} markets · ${msg.leaderboard}${msg.window ? ` over ${msg.window}` : ''}`
    + ` · value in ${unit} · updated ${new Date(msg.generated_at ?? Date.now()).toLocaleTimeString()}`;
  if (rows.length === 0) {
    const b = boards.find(x => x.name === msg.leaderboard);
    board.replaceChildren(notice('empty', `No market is on this board${msg.window ? ` over ${msg.window}` : ''}: `
      + (/cvd|taker/.test(msg.leaderboard) ? 'it reads streamed trades (FUNDINGD_STREAM_CHANNELS=top_of_book,trades).'
        : /liquidation|whale/.test(msg.leaderboard) ? 'it reads scanned Hyperliquid positions (FUNDINGD_HYPERLIQUID_ADDRESSES).'
          : msg.window ? 'markets need a sample one window back, so a young database shows few.' : `no market has a value (${b?.description ?? ''}).`)));
    return;
  }
  const signals = rows.some(r => r.signal);
  const head = ['#', 'Market', 'Venue', signals ? 'Signal' : null, 'Value', 'Mark', 'Open interest', 'Volume 24h', 'APR', 'Book spread', 'Sampled'].filter(Boolean);
  board.replaceChildren(h('div', { class: 'scroll' }, h('table', { 'aria-label': 'leaderboard' },
    h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i > 0 && i < (signals ? 4 : 3) ? 'text' : '' }, t)))),
    h('tbody', {}, rows.map(r => h('tr', { 'data-dex': r.dex, 'data-symbol': r.symbol },
      h('td', {}, String(r.rank)),
      h('th', { scope: 'row', class: 'text' }, h('a', { href: `/ui/market.html${query({ symbol: r.symbol })}` }, r.symbol),
        h('small', {}, ` ${r.dex_symbol}`)),
      h('td', { class: 'text' }, r.dex),
      signals ? h('td', { class: 'text' }, r.signal ?? '') : null,
      h('td', { class: /^percent/.test(unit ?? '') ? signClass(r.value) : '', 'data-field': 'value', 'data-raw': r.value,
        title: r.metrics ? Object.entries(r.metrics).map(([k, v]) => `${k}: ${typeof v === 'number' ? +v.toPrecision(6) : v}`).join('\n') : '' },
      fmtValue(r.value, unit)),
      h('td', {}, fmtPrice(r.mark_price)), h('td', {}, fmtUSD(r.open_interest_usd)), h('td', {}, fmtUSD(r.volume_24h_usd)),
      h('td', { class: signClass(r.apr) }, fmtPercent(r.apr)), h('td', {}, fmtBps(r.spread_bps)),
      h('td', {}, r.time ? h('span', { dataset: { age: r.time }, title: new Date(r.time).toLocaleString() }, fmtAge(r.time)) : '—')))))));
}

// --- liquidation clusters -------------------------------------------------------------------------------------

const clusterForm = document.getElementById('cluster-form');
const clusters = document.getElementById('clusters');
const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, text) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
};

async function loadClusters() {
  const coin = new FormData(clusterForm).get('coin') || 'BTC';
  const r = await getJSON(`${API}/liquidations/clusters/${encodeURIComponent(coin)}`);
  if (!r.ok) { clusters.replaceChildren(notice(r.status === 404 ? 'empty' : 'error', r.error)); return; }
  const bands = r.data.clusters ?? [];
  if (bands.length === 0) {
    clusters.replaceChildren(notice('empty', `No tracked position on ${coin} would be liquidated within reach of the mark`
      + ' (the scanner runs when FUNDINGD_HYPERLIQUID_ADDRESSES lists accounts, and in the demo).'));
    return;
  }
  // Horizontal bars, one per band, highest price on top; bar length = notional; the mark as a line between.
  const sorted = [...bands].sort((a, b) => b.band_low - a.band_low);
  const max = Math.max(...sorted.map(b => b.notional_usd));
  const rowH = 18, left = 110, width = 640, height = sorted.length * rowH + 30;
  const chart = svg('svg', { viewBox: `0 0 ${left + width + 90} ${height}`, role: 'img', class: 'clusters',
    'aria-label': `liquidation clusters of ${coin}` });
  sorted.forEach((b, i) => {
    const y = 10 + i * rowH;
    const w = Math.max(1, (b.notional_usd / max) * width);
    chart.append(svg('text', { x: left - 6, y: y + 12, 'text-anchor': 'end', class: 'axis' }, fmtPrice(b.band_low)));
    const bar = svg('rect', { x: left, y, width: w, height: rowH - 4, class: `bar ${b.side}` });
    bar.append(svg('title', {}, `${b.side} liquidations ${fmtPrice(b.band_low)}–${fmtPrice(b.band_high)}: ${fmtUSD(b.notional_usd)} in ${b.positions} positions, ${b.distance_pct.toFixed(2)}% from the mark`));
    chart.append(bar, svg('text', { x: left + w + 6, y: y + 12, class: 'axis' }, fmtUSD(b.notional_usd)));
  });
  clusters.replaceChildren(h('p', { class: 'summary' },
    `${coin} mark ${fmtPrice(r.data.mark_price)} · ${bands.length} bands of ${r.data.band_pct ?? 0.5}% · red: longs liquidated below, green: shorts above`),
  chart);
}

clusterForm.append(h('label', {}, 'coin', h('input', { name: 'coin', value: 'BTC', size: 8 })),
  h('button', { type: 'submit' }, 'Show'));
clusterForm.addEventListener('submit', e => { e.preventDefault(); loadClusters(); });

// --- start ----------------------------------------------------------------------------------------------------

startClock(board);
const registry = await getJSON(`${API}/leaderboards`);
if (!registry.ok) {
  board.replaceChildren(notice('error', `This server lists no leaderboards: ${registry.error}`));
} else {
  boards = registry.data.leaderboards ?? [];
  buildForm();
  apply();
  stream = liveStream('leaderboards', streamFilters(selected()), {
    onMessage: msg => { if (msg.type === 'snapshot' || msg.type === 'update') render(msg); },
    onState: s => setConnection(badge, s),
    poll,
    pollMs: 15000,
  });
}
loadClusters();
setInterval(loadClusters, 60000);
