#!/usr/bin/env bash
# Ingest fault drill on the real binary, printing figures (issue "ingest core", its "done when"):
#   1. two daemons (A, B) against one private cluster and the fixture server, collecting every 5 s;
#   2. the writer's backends terminated every 0.5 s for DRILL_KILL_SECONDS (default 60): cycles keep landing;
#   3. the cluster stopped for 8 s and started again: exactly one ingest lock afterwards, one daemon collecting;
#   4. SIGTERM to both: seconds until each exits.
# Uses its own cluster under a temporary FUNDINGD_HOME (stopping it disturbs nothing else) and ends by itself.
#   bash scripts/drill_ingest.sh            (FUNDINGD=path/to/fundingd to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/pg.sh
if [ -z "${FUNDINGD:-}" ]; then swift build >/dev/null; FUNDINGD=.build/debug/fundingd; fi
KILL_SECONDS=${DRILL_KILL_SECONDS:-60}
export FUNDINGD_HOME; FUNDINGD_HOME=$(mktemp -d /tmp/fundingd-drill-XXXXXX)
chmod 755 "$FUNDINGD_HOME"
export FUNDINGD_PG_PORT=$((56000 + RANDOM % 3000))
export FUNDINGD_SQL_DIR=$PWD
port=$((59100 + RANDOM % 500))
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    timeout 60 "$FUNDINGD" db stop >/dev/null 2>&1 || true
    rm -rf "$FUNDINGD_HOME"
}
trap cleanup EXIT

timeout 120 "$FUNDINGD" db start >/dev/null
admin=$("$FUNDINGD" db url --role admin)
writer=$("$FUNDINGD" db url --role writer)
DATABASE_URL=$("$FUNDINGD" db url --role owner) timeout 120 "$FUNDINGD" migrate >/dev/null 2>&1
q() { pg_exec timeout 10 psql -X -tA "$admin" -c "$1" 2>/dev/null || echo "?"; }

"$FUNDINGD" fixture-server --port "$port" >/dev/null 2>&1 & pids+=($!); disown $!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
env=(DATABASE_URL="$writer" FUNDINGD_INTERVAL_SECONDS=5 FUNDINGD_DEXES=binance,hyperliquid,okx,bybit
     FUNDINGD_REQUEST_TIMEOUT_SECONDS=3)
for dex in binance bybit hyperliquid okx; do env+=("FUNDINGD_${dex^^}_BASE_URL=http://127.0.0.1:$port/$dex"); done
env "${env[@]}" "$FUNDINGD" ingest --no-migrate >"$FUNDINGD_HOME/a.log" 2>&1 & a=$!; pids+=($a)
sleep 3
env "${env[@]}" "$FUNDINGD" ingest --no-migrate >"$FUNDINGD_HOME/b.log" 2>&1 & b=$!; pids+=($b)
sleep 8
runs() { q "SELECT count(*) FROM collection_runs"; }
echo "before: runs=$(runs) leaders: A=$(grep -c 'became ingest leader' "$FUNDINGD_HOME/a.log") B=$(grep -c 'became ingest leader' "$FUNDINGD_HOME/b.log")"

start_runs=$(runs); kills=0; end=$((SECONDS + KILL_SECONDS))
while [ $SECONDS -lt $end ]; do
    n=$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'fundingd-writer'")
    [ "$n" = "?" ] || kills=$((kills + n))
    sleep 0.5
done
sleep 6
after_kills=$(runs)
echo "writer backends terminated every 0.5 s for ${KILL_SECONDS} s: ${kills} terminations; runs written meanwhile and 6 s after: $((after_kills - start_runs)) (4 dexes every 5 s = $(( (KILL_SECONDS + 6) / 5 * 4 )) expected)"

timeout 60 "$FUNDINGD" db stop >/dev/null; sleep 8; timeout 120 "$FUNDINGD" db start >/dev/null
sleep 12
locks=$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1")
w0=$(q "SELECT now()"); sleep 20; w1=$(q "SELECT now()"); sleep 8
collected=$(q "SELECT count(*) FROM collection_runs WHERE started_at >= '$w0' AND started_at < '$w1'")
echo "after an 8 s restart: advisory locks held=${locks}; runs collected in the next 20 s=${collected} (one collector: 16, two: 32)"
echo "log lines: A became leader $(grep -c 'became ingest leader' "$FUNDINGD_HOME/a.log")x, lost $(grep -c 'lost the ingest lock' "$FUNDINGD_HOME/a.log")x; B became leader $(grep -c 'became ingest leader' "$FUNDINGD_HOME/b.log")x, lost $(grep -c 'lost the ingest lock' "$FUNDINGD_HOME/b.log")x"

for p in $a $b; do kill -TERM "$p"; done
t0=$(date +%s.%N)
for name in A B; do
    p=$a; [ $name = B ] && p=$b
    for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$p" 2>/dev/null; then echo "SIGTERM: daemon $name still running after 15 s"; else
        echo "SIGTERM: daemon $name exited after $(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }") s"; fi
done
