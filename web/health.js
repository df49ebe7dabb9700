// Venue health: the service's status, database and ingest writer, then one row per venue joining /health's
// dex_health (freshness, errors, latency) with /dexes (markets, fees, last error). A push of the funding stream
// for BTC (listed by most venues, so nearly every cycle changes it) refreshes it, and so does a one-minute timer;
// while the stream is down it polls.
import {
  API, fill, fmtAge, fmtBps, fmtDuration, getJSON, h, liveStream, notice, num, pageHeader, setConnection, startClock,
  throttle,
} from './app.js';

const badge = pageHeader('health');
const overall = document.getElementById('overall');
const venues = document.getElementById('venues');

const card = (label, value, cls = '') => h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: `value ${cls}` }, value));

async function load() {
  // /health answers 503 with the same body when unhealthy: show it rather than an error.
  const [health, dexes] = await Promise.all([getJSON(`${API}/health`), getJSON(`${API}/dexes`)]);
  const hd = health.data;
  if (!hd?.status) {
    overall.replaceChildren(notice('error', `The health route did not answer: ${health.error}`));
    setConnection(badge, 'offline');
    return;
  }
  const ingest = hd.ingest;
  fill(overall, h('div', { class: 'cards' },
    card('Service', hd.status, `status-${hd.status}`),
    card('Database', hd.database ?? '—', hd.database === 'ok' ? 'status-healthy' : 'status-unhealthy'),
    card('Oldest venue data', fmtDuration(hd.oldest_data_age_seconds)),
    card('Last cycle', hd.last_collection_time ? fmtAge(hd.last_collection_time) : 'none yet'),
    card('Ingest writer', ingest ? (ingest.stuck ? 'stuck' : `${ingest.is_leader ? 'leader' : 'standby'} · ${ingest.buffered_cycles} buffered`) : 'not in this process',
      ingest?.stuck ? 'status-unhealthy' : ''),
    card('Uptime', fmtDuration(hd.uptime_seconds))),
  (hd.reasons ?? []).length ? h('ul', { class: 'notice error', 'aria-label': 'reasons' }, hd.reasons.map(r => h('li', {}, r))) : null);

  const info = new Map(dexes.ok ? dexes.data.dexes.map(d => [d.name, d]) : []);
  const rows = hd.dex_health ?? [];
  if (rows.length === 0) { venues.replaceChildren(notice('empty', 'No venue is active: nothing is collected.')); return; }
  const head = ['Venue', 'Status', 'Last run', 'Last success', 'Data age', 'Markets', 'Errors in a row', 'Error rate 24h', 'Latency', 'Runs 24h', 'Taker fee', 'Last error'];
  fill(venues,
    dexes.ok ? null : notice('error', `Venue details unavailable: ${dexes.error}`),
    h('div', { class: 'scroll' }, h('table', { 'aria-label': 'venues' },
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: [0, 1, 2, 11].includes(i) ? 'text' : '' }, t)))),
      h('tbody', {}, rows.map(d => {
        const x = info.get(d.dex_name) ?? {};
        const age = x.health?.data_age_seconds;
        return h('tr', { 'data-dex': d.dex_name },
          h('th', { scope: 'row', class: 'text' }, x.display_name ?? d.dex_name),
          h('td', { class: `text status-${d.status}` }, d.status),
          h('td', { class: `text status-${d.last_run_status === 'success' ? 'healthy' : d.last_run_status === 'partial' ? 'degraded' : 'failed'}` }, d.last_run_status ?? '—'),
          h('td', {}, d.last_successful_fetch ? h('span', { dataset: { age: d.last_successful_fetch }, title: new Date(d.last_successful_fetch).toLocaleString() }, fmtAge(d.last_successful_fetch)) : 'never'),
          h('td', {}, fmtDuration(age)),
          h('td', {}, String(x.markets ?? '—')),
          h('td', { class: d.consecutive_errors > 0 ? 'neg' : '' }, String(d.consecutive_errors ?? 0)),
          h('td', {}, num(d.error_rate_percent) === null ? '—' : `${d.error_rate_percent.toFixed(0)}%`),
          h('td', {}, num(d.avg_collection_latency_ms) === null ? '—' : `${Math.round(d.avg_collection_latency_ms)} ms`),
          h('td', {}, String(d.runs_24h ?? 0)),
          h('td', {}, num(x.taker_fee) === null ? '—' : fmtBps(x.taker_fee * 1e4)),
          h('td', { class: 'text', title: x.health?.last_error ?? '' },
            x.health?.last_error ? `${fmtAge(x.health.last_error_at)}: ${x.health.last_error.slice(0, 80)}` : '—'));
      })))));
}

startClock(venues);
load();
const reload = throttle(load, 500);
liveStream('funding-rates', { symbols: ['BTC'] }, {
  // Any push means a cycle was written; refresh at most twice a second.
  onMessage: reload,
  onState: s => setConnection(badge, s),
  poll: load,
  pollMs: 15000,
});
setInterval(load, 60000); // a venue that stops answering changes no row: still refresh its age
