#!/bin/sh
# Benchmark of the write path against plain psql \copy into funding_rates (PGHOST/PGPORT set; superuser creates
# the scratch database). Usage: schema/checks/bench_ingest.sh [SUPERUSER] [RUNS]
#   * 5,000 known markets (seeded by one cycle first), N = 10k (2 cycles) and 100k (20 cycles of 60 s) rows;
#   * "copy":   \copy funding_rates(...) FROM file with market ids (no staging, no market/latest/runs work);
#   * "ingest": BEGIN; SELECT ingest_begin(); \copy ingest_staging FROM file; SELECT * FROM ingest_apply('[...]'); COMMIT
#               as fundingd_writer (COPY text format with the contract's columns);
#   * "json":   SELECT * FROM ingest_apply_json(rows jsonb, runs jsonb) (bench-only helper: jsonb_to_recordset into
#               the staging table, then ingest_apply) with the rows as one JSON array literal.
# Runs alternate between the variants, each into its own fresh 20-minute time window; figures are medians of the
# server-side statement times (psql \timing) summed per run, so psql start-up is not counted.
set -eu
su=${1:-postgres}; runs=${2:-5}; db=fundingd_bench
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); chmod 755 "$tmp"
psql -X -q -U "$su" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER fundingd"
psql -X -q -U "$su" -d "$db" -c "CREATE EXTENSION timescaledb"
"$here/apply_all.sh" "$db" fundingd >/dev/null 2>&1
O="psql -X -q -v ON_ERROR_STOP=1 -U fundingd -d $db"
W="psql -X -q -v ON_ERROR_STOP=1 -U fundingd_writer -d $db"

$O <<'SQL'
-- Bench-only alternative write path: rows as a JSON array instead of COPY.
CREATE FUNCTION ingest_apply_json(p_rows jsonb, p_runs jsonb)
RETURNS TABLE (rows_staged integer, rows_inserted integer, rows_duplicate integer, rows_too_old integer,
               markets_created integer, symbols_created integer, rows_rejected integer, runs_rejected integer,
               rejected jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM public.ingest_begin();
    INSERT INTO pg_temp.ingest_staging
    SELECT * FROM jsonb_to_recordset(p_rows) AS x(
        dex text, dex_symbol text, symbol text, quote text, margin text, multiplier float8, time timestamptz,
        funding_rate float8, funding_interval_hours float8, predicted_rate float8, next_funding_time timestamptz,
        mark_price float8, index_price float8, open_interest_base float8, open_interest_usd float8,
        volume_24h_usd float8, best_bid float8, best_ask float8, collection_latency_ms integer);
    RETURN QUERY SELECT * FROM public.ingest_apply(p_runs);
END $$;
GRANT EXECUTE ON FUNCTION ingest_apply_json(jsonb, jsonb) TO fundingd_writer;
-- A view of the synthetic rows: slot s (20-minute window), cycles c, 5,000 markets over 8 dexes.
CREATE VIEW bench_rows AS
SELECT s.slot, c AS cycle, d.name AS dex, 'SYM' || m || 'USDT' AS dex_symbol, 'SYM' || m AS symbol,
       date_trunc('hour', now()) - INTERVAL '22 hours' + s.slot * INTERVAL '20 minutes' + c * INTERVAL '60 seconds' AS time,
       m
FROM generate_series(0, 80) s(slot), generate_series(0, 19) c, generate_series(0, 4999) m
JOIN LATERAL (SELECT name FROM dexes ORDER BY id OFFSET m % 8 LIMIT 1) d ON true;
SQL

# Seed the 5,000 markets (steady state: all known, market_latest older than every benchmark window) with one
# cycle in slot 0; the runs use slots 1, 2, ... in increasing time order like a live daemon.
$O -c "\copy (SELECT dex, dex_symbol, symbol, 'USDT', 'linear', 1, time, 0.0001, 8, NULL, NULL, 100, 100, 1, 1e6, 1e7, 99.9, 100.1, 50 FROM bench_rows WHERE slot = 0 AND cycle = 0) TO '$tmp/seed.txt'"
$W -c "BEGIN" -c "SELECT ingest_begin()" -c "\copy ingest_staging FROM '$tmp/seed.txt'" -c "SELECT * FROM ingest_apply('[]')" -c "COMMIT" >/dev/null

RUNS='[{"dex":"binance","started_at":"2026-01-01T00:00:00Z","finished_at":"2026-01-01T00:00:01Z","status":"success","markets_ok":625,"markets_rejected":0,"error":null,"latency_ms":300}]'
vals="(random() - 0.5) * 0.001, 8, (random() - 0.5) * 0.001, time + INTERVAL '8 hours', 100 + random(), 100 + random(), random() * 1e6, random() * 1e8, random() * 1e9, 99.9, 100.1, 50"
gen() { # gen SLOT CYCLES -> staging, raw and json files for that slot
    $O -c "\copy (SELECT dex, dex_symbol, symbol, 'USDT', 'linear', 1, time, $vals FROM bench_rows WHERE slot = $1 AND cycle < $2) TO '$tmp/st_$1.txt'"
    $O -c "\copy (SELECT time, mk.id, $vals FROM bench_rows b JOIN dexes d ON d.name = b.dex JOIN markets mk ON mk.dex_id = d.id AND mk.dex_symbol = b.dex_symbol WHERE slot = $1 AND cycle < $2) TO '$tmp/raw_$1.txt'"
    $O -At -c "SELECT jsonb_agg(jsonb_build_object('dex', dex, 'dex_symbol', dex_symbol, 'symbol', symbol, 'quote', 'USDT', 'margin', 'linear', 'multiplier', 1, 'time', time, 'funding_rate', (random() - 0.5) * 0.001, 'funding_interval_hours', 8, 'predicted_rate', (random() - 0.5) * 0.001, 'next_funding_time', time + INTERVAL '8 hours', 'mark_price', 100 + random(), 'index_price', 100 + random(), 'open_interest_base', random() * 1e6, 'open_interest_usd', random() * 1e8, 'volume_24h_usd', random() * 1e9, 'best_bid', 99.9, 'best_ask', 100.1, 'collection_latency_ms', 50)) FROM bench_rows WHERE slot = $1 AND cycle < $2" >"$tmp/js_$1.json"
}
ms() { grep -o 'Time: [0-9.]* ms' | awk '{s += $2} END {printf "%.1f", s}'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

slot=1
for cycles in 2 20; do
    n=$((cycles * 5000)); tc=""; ti=""; tj=""
    # copy and ingest alternate (same table growth for both); the json variant runs afterwards, since parsing a
    # 25 MB JSON literal disturbs the machine more than the other two.
    for r in $(seq 1 "$runs"); do
        gen $slot $cycles; gen $((slot + 1)) $cycles
        # the order alternates too: whichever runs second pays for flushing the first one's dirty buffers
        if [ $((r % 2)) = 1 ]; then
        t=$($O -c '\timing on' -c "\copy funding_rates (time, market_id, funding_rate, funding_interval_hours, predicted_rate, next_funding_time, mark_price, index_price, open_interest_base, open_interest_usd, volume_24h_usd, best_bid, best_ask, collection_latency_ms) FROM '$tmp/raw_$slot.txt'" | ms)
        tc="$tc $t"
        out=$($W -c '\timing on' -c "BEGIN" -c "SELECT ingest_begin()" -c "\copy ingest_staging FROM '$tmp/st_$((slot + 1)).txt'" -c "SELECT * FROM ingest_apply('$RUNS')" -c "COMMIT"); [ -n "${BENCH_VERBOSE:-}" ] && echo "$out" | grep Time | tr "\n" " " >&2; t=$(echo "$out" | ms)
        ti="$ti $t"
        else
        out=$($W -c '\timing on' -c "BEGIN" -c "SELECT ingest_begin()" -c "\copy ingest_staging FROM '$tmp/st_$((slot + 1)).txt'" -c "SELECT * FROM ingest_apply('$RUNS')" -c "COMMIT"); [ -n "${BENCH_VERBOSE:-}" ] && echo "$out" | grep Time | tr "\n" " " >&2; t=$(echo "$out" | ms)
        ti="$ti $t"
        t=$($O -c '\timing on' -c "\copy funding_rates (time, market_id, funding_rate, funding_interval_hours, predicted_rate, next_funding_time, mark_price, index_price, open_interest_base, open_interest_usd, volume_24h_usd, best_bid, best_ask, collection_latency_ms) FROM '$tmp/raw_$slot.txt'" | ms)
        tc="$tc $t"
        fi
        slot=$((slot + 2))
    done
    for r in $(seq 1 "$runs"); do
        gen $slot $cycles
        t=$( (printf '%s\n' '\timing on'; printf '\\set rows `cat %s`\n' "$tmp/js_$slot.json"; echo "SELECT * FROM ingest_apply_json(:'rows', '$RUNS');") | $W | ms)
        tj="$tj $t"
        slot=$((slot + 1))
    done
    mc=$(echo $tc | median); mi=$(echo $ti | median); mj=$(echo $tj | median)
    echo "N=$n rows: copy ${mc} ms ($(echo "$n $mc" | awk '{printf "%.0f", $1 / $2 * 1000}') rows/s) | ingest ${mi} ms ($(echo "$n $mi" | awk '{printf "%.0f", $1 / $2 * 1000}') rows/s, $(echo "$mc $mi" | awk '{printf "%.2f", $1 / $2}') x copy) | json ${mj} ms ($(echo "$n $mj" | awk '{printf "%.0f", $1 / $2 * 1000}') rows/s)"
    echo "   copy runs:$tc | ingest runs:$ti | json runs:$tj"
done
$O -At -c "SELECT 'check: ' || count(*) || ' raw rows, ' || (SELECT count(*) FROM markets) || ' markets' FROM funding_rates"
rm -rf "$tmp"
[ -n "${KEEP_DB:-}" ] || psql -X -q -U "$su" -d postgres -c "DROP DATABASE $db"
