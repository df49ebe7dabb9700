#!/usr/bin/env bash
# Benchmark of opportunities() with default parameters at 1k, 5k and 20k markets (about 7 dexes per symbol: each
# symbol is listed on 7 of 12 dexes), plus pgbench throughput on 2 clients. Prints figures, asserts nothing.
#
# Usage: bench/opportunities.sh [ADMIN_URL]
#   ADMIN_URL: a superuser URL of the cluster (default: `fundingd db url --role admin`, which needs FUNDINGD_HOME).
# Creates a scratch database fundingd_bench_opps owned by fundingd, applies the migrations with `fundingd migrate`
# (schema/ merged with timescale/<licence>/ by version), and drops the database at the end.
# Env: SIZES (default "1000 5000 20000"), RUNS (timed runs per size, default 20), PGBENCH_SECONDS (default 10).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
admin=${1:-$("${FUNDINGD_BIN:-$root/.build/debug/fundingd}" db url --role admin)}
sizes=${SIZES:-"1000 5000 20000"}
runs=${RUNS:-20}
seconds=${PGBENCH_SECONDS:-10}
db=fundingd_bench_opps
base=${admin%/*}
dburl="$base/$db"
pgbench=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
. "$root/bench/lib.sh"

psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER fundingd"
[ -n "${KEEP:-}" ] || trap 'psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
migrate_fresh

# 12 dexes (the 8 seeded venues plus 4 synthetic ones with fees), intervals 1h / 4h / 8h.
psql -X -q -v ON_ERROR_STOP=1 "$dburl" <<'SQL'
SET ROLE fundingd;
INSERT INTO dexes (name, display_name, kind, maker_fee, taker_fee, funding_interval_hours)
SELECT 'bench' || i, 'bench' || i, 'dex', 0.0001, 0.0004, (ARRAY[1, 4, 8])[1 + i % 3] FROM generate_series(1, 4) i;
SQL

echo "opportunities() with default parameters: server-side planning + execution time (EXPLAIN ANALYZE, TIMING OFF),"
echo "median / min / max of $runs runs in one session after one warm-up call; 'top10' = ORDER BY net_profit DESC LIMIT 10"
echo "(the API's query shape). pgbench: $seconds s, 2 clients, 2 threads, simple protocol, rows fetched by the client."
printf "%7s  %7s  %15s  %6s  %9s  %7s  %7s  %10s  %11s  %12s  %13s\n" markets symbols candidate_pairs rows \
    median_ms min_ms max_ms top10_ms tps_all_rows tps_top10 latency_top10
for n in $sizes; do
    psql -X -q -v ON_ERROR_STOP=1 "$dburl" -v n="$n" <<'SQL'
SET ROLE fundingd;
TRUNCATE market_latest, markets, symbols CASCADE;
-- n / 7 symbols, each on 7 of the 12 dexes (a rotating window), one market per (symbol, dex).
INSERT INTO symbols (symbol) SELECT 'SYM' || i FROM generate_series(1, ceil(:n / 7.0)::int) i;
INSERT INTO markets (dex_id, symbol_id, dex_symbol, quote, multiplier, funding_interval_hours)
SELECT d.id, s.id, s.symbol || '-' || d.name, 'USDT', CASE WHEN s.id % 10 = 0 THEN 1000 ELSE 1 END,
       coalesce(d.funding_interval_hours, 8)
FROM symbols s
CROSS JOIN generate_series(0, 6) k
JOIN (SELECT id, name, funding_interval_hours, row_number() OVER (ORDER BY id) - 1 AS pos FROM dexes) d
  ON d.pos = (s.id + k) % 12
ORDER BY s.id, k
LIMIT :n;
-- ANALYZE first, then stamp the samples: as in production, every sample time lies beyond the statistics.
INSERT INTO market_latest (market_id, time, funding_rate, funding_interval_hours, mark_price, index_price,
                           open_interest_usd, volume_24h_usd, best_bid, best_ask)
SELECT m.id, now() - interval '1 day', (random() - 0.4) * 0.0005, m.funding_interval_hours,
       100 * m.multiplier * (1 + (random() - 0.5) * 0.002), 100 * m.multiplier, 1e5 + random() * 1e8,
       1e4 + random() * 1e9, 99.99 * m.multiplier, 100.01 * m.multiplier
FROM markets m;
ANALYZE symbols; ANALYZE markets; ANALYZE market_latest; ANALYZE dexes;
UPDATE market_latest SET time = now() + interval '1 hour';   -- fresh for the whole run
SQL
    symbols=$(psql -X -At "$dburl" -c "SELECT count(*) FROM symbols")
    pairs=$(psql -X -At "$dburl" -c "SELECT coalesce(sum(c * (c - 1)), 0) FROM (SELECT count(*) c FROM markets GROUP BY symbol_id) x")
    rows=$(psql -X -At "$dburl" -c "SELECT count(*) FROM opportunities()")
    times=$(timing "SELECT * FROM opportunities()" | sort -n)
    median=$(echo "$times" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
    min=$(echo "$times" | head -1); max=$(echo "$times" | tail -1)
    top=$(timing "SELECT * FROM opportunities() ORDER BY net_profit DESC LIMIT 10" | sort -n \
          | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
    read -r tps_all _ <<<"$(pgb "SELECT * FROM opportunities()")"
    read -r tps_top lat_top <<<"$(pgb "SELECT * FROM opportunities() ORDER BY net_profit DESC LIMIT 10")"
    printf "%7s  %7s  %15s  %6s  %9s  %7s  %7s  %10s  %11.1f  %12.1f  %13s\n" "$n" "$symbols" "$pairs" "$rows" \
        "$median" "$min" "$max" "$top" "$tps_all" "$tps_top" "$lat_top"
done
