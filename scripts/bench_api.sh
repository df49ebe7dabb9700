#!/usr/bin/env bash
# API benchmark: wrk against the hot read routes (GET /api/v1/opportunities, /funding-rates and three of the
# dashboard's reads), beside pgbench running the same SQL call on the same database, with fixture-scale data (one
# ingest cycle of the recordings) and with 5,000 synthetic markets. Prints RPS / TPS and p50 / p99 latency for both
# and the API / pgbench ratio, for the API with its response cache (the default: what a bot polling one query gets)
# and with the cache off (every request runs the SQL, as pgbench does); `cache+1/s` adds a fundingd_cycle
# notification every second, which drops the cache the way an ingest cycle does.
#
# CPU per request, in milliseconds: `srv` is the fundingd process (/proc/<pid>/stat), `pg` the rest of the
# machine's busy time (/proc/stat) less the load generator's own (bash `times`): PostgreSQL, plus whatever else ran.
# For pgbench, `pg` is the machine's busy time less pgbench's per transaction.
#
#   bash scripts/bench_api.sh            # release build, 10 s per measurement, 8 connections
#   DURATION=20 CONNECTIONS=16 bash scripts/bench_api.sh
#   ROUTES="funding-rates funding-rates-grid" bash scripts/bench_api.sh   # a subset (names below)
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
PORT=${BENCH_PORT:-18199}
PGBENCH=${PGBENCH:-/usr/lib/postgresql/15/bin/pgbench}
if [ -z "${FUNDINGD:-}" ]; then
    swift build -c release --product fundingd >/dev/null
    FUNDINGD=.build/release/fundingd
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
source scripts/fixture_db.sh
WORK=$(mktemp -d)
SERVER=
cleanup() {
    [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
    fixture_db_drop fundingd_bench_fixture; fixture_db_drop fundingd_bench_5k; rm -rf "$WORK"
}
trap cleanup EXIT
"$FUNDINGD" db start >/dev/null

# The SQL each route runs, with the API's default parameters inlined as constants: /funding-rates calls
# api_funding_rates() (Sources/FundingAPI/APIReads.swift, schema/0101), /opportunities the statement of
# Sources/FundingAPI/OpportunitiesStatement.swift (prepared once per connection there too) over
# opportunities_page() (schema/0102).
cat > "$WORK/funding-rates.sql" <<'SQL'
SELECT api_funding_rates(p_dexes => NULL::text[], p_symbols => NULL::text[], p_quote => NULL::text,
                         p_basis => 'native'::text, p_include_metadata => false::boolean)::text;
SQL
cat > "$WORK/opportunities.sql" <<'SQL'
WITH realised AS MATERIALIZED (
    SELECT r.dex, r.dex_symbol, r.realised_rate, r.settlements
    FROM realised_funding(make_interval(days => NULL::int), NULL::text) r
    WHERE NULL::int IS NOT NULL
)
SELECT x.long_dex, x.short_dex, x.symbol, x.long_dex_symbol, x.short_dex_symbol, x.long_interval_hours, x.short_interval_hours, x.long_rate, x.short_rate, x.long_rate_8h, x.short_rate_8h, x.divergence, x.estimated_fees, x.net_profit, x.annualized_apy, x.break_even_hours, x.long_oi_usd, x.short_oi_usd, x.min_oi_usd, x.max_oi_usd, x.oi_ratio, x.oi_imbalance, x.long_volume_24h, x.short_volume_24h, x.min_volume_24h, x.long_spread_bps, x.short_spread_bps, x.price_spread_bps, x.long_mark_price, x.short_mark_price, x.long_next_funding_time, x.short_next_funding_time, x.long_time, x.short_time, x.long_fee, x.short_fee,
       opportunity_pair_id(x.symbol, x.long_dex, x.long_dex_symbol, x.short_dex, x.short_dex_symbol) AS id,
       x.net_profit AS net_profit_percent,
       greatest(x.long_time, x.short_time) AS discovered_at,
       least(x.long_time, x.short_time) + make_interval(secs => 300::float8) AS valid_until,
       (x.long_spread_bps + x.short_spread_bps) / 2 AS avg_spread_bps,
       jsonb_build_object('fee_type', 'taker'::text, 'hold_hours', 8::float8, 'max_age_seconds', 300::float8)
           AS metadata,
       x.total_count, x.long_realised, x.short_realised, x.long_settlements, x.short_settlements,
       x.realised_funding_return, x.realised_net_return, x.realised_net_apr
FROM (
SELECT * FROM (
SELECT o.*,
       rl.realised_rate AS long_realised, rs.realised_rate AS short_realised,
       rl.settlements AS long_settlements, rs.settlements AS short_settlements,
       rs.realised_rate - rl.realised_rate AS realised_funding_return,
       rs.realised_rate - rl.realised_rate - o.estimated_fees AS realised_net_return,
       (rs.realised_rate - rl.realised_rate - o.estimated_fees) / (NULL::int * 24) * 876000 AS realised_net_apr
FROM (SELECT (p.o).*, p.total_count FROM opportunities_page(
    p_symbol => NULL::text, p_long_dex => NULL::text, p_short_dex => NULL::text, p_include_dexes => NULL::text[],
    p_exclude_dexes => NULL::text[], p_quote => NULL::text, p_min_divergence => 0.0001::float8,
    p_min_profit => 0::float8, p_min_volume_24h => 100000::float8, p_max_volume_24h => NULL::float8,
    p_min_oi_usd => NULL::float8, p_max_oi_usd => NULL::float8, p_oi_ratio_min => NULL::float8,
    p_oi_ratio_max => NULL::float8, p_oi_imbalance => NULL::text, p_max_spread_bps => NULL::float8,
    p_fee_type => 'taker'::text, p_hold_hours => 8::float8, p_max_age => make_interval(secs => 300::float8),
    p_volume_30d => NULL::float8, p_symbols => NULL::text[], p_sort_by => 'net_profit'::text,
    p_sort_desc => true::bool, p_limit_rows => 10::int8) p) o
LEFT JOIN realised rl ON rl.dex = o.long_dex AND rl.dex_symbol = o.long_dex_symbol
LEFT JOIN realised rs ON rs.dex = o.short_dex AND rs.dex_symbol = o.short_dex_symbol
) x
ORDER BY CASE WHEN true::bool THEN CASE 'net_profit'::text WHEN 'long_interval_hours' THEN x.long_interval_hours WHEN 'short_interval_hours' THEN x.short_interval_hours WHEN 'long_rate' THEN x.long_rate WHEN 'short_rate' THEN x.short_rate WHEN 'long_rate_8h' THEN x.long_rate_8h WHEN 'short_rate_8h' THEN x.short_rate_8h WHEN 'divergence' THEN x.divergence WHEN 'estimated_fees' THEN x.estimated_fees WHEN 'net_profit' THEN x.net_profit WHEN 'annualized_apy' THEN x.annualized_apy WHEN 'break_even_hours' THEN x.break_even_hours WHEN 'long_oi_usd' THEN x.long_oi_usd WHEN 'short_oi_usd' THEN x.short_oi_usd WHEN 'min_oi_usd' THEN x.min_oi_usd WHEN 'max_oi_usd' THEN x.max_oi_usd WHEN 'oi_ratio' THEN x.oi_ratio WHEN 'long_volume_24h' THEN x.long_volume_24h WHEN 'short_volume_24h' THEN x.short_volume_24h WHEN 'min_volume_24h' THEN x.min_volume_24h WHEN 'long_spread_bps' THEN x.long_spread_bps WHEN 'short_spread_bps' THEN x.short_spread_bps WHEN 'price_spread_bps' THEN x.price_spread_bps WHEN 'long_mark_price' THEN x.long_mark_price WHEN 'short_mark_price' THEN x.short_mark_price WHEN 'long_fee' THEN x.long_fee WHEN 'short_fee' THEN x.short_fee WHEN 'realised_funding_return' THEN x.realised_funding_return WHEN 'realised_net_return' THEN x.realised_net_return WHEN 'realised_net_apr' THEN x.realised_net_apr END END DESC NULLS LAST,
         CASE WHEN NOT true::bool THEN CASE 'net_profit'::text WHEN 'long_interval_hours' THEN x.long_interval_hours WHEN 'short_interval_hours' THEN x.short_interval_hours WHEN 'long_rate' THEN x.long_rate WHEN 'short_rate' THEN x.short_rate WHEN 'long_rate_8h' THEN x.long_rate_8h WHEN 'short_rate_8h' THEN x.short_rate_8h WHEN 'divergence' THEN x.divergence WHEN 'estimated_fees' THEN x.estimated_fees WHEN 'net_profit' THEN x.net_profit WHEN 'annualized_apy' THEN x.annualized_apy WHEN 'break_even_hours' THEN x.break_even_hours WHEN 'long_oi_usd' THEN x.long_oi_usd WHEN 'short_oi_usd' THEN x.short_oi_usd WHEN 'min_oi_usd' THEN x.min_oi_usd WHEN 'max_oi_usd' THEN x.max_oi_usd WHEN 'oi_ratio' THEN x.oi_ratio WHEN 'long_volume_24h' THEN x.long_volume_24h WHEN 'short_volume_24h' THEN x.short_volume_24h WHEN 'min_volume_24h' THEN x.min_volume_24h WHEN 'long_spread_bps' THEN x.long_spread_bps WHEN 'short_spread_bps' THEN x.short_spread_bps WHEN 'price_spread_bps' THEN x.price_spread_bps WHEN 'long_mark_price' THEN x.long_mark_price WHEN 'short_mark_price' THEN x.short_mark_price WHEN 'long_fee' THEN x.long_fee WHEN 'short_fee' THEN x.short_fee WHEN 'realised_funding_return' THEN x.realised_funding_return WHEN 'realised_net_return' THEN x.realised_net_return WHEN 'realised_net_apr' THEN x.realised_net_apr END END ASC NULLS LAST,
         x.symbol, x.long_dex, x.short_dex, x.long_dex_symbol, x.short_dex_symbol

LIMIT 10::int8
) x
ORDER BY CASE WHEN true::bool THEN CASE 'net_profit'::text WHEN 'long_interval_hours' THEN x.long_interval_hours WHEN 'short_interval_hours' THEN x.short_interval_hours WHEN 'long_rate' THEN x.long_rate WHEN 'short_rate' THEN x.short_rate WHEN 'long_rate_8h' THEN x.long_rate_8h WHEN 'short_rate_8h' THEN x.short_rate_8h WHEN 'divergence' THEN x.divergence WHEN 'estimated_fees' THEN x.estimated_fees WHEN 'net_profit' THEN x.net_profit WHEN 'annualized_apy' THEN x.annualized_apy WHEN 'break_even_hours' THEN x.break_even_hours WHEN 'long_oi_usd' THEN x.long_oi_usd WHEN 'short_oi_usd' THEN x.short_oi_usd WHEN 'min_oi_usd' THEN x.min_oi_usd WHEN 'max_oi_usd' THEN x.max_oi_usd WHEN 'oi_ratio' THEN x.oi_ratio WHEN 'long_volume_24h' THEN x.long_volume_24h WHEN 'short_volume_24h' THEN x.short_volume_24h WHEN 'min_volume_24h' THEN x.min_volume_24h WHEN 'long_spread_bps' THEN x.long_spread_bps WHEN 'short_spread_bps' THEN x.short_spread_bps WHEN 'price_spread_bps' THEN x.price_spread_bps WHEN 'long_mark_price' THEN x.long_mark_price WHEN 'short_mark_price' THEN x.short_mark_price WHEN 'long_fee' THEN x.long_fee WHEN 'short_fee' THEN x.short_fee WHEN 'realised_funding_return' THEN x.realised_funding_return WHEN 'realised_net_return' THEN x.realised_net_return WHEN 'realised_net_apr' THEN x.realised_net_apr END END DESC NULLS LAST,
         CASE WHEN NOT true::bool THEN CASE 'net_profit'::text WHEN 'long_interval_hours' THEN x.long_interval_hours WHEN 'short_interval_hours' THEN x.short_interval_hours WHEN 'long_rate' THEN x.long_rate WHEN 'short_rate' THEN x.short_rate WHEN 'long_rate_8h' THEN x.long_rate_8h WHEN 'short_rate_8h' THEN x.short_rate_8h WHEN 'divergence' THEN x.divergence WHEN 'estimated_fees' THEN x.estimated_fees WHEN 'net_profit' THEN x.net_profit WHEN 'annualized_apy' THEN x.annualized_apy WHEN 'break_even_hours' THEN x.break_even_hours WHEN 'long_oi_usd' THEN x.long_oi_usd WHEN 'short_oi_usd' THEN x.short_oi_usd WHEN 'min_oi_usd' THEN x.min_oi_usd WHEN 'max_oi_usd' THEN x.max_oi_usd WHEN 'oi_ratio' THEN x.oi_ratio WHEN 'long_volume_24h' THEN x.long_volume_24h WHEN 'short_volume_24h' THEN x.short_volume_24h WHEN 'min_volume_24h' THEN x.min_volume_24h WHEN 'long_spread_bps' THEN x.long_spread_bps WHEN 'short_spread_bps' THEN x.short_spread_bps WHEN 'price_spread_bps' THEN x.price_spread_bps WHEN 'long_mark_price' THEN x.long_mark_price WHEN 'short_mark_price' THEN x.short_mark_price WHEN 'long_fee' THEN x.long_fee WHEN 'short_fee' THEN x.short_fee WHEN 'realised_funding_return' THEN x.realised_funding_return WHEN 'realised_net_return' THEN x.realised_net_return WHEN 'realised_net_apr' THEN x.realised_net_apr END END ASC NULLS LAST,
         x.symbol, x.long_dex, x.short_dex, x.long_dex_symbol, x.short_dex_symbol;
SQL

# The dashboard's reads run one SQL function each (schema/0099); with no query parameters the API sends no
# arguments, exactly as here.
echo 'SELECT public.dashboard_grid()::text;' > "$WORK/funding-rates-grid.sql"
echo 'SELECT public.dashboard_statistics()::text;' > "$WORK/statistics-summary.sql"
echo 'SELECT public.dashboard_opportunities()::text;' > "$WORK/arbitrage-opportunities.sql"
# name → route (the SQL is "$WORK/<name>.sql")
declare -A ROUTE_OF=([opportunities]=/api/v1/opportunities [funding-rates]=/api/v1/funding-rates
    [funding-rates-grid]=/api/v1/funding-rates-grid [statistics-summary]=/api/v1/statistics/summary
    [arbitrage-opportunities]=/api/v1/arbitrage/opportunities)
read -r -a NAMES <<< "${ROUTES:-opportunities funding-rates funding-rates-grid statistics-summary arbitrage-opportunities}"
for name in "${NAMES[@]}"; do [ -n "${ROUTE_OF[$name]:-}" ] || { echo "unknown route name: $name" >&2; exit 2; }; done

seed_synthetic() {  # 625 symbols x 8 dexes = 5,000 fresh markets through the write path
    psql -X -q -v ON_ERROR_STOP=1 "$FIXTURE_WRITER_URL" >/dev/null <<'SQL'
BEGIN;
SELECT ingest_begin();
INSERT INTO ingest_staging (dex, dex_symbol, symbol, quote, margin, multiplier, time, funding_rate,
    funding_interval_hours, predicted_rate, next_funding_time, mark_price, index_price, open_interest_base,
    open_interest_usd, volume_24h_usd, best_bid, best_ask, collection_latency_ms)
SELECT d, 'SYN' || s || 'USDT', 'SYN' || s, 'USDT', 'linear', 1, now(),
       (random() - 0.4) * 0.001, CASE WHEN d IN ('hyperliquid', 'lighter') THEN 1 ELSE 8 END, NULL,
       now() + interval '4 hours', p * (1 + (random() - 0.5) * 0.001), p, 1000, 1e6 + random() * 1e8,
       2e5 + random() * 1e9, p * 0.9999, p * 1.0001, 10
FROM unnest(ARRAY['binance','bybit','edgex','grvt','hyperliquid','lighter','okx','paradex']) d,
     generate_series(1, 625) s, LATERAL (SELECT 10 + s::float8) pp(p);
SELECT * FROM ingest_apply('[]'::jsonb);
COMMIT;
SQL
}

percentile() {  # $1 = file of latencies in ms (one per line), $2 = percentile
    sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.2f", a[i]}'
}

wrk_ms() {  # wrk --latency prints "50% 1.23ms" style lines; normalise to ms
    awk -v k="$1" '$1==k {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'
}

TICK=$(getconf CLK_TCK)
machine_busy() {  # seconds of busy CPU on the whole machine so far
    awk -v t="$TICK" '/^cpu / {printf "%.3f", ($2 + $3 + $4 + $7 + $8 + $9) / t}' /proc/stat
}

process_cpu() {  # $1 pid → seconds of CPU it has used
    awk -v t="$TICK" '{printf "%.3f", ($14 + $15) / t}' "/proc/$1/stat"
}

children_cpu() {  # bash `times` of a subshell: its children's user + system seconds
    awk 'NR == 2 {n = split($0, f, " "); s = 0; for (i = 1; i <= n; i++) {split(f[i], ms, /[ms]/); s += ms[1] * 60 + ms[2]}; printf "%.3f", s}'
}

wrk_run() {  # $1 route → "rps p50 p99 non2xx srv_ms pg_ms" (CPU milliseconds per request)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT$1" >/dev/null  # warm-up
    local busy0 srv0; busy0=$(machine_busy); srv0=$(process_cpu "$SERVER")
    (wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$1" > "$WORK/wrk.txt"; times) \
        | children_cpu > "$WORK/gen.txt"
    local busy1 srv1; busy1=$(machine_busy); srv1=$(process_cpu "$SERVER")
    local n; n=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
    local non2xx; non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")
    local cpu; cpu=$(awk -v n="$n" -v b="$(echo "$busy1 - $busy0" | bc -l)" -v s="$(echo "$srv1 - $srv0" | bc -l)" \
        -v g="$(cat "$WORK/gen.txt")" 'BEGIN {printf "%.2f %.2f", s * 1000 / n, (b - s - g) * 1000 / n}')
    echo "$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt") $(wrk_ms "50%" < "$WORK/wrk.txt") $(wrk_ms "99%" < "$WORK/wrk.txt") ${non2xx:-0} $cpu"
}

pgbench_run() {  # $1 sql file → "tps p50 p99 pg_ms" (machine CPU milliseconds per transaction, pgbench's own less)
    rm -f "$WORK"/pgbench_log.*
    local busy0; busy0=$(machine_busy)
    ((cd "$WORK" && pg_exec "$PGBENCH" -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -l -f "$1" \
        "$FIXTURE_READER_URL" > "$WORK/pgbench.txt" 2>&1); times) | children_cpu > "$WORK/gen.txt"
    local busy1; busy1=$(machine_busy)
    cat "$WORK"/pgbench_log.* | awk '{print $3/1000}' > "$WORK/lat.txt"
    local n; n=$(wc -l < "$WORK/lat.txt")
    echo "$(awk '/^tps = / {print $3; exit}' "$WORK/pgbench.txt") $(percentile "$WORK/lat.txt" 50) $(percentile "$WORK/lat.txt" 99)" \
        "$(awk -v n="$n" -v b="$(echo "$busy1 - $busy0" | bc -l)" -v g="$(cat "$WORK/gen.txt")" 'BEGIN {printf "%.2f", (b - g) * 1000 / n}')"
}

start_server() {  # $1 response cache TTL in ms (0 = off)
    DATABASE_URL=$FIXTURE_WRITER_URL DATABASE_READER_URL=$FIXTURE_READER_URL FUNDINGD_API_POOL_SIZE=${POOL:-$CONNECTIONS} \
        FUNDINGD_API_CACHE_TTL_MS=$1 "$FUNDINGD" serve --port "$PORT" --no-migrate > "$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.1; done
}

stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

row() {  # label route api-mode "rps p50 p99 non2xx srv_ms pg_ms" "tps p50 p99 pg_ms"
    local a=($4) p=($5)
    printf "%-13s %-24s %-9s %9.0f %8s %8s %7s %7s %9.0f %8s %8s %7s %6.2f %s\n" "$1" "$2" "$3" "${a[0]}" "${a[1]}" \
        "${a[2]}" "${a[4]}" "${a[5]}" "${p[0]}" "${p[1]}" "${p[2]}" "${p[3]}" "$(echo "${a[0]} / ${p[0]}" | bc -l)" \
        "$([ "${a[3]}" != 0 ] && echo "(non-2xx: ${a[3]})")"
}

notify_every_second() {  # what an ingest cycle does to the API's cache, 60 times as often as the default interval
    while true; do
        psql -X -q "$FIXTURE_WRITER_URL" -c "NOTIFY fundingd_cycle, '{\"event\": \"bench\"}'" >/dev/null 2>&1 || true
        sleep 1
    done
}

run_dataset() {  # $1 label. The API three times: with the response cache (default, 1 s TTL), with the cache and a
    # cycle notification every second (each drops the cache; the next request of each query waits for the SQL),
    # and with the cache off.
    declare -A cached cycled uncached
    start_server 1000
    local markets; markets=$(psql -X -tA "$FIXTURE_READER_URL" -c "SELECT count(*) FROM latest_funding_rates")
    local opps; opps=$(curl -fs "http://127.0.0.1:$PORT/api/v1/opportunities" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_count"])')
    echo "-- $1: $markets markets, $opps opportunities after the API defaults"
    for name in "${NAMES[@]}"; do cached[$name]=$(wrk_run "${ROUTE_OF[$name]}"); done
    notify_every_second & local notifier=$!
    for name in "${NAMES[@]}"; do cycled[$name]=$(wrk_run "${ROUTE_OF[$name]}"); done
    kill "$notifier"; wait "$notifier" 2>/dev/null || true
    stop_server
    start_server 0
    for name in "${NAMES[@]}"; do uncached[$name]=$(wrk_run "${ROUTE_OF[$name]}"); done
    stop_server
    for name in "${NAMES[@]}"; do
        local pg; pg=$(pgbench_run "$WORK/$name.sql")
        local route=${ROUTE_OF[$name]#/api/v1}
        row "$1" "$route" cache "${cached[$name]}" "$pg"
        row "$1" "$route" cache+1/s "${cycled[$name]}" "$pg"
        row "$1" "$route" no-cache "${uncached[$name]}" "$pg"
    done
}

echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s  vs  pgbench -M prepared -c$CONNECTIONS -j$THREADS -T$DURATION ($(nproc) cores)"
printf "%-13s %-24s %-9s %9s %8s %8s %7s %7s %9s %8s %8s %7s %6s\n" dataset route API "API rps" "p50 ms" "p99 ms" \
    "srv ms" "pg ms" "pg tps" "p50 ms" "p99 ms" "pg ms" ratio
fixture_db_create fundingd_bench_fixture
FIXTURE_PORT=$((PORT + 1)) fixture_db_ingest
run_dataset fixture
fixture_db_create fundingd_bench_5k
seed_synthetic
run_dataset 5k-synthetic
