#!/usr/bin/env bash
# Benchmark of every leaderboard (schema/0090) at 5,000 markets x 7 days of per-minute samples (50.4M raw rows,
# generated with SQL), server-side median / p99, beside pgbench on the same SQL. Prints figures, asserts nothing.
#
# Usage: bench/leaderboards.sh [ADMIN_URL]
#   ADMIN_URL: a superuser URL of the cluster (default: `fundingd db url --role admin`, which needs FUNDINGD_HOME).
# Creates a scratch database fundingd_bench_boards owned by fundingd, applies the migrations with `fundingd migrate`
# (schema/ merged with timescale/<licence>/ by version), generates the samples straight into funding_rates and
# market_latest as the owner (the write path is measured by bench/write_path.sh), runs CALL refresh_rollups() so the
# rollups hold every completed bucket, ANALYZEs, then times each board.
# Trade flow (cvd, taker_buy_ratio): one row per market per minute for the last TRADE_DAYS days (default 1), written
# straight into trade_flow_1m. Hyperliquid positions (liquidation_risk, whale_positions): POSITIONS accounts (default
# 20000) with 5 positions each on the hyperliquid markets, one current scan.
# Env: MARKETS (default 5000), DAYS (default 7), RUNS (timed runs per board, default 50), PGBENCH_SECONDS
# (default 5), KEEP=1 keeps the database afterwards, REUSE=1 reuses a kept one (no regeneration).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
admin=${1:-$("${FUNDINGD_BIN:-$root/.build/debug/fundingd}" db url --role admin)}
markets=${MARKETS:-5000}
days=${DAYS:-7}
trade_days=${TRADE_DAYS:-1}
positions=${POSITIONS:-20000}
runs=${RUNS:-50}
seconds=${PGBENCH_SECONDS:-5}
db=fundingd_bench_boards
base=${admin%/*}
dburl="$base/$db"
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
. "$root/bench/lib.sh"

[ -n "${KEEP:-}${REUSE:-}" ] || trap 'psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
if [ -z "${REUSE:-}" ]; then
    psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER fundingd"
    migrate_fresh
    start=$(date +%s)
    # Markets spread over the seeded dexes; one sample per market per minute for DAYS days up to the current minute.
    # Smooth deterministic series per market (prices, OI, volume, funding) so every board has values and movers.
    psql -X -q -v ON_ERROR_STOP=1 "$dburl" -v n="$markets" <<'SQL'
SET ROLE fundingd;
INSERT INTO symbols (symbol) SELECT 'SYM' || i FROM generate_series(1, :n) i;
INSERT INTO markets (dex_id, symbol_id, dex_symbol, quote, multiplier, funding_interval_hours)
SELECT d.id, s.id, s.symbol || 'USDT', 'USDT', 1, 8
FROM symbols s
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS pos, count(*) OVER () AS n FROM dexes) d ON d.pos = s.id % d.n;
SQL
    for day in $(seq $((days - 1)) -1 0); do
        psql -X -q -v ON_ERROR_STOP=1 "$dburl" -v day="$day" <<'SQL'
SET ROLE fundingd;
INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, mark_price, index_price,
                           open_interest_usd, volume_24h_usd, best_bid, best_ask)
SELECT t.time, m.id, f.rate, 8, f.mark, f.mark, f.oi, f.vol, f.mark * (1 - f.half), f.mark * (1 + f.half)
FROM generate_series(date_trunc('minute', now()) - make_interval(days => :day + 1) + interval '1 minute',
                     date_trunc('minute', now()) - make_interval(days => :day), interval '1 minute') AS t(time)
CROSS JOIN markets m
CROSS JOIN LATERAL (SELECT extract(epoch FROM t.time) / 60 AS k) k
CROSS JOIN LATERAL (SELECT 100 * exp(0.05 * sin((k.k + m.id * 37) / (200.0 + m.id % 300))) AS mark,
                           1e6 * (1 + m.id % 97) * (1 + 0.2 * sin((k.k + m.id * 13) / (300.0 + m.id % 200))) AS oi,
                           1e7 * (1 + m.id % 89) * (1 + 0.5 * sin((k.k + m.id * 11) / (700.0 + m.id % 500))) AS vol,
                           0.0001 * sin((k.k + m.id) / (900.0 + m.id % 400)) AS rate,
                           0.00005 * (1 + m.id % 20) AS half) f
;
SQL
    done
    psql -X -q -v ON_ERROR_STOP=1 "$dburl" <<'SQL'
SET ROLE fundingd;
INSERT INTO market_latest (market_id, time, funding_rate, funding_interval_hours, mark_price, index_price,
                           open_interest_usd, volume_24h_usd, best_bid, best_ask)
SELECT DISTINCT ON (market_id) market_id, time, funding_rate, funding_interval_hours, mark_price, index_price,
       open_interest_usd, volume_24h_usd, best_bid, best_ask
FROM funding_rates WHERE time > now() - interval '10 minutes' ORDER BY market_id, time DESC;
SQL
    psql -X -q -v ON_ERROR_STOP=1 "$dburl" -v days="$trade_days" -v n="$positions" <<'SQL'
SET ROLE fundingd;
INSERT INTO trade_flow_1m (bucket, market_id, buy_volume_base, sell_volume_base, buy_volume_usd, sell_volume_usd,
                           buy_trades, sell_trades)
SELECT t.bucket, m.id, b.buy / 100, b.sell / 100, b.buy, b.sell, 1 + m.id % 50, 1 + (m.id + 7) % 50
FROM generate_series(date_trunc('minute', now()) - make_interval(days => :days), date_trunc('minute', now()),
                     interval '1 minute') AS t(bucket)
CROSS JOIN markets m
CROSS JOIN LATERAL (SELECT extract(epoch FROM t.bucket) / 60 AS k) k
CROSS JOIN LATERAL (SELECT 1e4 * (1 + m.id % 13) * (1 + 0.5 * sin((k.k + m.id) / 37.0)) AS buy,
                           1e4 * (1 + m.id % 11) * (1 + 0.5 * cos((k.k + m.id) / 41.0)) AS sell) b;
INSERT INTO hyperliquid_addresses (address, source, last_scanned_at)
SELECT '0x' || lpad(to_hex(i), 40, '0'), 'discovered', now() FROM generate_series(1, :n) i;
INSERT INTO hyperliquid_positions (time, address, coin, size, liquidation_price, leverage)
SELECT a.last_scanned_at, a.address, m.dex_symbol, CASE WHEN j % 2 = 0 THEN 1 ELSE -1 END * (1 + (i * j) % 17),
       l.mark_price * (1 + CASE WHEN j % 2 = 0 THEN -1 ELSE 1 END * (0.01 + ((i * 7 + j) % 40) / 100.0)), 5 + j
FROM generate_series(1, :n) i
JOIN hyperliquid_addresses a ON a.address = '0x' || lpad(to_hex(i), 40, '0')
CROSS JOIN generate_series(1, 5) j
JOIN LATERAL (SELECT m.id, m.dex_symbol FROM markets m JOIN dexes d ON d.id = m.dex_id AND d.name = 'hyperliquid'
              ORDER BY m.id OFFSET (i * 5 + j) % greatest(1, (SELECT count(*) FROM markets m2 JOIN dexes d2
                  ON d2.id = m2.dex_id AND d2.name = 'hyperliquid')::int) LIMIT 1) m ON true
JOIN market_latest l ON l.market_id = m.id
ON CONFLICT DO NOTHING;   -- fewer than 5 hyperliquid markets (a small MARKETS): an account holds one position per coin
SQL
    psql -X -q -v ON_ERROR_STOP=1 "$dburl" -c "SET ROLE fundingd" -c "CALL refresh_rollups()"
    psql -X -q -v ON_ERROR_STOP=1 "$dburl" -c "SET ROLE fundingd" -c "ANALYZE"
    echo "generated $(psql -X -At "$dburl" -c "SELECT count(*) FROM funding_rates") raw rows for $markets markets x $days days, $(psql -X -At "$dburl" -c "SELECT count(*) FROM trade_flow_1m") trade-flow minutes, $(psql -X -At "$dburl" -c "SELECT count(*) FROM hyperliquid_positions") positions in $(( $(date +%s) - start )) s"
fi
echo "data: $(psql -X -At "$dburl" -c "SELECT count(*) FROM markets") markets, raw samples $(psql -X -At "$dburl" -c "SELECT min(time)::timestamp(0) || ' .. ' || max(time)::timestamp(0) FROM funding_rates") UTC, now $(psql -X -At "$dburl" -c "SELECT now()::timestamp(0)")"

echo "leaderboard(name, window) with default filters (limit 50): server-side planning + execution (EXPLAIN ANALYZE,"
echo "TIMING OFF) of $runs runs in one session after one warm-up call; p99 = the ceil(0.99 n)-th smallest."
echo "pgbench: $seconds s, 2 clients, 2 threads, simple protocol, the same SELECT * FROM leaderboard(...)."
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-16s %-6s %6s %10s %9s %9s %9s %11s\n" board window rows median_ms p99_ms max_ms tps latency_ms
boards=$(psql -X -At -F' ' "$dburl" -c "SELECT name, coalesce(array_to_string(windows, ','), '-') FROM leaderboards ORDER BY position")
while read -r name windows; do
    for w in ${windows//,/ }; do
        if [ "$w" = "-" ]; then q="SELECT * FROM leaderboard('$name')"; else q="SELECT * FROM leaderboard('$name', '$w')"; fi
        rows=$(psql -X -At "$dburl" -c "SELECT count(*) FROM ($q) x")
        times=$(timing "$q" | sort -n)
        stats=$(echo "$times" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
                                                   p = int(NR * 0.99); if (p < NR * 0.99) p++; print m, a[p], a[NR]}')
        read -r median p99 max <<<"$stats"
        read -r tps lat <<<"$(pgb "$q")"
        printf "%-16s %-6s %6s %10.2f %9.2f %9.2f %9.1f %11s\n" "$name" "$w" "$rows" "$median" "$p99" "$max" "$tps" "$lat"
    done
done <<<"$boards"
