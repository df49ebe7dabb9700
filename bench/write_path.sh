#!/usr/bin/env bash
# Write-path benchmark (prints figures; asserts nothing). In one scratch database on the private cluster, for
# 10k and 100k synthetic snapshots over 5,000 known markets:
#   * write_path: the daemon's own code (CycleWriter: ingest_stage with one array per column + ingest_apply, one
#     transaction), timed by `fundingd bench write-path` around the write call (release build);
#   * psql \copy: the same rows (same values, next time slot, market ids resolved) straight into funding_rates,
#     timed by psql's \timing: the ceiling.
# Prints rows/s for both and their ratio; RUNS (default 3) repetitions, medians reported. Then the cost of the
# plausibility checks: 100k-row writes with every bound and with plausibility_bounds emptied, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/pg.sh
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
runs=${RUNS:-3}
swift build -c release --product fundingd >/dev/null
bin=.build/release/fundingd
$bin db start >/dev/null
admin=$($bin db url --role admin)
owner=$($bin db url --role owner)
writer=$($bin db url --role writer)
db=fundingd_bench_write
psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER fundingd"
psql -X -q "${admin%/*}/$db" -c "CREATE EXTENSION timescaledb"
DATABASE_URL="${owner%/*}/$db" $bin migrate >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

slot=1
printf '%-8s %14s %14s %8s\n' rows write_path_r/s psql_copy_r/s ratio
for rows in 10000 100000; do
    wp=""; cp=""
    for _ in $(seq 1 "$runs"); do
        out=$(DATABASE_URL="${writer%/*}/$db" $bin bench write-path --rows "$rows" --slot "$slot" --dump-copy "$tmp/rows.txt")
        wp="$wp $(echo "$out" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')"
        ms=$(psql -X -q "${owner%/*}/$db" -c '\timing on' -c "\copy funding_rates (time, market_id, funding_rate, funding_interval_hours, predicted_rate, next_funding_time, mark_price, index_price, open_interest_base, open_interest_usd, volume_24h_usd, best_bid, best_ask, collection_latency_ms) FROM '$tmp/rows.txt'" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
        cp="$cp $(awk -v n="$rows" -v ms="$ms" 'BEGIN {printf "%.0f", n / (ms / 1000)}')"
        slot=$((slot + 2))
    done
    w=$(echo "$wp" | median); c=$(echo "$cp" | median)
    printf '%-8s %14s %14s %8s\n' "$rows" "$w" "$c" "$(awk -v w="$w" -v c="$c" 'BEGIN {printf "%.2f", w / c}')"
done

# What the plausibility checks cost (issue 17): the same 100k-row write with plausibility_bounds emptied (ingest_apply
# then checks only finiteness, intervals, dexes and times), in the same run, beside the figure with every bound.
# Sets `rate` to the median rows/s of RUNS writes of $1 rows, each in the next free time slot.
write_path_median() {
    local rates=""
    for _ in $(seq 1 "$runs"); do
        out=$(DATABASE_URL="${writer%/*}/$db" $bin bench write-path --rows "$1" --slot "$slot")
        rates="$rates $(echo "$out" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')"
        slot=$((slot + 2))
    done
    rate=$(echo "$rates" | median)
}
write_path_median 100000; w=$rate
psql -X -q "${owner%/*}/$db" -c "CREATE TABLE bounds_saved AS SELECT * FROM plausibility_bounds" -c "DELETE FROM plausibility_bounds"
write_path_median 100000; wo=$rate
psql -X -q "${owner%/*}/$db" -c "INSERT INTO plausibility_bounds SELECT * FROM bounds_saved" -c "DROP TABLE bounds_saved"
printf '%-34s %14s\n%-34s %14s\n%-34s %14s\n' "100000 rows, every bound (r/s)" "$w" "100000 rows, no bounds (r/s)" "$wo" \
    "bound checks' share of the write" "$(awk -v w="$w" -v o="$wo" 'BEGIN {printf "%.1f %%", (1 - w / o) * 100}')"
