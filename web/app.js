// Shared by every page of the dashboard: API calls, number and time formatting, the live stream with its polling
// fallback, the page header, sortable tables, CSV export and a small SVG line chart. Plain ES module, no build step.

export const API = '/api/v1';

/** GET a JSON route. Resolves to {ok, status, data, error}; never throws, never waits longer than `timeout` ms. */
export async function getJSON(path, { timeout = 10000 } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  try {
    const response = await fetch(path, { signal: abort.signal, headers: { Accept: 'application/json' } });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
    if (!response.ok) {
      const message = data?.error?.message ?? `HTTP ${response.status}`;
      return { ok: false, status: response.status, data, error: message };
    }
    if (data === null) return { ok: false, status: response.status, data, error: 'the answer was not JSON' };
    return { ok: true, status: response.status, data, error: null };
  } catch (e) {
    const error = e.name === 'AbortError' ? `no answer within ${timeout / 1000} s` : `the server is unreachable (${e.message})`;
    return { ok: false, status: 0, data: null, error };
  } finally {
    clearTimeout(timer);
  }
}

let routesPromise = null;
/** The routes this server has (from its OpenAPI document), so a page shows a section only when its route exists. */
export function serverRoutes() {
  routesPromise ??= getJSON('/openapi.json').then(r => new Set(r.ok ? Object.keys(r.data.paths ?? {}) : []));
  return routesPromise;
}
export async function hasRoute(path) { return (await serverRoutes()).has(path); }

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting. Rates arrive as fractions per period; shown as percent per period (or APR in percent per year).

/** The rate views of the grid: the multiple of `rate_1h` each shows (APR is the API's `apr`, already percent). */
export const BASES = {
  apr: { label: 'APR', hours: 8760 },
  '1h': { label: '1H', hours: 1 },
  '8h': { label: '8H', hours: 8 },
  '1d': { label: '1D', hours: 24 },
  '7d': { label: '7D', hours: 168 },
};

/** A market's rate in a basis, in percent (per period, or per year for APR); null when unknown. */
export function rateIn(row, basis) {
  if (basis === 'apr') return num(row.apr) ?? (num(row.rate_1h) === null ? null : row.rate_1h * 8760 * 100);
  const r1h = num(row.rate_1h);
  return r1h === null ? null : r1h * BASES[basis].hours * 100;
}

export function num(v) { return typeof v === 'number' && Number.isFinite(v) ? v : null; }

/** Percent with a sign and enough decimals for funding rates (0.0100 %), or APR (12.34 %). */
export function fmtPercent(v, basis = 'apr') {
  if (num(v) === null) return '—';
  const digits = basis === 'apr' || Math.abs(v) >= 10 ? 2 : basis === '7d' || basis === '1d' ? 3 : 4;
  return `${v > 0 ? '+' : ''}${v.toFixed(digits)}%`;
}

export function fmtBps(v) { return num(v) === null ? '—' : `${v.toFixed(v < 10 ? 2 : 1)} bps`; }

/** USD with K/M/B. */
export function fmtUSD(v) {
  if (num(v) === null) return '—';
  const a = Math.abs(v);
  const [d, s] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'K'] : [1, ''];
  return `$${(v / d).toFixed(d === 1 ? 2 : a / d >= 100 ? 0 : 1)}${s}`;
}

/** A price with significant digits that suit its size. */
export function fmtPrice(v) {
  if (num(v) === null) return '—';
  const a = Math.abs(v);
  const digits = a >= 1000 ? 2 : a >= 1 ? 4 : a >= 0.01 ? 6 : 8;
  return v.toLocaleString('en-US', { minimumFractionDigits: Math.min(digits, 2), maximumFractionDigits: digits });
}

/** "12 s", "5 min", "3 h", "2 d". */
export function fmtDuration(seconds) {
  if (num(seconds) === null) return '—';
  const s = Math.abs(seconds);
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400 * 2) return `${(s / 3600).toFixed(s < 36000 ? 1 : 0)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** The age of an ISO time: "12 s ago". */
export function fmtAge(iso, now = Date.now()) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '—' : `${fmtDuration((now - t) / 1000)} ago`;
}

/** A time in the user's zone (title: the ISO instant). */
export function fmtTime(iso) {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '—' : t.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** Countdown to a time: "1:04:09", or "due" when it has passed (the venue has not published the next one yet). */
export function fmtCountdown(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  let s = Math.round((t - now) / 1000);
  if (s <= 0) return 'due';
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** A funding interval badge: "1h", "8h". */
export function fmtInterval(hours) { return num(hours) === null ? '?' : `${+hours.toFixed(2)}h`; }

/** Updates every `[data-countdown]` and `[data-age]` element once a second. */
export function startClock(root = document) {
  const tick = () => {
    const now = Date.now();
    for (const el of root.querySelectorAll('[data-countdown]')) el.textContent = fmtCountdown(el.dataset.countdown, now);
    for (const el of root.querySelectorAll('[data-age]')) el.textContent = fmtAge(el.dataset.age, now);
  };
  tick();
  return setInterval(tick, 1000);
}

// ---------------------------------------------------------------------------------------------------------------
// DOM helpers.

/** Creates an element: h('td', {class: 'num', title: 'x'}, 'text', child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Replaces an element's children, skipping null ones (replaceChildren would show them as the text "null"). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
}

/** The sign class of a number (green positive, red negative). */
export function signClass(v) { return num(v) === null ? 'muted' : v > 0 ? 'pos' : v < 0 ? 'neg' : ''; }

/** A message in a box: kind is 'empty', 'error' or 'info'. */
export function notice(kind, text) { return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text); }

/** Sets the page's header: title, navigation and the connection badge. Returns the badge element. */
export function pageHeader(active) {
  const pages = [['index', '/', 'Funding grid'], ['opportunities', '/ui/opportunities.html', 'Opportunities'],
    ['screener', '/ui/screener.html', 'Screener'], ['prices', '/ui/prices.html', 'Price spreads'], ['market', '/ui/market.html', 'Market'],
    ['health', '/ui/health.html', 'Venue health']];
  const badge = h('span', { id: 'conn', class: 'badge conn', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const header = h('header', {},
    h('a', { class: 'brand', href: '/' }, 'fundingd'),
    h('nav', { 'aria-label': 'pages' }, pages.map(([id, href, label]) =>
      h('a', { href, 'aria-current': id === active ? 'page' : null }, label))),
    badge);
  document.body.prepend(header);
  return badge;
}

/** Shows the connection state in the header badge. */
export function setConnection(badge, state, detail = '') {
  const labels = { live: 'live', polling: 'polling', stale: 'stale', offline: 'offline', connecting: 'connecting…' };
  badge.textContent = labels[state] + (detail ? ` · ${detail}` : '');
  badge.dataset.state = state;
  badge.title = { live: 'pushed by the WebSocket stream after each collection cycle',
    polling: 'the stream is down: refreshing by polling the API', stale: 'no fresh data for a while',
    offline: 'the server does not answer', connecting: '' }[state];
}

/**
 * `fn` at most once per `ms`, and always once after the last call: a page refreshing on pushes keeps up even when
 * pushes come faster than `ms` (a debounce would wait for a pause that may never come).
 */
export function throttle(fn, ms) {
  let timer = null;
  return () => { timer ??= setTimeout(() => { timer = null; fn(); }, ms); };
}

// ---------------------------------------------------------------------------------------------------------------
// The live stream: a WebSocket subscription that reconnects with backoff; while it is down the page polls.

/**
 * A page's filters (query-parameter values) as a stream subscription's JSON values: `'true'` / `'false'` as
 * booleans, numbers as numbers, everything else (names, comma-separated lists) as text, which the server reads as
 * the REST route reads its parameters.
 */
export function streamFilters(f) {
  const out = {};
  for (const [k, v] of Object.entries(f)) {
    out[k] = typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
  }
  return out;
}

/**
 * Subscribes to `/api/v1/ws/{channel}` with `filters`. Calls onMessage(msg) for snapshot and update frames and
 * onState('live' | 'polling') when the connection changes. While disconnected, calls poll() every `pollMs`.
 * Returns {resubscribe(filters), close()}.
 */
export function liveStream(channel, filters, { onMessage, onState, poll, pollMs = 30000 }) {
  let ws = null, closed = false, attempts = 0, pollTimer = null, retryTimer = null, current = filters;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${API}/ws/${channel}`;
  const startPolling = () => {
    onState('polling');
    if (!pollTimer && poll) { pollTimer = setInterval(poll, pollMs); poll(); }
  };
  const stopPolling = () => { clearInterval(pollTimer); pollTimer = null; };
  const connect = () => {
    if (closed) return;
    try { ws = new WebSocket(url); } catch { startPolling(); return retry(); }
    const opened = setTimeout(() => ws.close(), 8000); // a handshake that hangs counts as a failure
    ws.onopen = () => {
      clearTimeout(opened);
      attempts = 0;
      ws.send(JSON.stringify({ action: 'subscribe', filters: current }));
    };
    ws.onmessage = event => {
      let msg; try { msg = JSON.parse(event.data); } catch { return; }
      if (msg.type === 'snapshot') { stopPolling(); onState('live'); }
      if (msg.type === 'error') { console.warn('stream error', msg.error); startPolling(); return; }
      onMessage(msg);
    };
    ws.onclose = () => { clearTimeout(opened); ws = null; if (!closed) { startPolling(); retry(); } };
    ws.onerror = () => ws?.close();
  };
  const retry = () => {
    attempts += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, Math.min(30000, 1000 * 2 ** Math.min(attempts, 5)));
  };
  connect();
  return {
    resubscribe(filters) {
      current = filters;
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ action: 'subscribe', filters }));
    },
    close() { closed = true; stopPolling(); clearTimeout(retryTimer); ws?.close(); },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Tables and export.

/**
 * Makes a table's header cells sort it: each `th[data-key]` becomes a button; `sort` is {key, desc}; `onSort` is
 * called with the new state (the page re-renders). aria-sort tells screen readers the order.
 */
export function sortableHeader(thead, sort, onSort) {
  for (const th of thead.querySelectorAll('th[data-key]')) {
    const key = th.dataset.key;
    th.setAttribute('aria-sort', sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none');
    if (!th.querySelector('button')) {
      const label = th.textContent;
      th.textContent = '';
      th.append(h('button', { type: 'button', class: 'sort', onclick: () => {
        onSort(sort.key === key ? { key, desc: !sort.desc } : { key, desc: true });
      } }, label));
    }
  }
}

/** Compares two values for sorting: numbers numerically, nulls last, text alphabetically. */
export function compare(a, b, desc) {
  const an = a === null || a === undefined, bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return desc ? -c : c;
}

/** Downloads rows (arrays of cells) as a CSV file. */
export function downloadCSV(filename, header, rows) {
  const cell = v => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const text = [header, ...rows].map(r => r.map(cell).join(',')).join('\n') + '\n';
  const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: filename });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// ---------------------------------------------------------------------------------------------------------------
// A line chart as inline SVG: series [{name, points: [[timeMs, value]], colour}], y formatted by `format`.

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

export const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d',
  '#9333ea', '#ea580c'];

export function lineChart({ title, series, format = v => String(v), height = 220 }) {
  const width = 640, left = 70, right = 10, top = 10, bottom = 24;
  const all = series.flatMap(x => x.points).filter(p => num(p[1]) !== null);
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  if (all.length === 0) { figure.append(notice('empty', `No ${title.toLowerCase()} recorded in this window.`)); return figure; }
  let [x0, x1] = [Math.min(...all.map(p => p[0])), Math.max(...all.map(p => p[0]))];
  let [y0, y1] = [Math.min(...all.map(p => p[1])), Math.max(...all.map(p => p[1]))];
  if (x0 === x1) { x0 -= 3600e3; x1 += 3600e3; }
  if (y0 === y1) { const pad = Math.abs(y0) * 0.05 || 1; y0 -= pad; y1 += pad; }
  const X = t => left + (t - x0) / (x1 - x0) * (width - left - right);
  const Y = v => top + (1 - (v - y0) / (y1 - y0)) * (height - top - bottom);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4;
    svg.append(s('line', { x1: left, x2: width - right, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.append(s('text', { x: left - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' }, format(v)));
  }
  if (y0 < 0 && y1 > 0) svg.append(s('line', { x1: left, x2: width - right, y1: Y(0), y2: Y(0), class: 'zero' }));
  for (let i = 0; i <= 3; i++) {
    const t = x0 + (x1 - x0) * i / 3;
    const label = new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    svg.append(s('text', { x: X(t), y: height - 6, 'text-anchor': i === 0 ? 'start' : i === 3 ? 'end' : 'middle', class: 'axis' }, label));
  }
  series.forEach((serie, i) => {
    const pts = serie.points.filter(p => num(p[1]) !== null);
    if (pts.length === 0) return;
    const colour = serie.colour ?? COLOURS[i % COLOURS.length];
    const path = s('path', { d: pts.map((p, j) => `${j ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(''),
      stroke: colour, class: 'line' });
    path.append(s('title', {}, `${serie.name}: last ${format(pts.at(-1)[1])}`));
    svg.append(path);
    if (pts.length === 1) svg.append(s('circle', { cx: X(pts[0][0]), cy: Y(pts[0][1]), r: 3, fill: colour }));
  });
  figure.append(svg);
  if (series.length > 1) {
    figure.append(h('ul', { class: 'legend' }, series.map((x, i) =>
      h('li', {}, h('span', { class: 'swatch', style: `background:${x.colour ?? COLOURS[i % COLOURS.length]}` }), x.name))));
  }
  return figure;
}
