#!/usr/bin/env bash
# Live-price benchmark (prints figures; asserts nothing), release build:
#   * stream parsing: each streaming venue's recorded data frames (Tests/Fixtures/<venue>/stream-*.jsonl) parsed in
#     a loop on one thread by its LiveStreamSource: frames per CPU second (aim: >= 100,000 per core);
#   * one flush: N changed markets (default 5,000) through the daemon's PriceWriter (prices_apply: price_latest,
#     price_samples, price_samples_1m, NOTIFY) on a scratch database, median of RUNS (aim: < 50 ms); the ceiling is
#     psql \copy of the same N rows into a table shaped like price_samples, in the same run.
#   * push latency: a daemon (`fundingd run`, its streams pointed at an in-process replay venue speaking Binance's
#     bookTicker protocol) receives MARKETS markets x RATE updates a second; a client of /api/v1/ws/prices times
#     each pushed row against the moment its frame was written: p50/p99 (aim: p99 < 1.5 s at the default 1 s
#     flush), at FUNDINGD_PRICE_FLUSH_MS 1000 and 250, with the daemon's CPU per frame.
# Settings: PARTS (default "parse flush latency"), MARKETS (5000), RUNS (15), RATE (10 updates/s per market),
# FLUSH_MS_LIST ("1000 250"), WARMUP (20 s) and SECONDS_MEASURED (30 s). docs/live-prices.md has the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/pg.sh
export PGOPTIONS="-c client_min_messages=warning"   # no NOTICE for a scratch database not there
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
runs=${RUNS:-15}
markets=${MARKETS:-5000}
swift build -c release --product fundingd >/dev/null
bin=.build/release/fundingd

parts=" ${PARTS:-parse flush latency} "   # a subset, e.g. PARTS=latency

if [[ $parts == *" parse "* ]]; then
echo "== stream parsing (frames per CPU second, one core)"
$bin bench stream-parse --frames "${FRAMES:-200000}"
fi

$bin db start >/dev/null
admin=$($bin db url --role admin)
owner=$($bin db url --role owner)
writer=$($bin db url --role writer)
db=fundingd_bench_prices
latency_db=fundingd_bench_latency
daemon=""
tmp=$(mktemp -d)
cleanup() {
    [[ -n $daemon ]] && kill -KILL "$daemon" 2>/dev/null
    rm -rf "$tmp"
    psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS $latency_db WITH (FORCE)"
}
trap cleanup EXIT

if [[ $parts == *" flush "* ]]; then
echo "== one flush of $markets changed markets"
psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER fundingd"
psql -X -q "${admin%/*}/$db" -c "CREATE EXTENSION timescaledb"
DATABASE_URL="${owner%/*}/$db" $bin migrate >"$PWD/.build/bench-migrate.log" 2>&1 || { cat .build/bench-migrate.log; exit 1; }
out=$(DATABASE_URL="${writer%/*}/$db" $bin bench price-flush --markets "$markets" --runs "$runs" --dump-copy "$tmp/rows.txt")
echo "$out"
flush=$(echo "$out" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
copies=""
for i in $(seq 1 "$runs"); do
    ms=$(psql -X -q "${owner%/*}/$db" -c "CREATE TABLE IF NOT EXISTS bench_copy$i (LIKE price_samples INCLUDING ALL)" \
        -c '\timing on' -c "\copy bench_copy$i (time, market_id, bid, ask, last, mark) FROM '$tmp/rows.txt'" \
        | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
    copies="$copies $ms"
done
copy=$(echo "$copies" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
printf 'flush_ms=%s psql_copy_ms=%s copy/flush=%s (the share of the flush a bare COPY of its samples would take)\n' \
    "$flush" "$copy" "$(awk -v f="$flush" -v c="$copy" 'BEGIN {printf "%.2f", c / f}')"
fi

[[ $parts == *" latency "* ]] || exit 0
echo "== push latency: $markets markets x ${RATE:-10} updates/s through a running daemon"
rate=${RATE:-10}
for flush_ms in ${FLUSH_MS_LIST:-1000 250}; do
    psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $latency_db WITH (FORCE)" -c "CREATE DATABASE $latency_db OWNER fundingd"
    psql -X -q "${admin%/*}/$latency_db" -c "CREATE EXTENSION timescaledb"
    DATABASE_URL="${owner%/*}/$latency_db" $bin migrate >.build/bench-migrate.log 2>&1 || { cat .build/bench-migrate.log; exit 1; }
    DATABASE_URL="${writer%/*}/$latency_db" $bin bench stream-latency --seed "$markets"
    # The daemon: binance only, its REST pointed at a closed port (collection fails quietly, hourly), its
    # stream at the replay venue the bench command runs.
    DATABASE_URL="${owner%/*}/$latency_db" FUNDINGD_DEXES=binance FUNDINGD_BINANCE_BASE_URL=http://127.0.0.1:9 \
        FUNDINGD_INTERVAL_SECONDS=3600 FUNDINGD_STREAMS=binance FUNDINGD_BINANCE_STREAM_URL=ws://127.0.0.1:18765 \
        FUNDINGD_HTTP_PORT=18080 FUNDINGD_PRICE_FLUSH_MS=$flush_ms LOG_LEVEL=warning \
        $bin run >"$tmp/daemon-$flush_ms.log" 2>&1 &
    daemon=$!
    echo "-- FUNDINGD_PRICE_FLUSH_MS=$flush_ms"
    timeout 240 $bin bench stream-latency --rate "$rate" --warmup "${WARMUP:-20}" --seconds "${SECONDS_MEASURED:-30}" \
        --daemon-pid "$daemon" || { echo "stream-latency failed; daemon log:"; tail -20 "$tmp/daemon-$flush_ms.log"; }
    kill -TERM "$daemon" 2>/dev/null || true
    # SIGTERM ends the daemon within its shutdown deadlines; a daemon still there after 60 s is killed and said.
    for _ in $(seq 1 60); do kill -0 "$daemon" 2>/dev/null || break; sleep 1; done
    if kill -0 "$daemon" 2>/dev/null; then echo "daemon ignored SIGTERM for 60 s: killed"; kill -KILL "$daemon"; fi
    wait "$daemon" 2>/dev/null || true
    daemon=""
    psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $latency_db WITH (FORCE)"
done
