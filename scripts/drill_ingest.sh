#!/usr/bin/env bash
# Ingest fault drill on the real binary, printing figures (issue "ingest core", its "done when"):
#   1. two daemons (A, B) against one private cluster and the fixture server, collecting every 5 s;
#   2. the writer's backends terminated every 0.5 s for DRILL_KILL_SECONDS (default 60): cycles keep landing;
#   3. the cluster stopped for 8 s and started again: exactly one ingest lock afterwards, one daemon collecting;
#   4. SIGTERM to both: seconds until each exits;
#   5. OKX hanging for DRILL_HANG_SECONDS (default 60): the other venues' cycles, then SIGTERM with OKX in flight.
# Each phase is checked (writes kept landing, one leader, SIGTERM under 5 s, no venue delayed); exits 1 if one fails.
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
failures=()
check() { if ! awk "BEGIN { exit !($2) }"; then failures+=("$1"); echo "  FAILED: $1"; fi; }
echo "before: runs=$(runs) leaders: A=$(grep -c 'became ingest leader' "$FUNDINGD_HOME/a.log") B=$(grep -c 'became ingest leader' "$FUNDINGD_HOME/b.log")"

start_runs=$(runs); kills=0; end=$((SECONDS + KILL_SECONDS))
while [ $SECONDS -lt $end ]; do
    n=$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'fundingd-writer'")
    [ "$n" = "?" ] || kills=$((kills + n))
    sleep 0.5
done
sleep 6
after_kills=$(runs)
written=$((after_kills - start_runs)); expected=$(( (KILL_SECONDS + 6) / 5 * 4 ))
echo "writer backends terminated every 0.5 s for ${KILL_SECONDS} s: ${kills} terminations; runs written meanwhile and 6 s after: ${written} (4 dexes every 5 s = ${expected} expected)"
check "writes kept landing while the writer was terminated (${written} of ${expected}, at least 80%)" "$kills > 0 && $written >= 0.8 * $expected"

timeout 60 "$FUNDINGD" db stop >/dev/null; sleep 8; timeout 120 "$FUNDINGD" db start >/dev/null
sleep 12
locks=$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1")
w0=$(q "SELECT now()"); sleep 20; w1=$(q "SELECT now()"); sleep 8
collected=$(q "SELECT count(*) FROM collection_runs WHERE started_at >= '$w0' AND started_at < '$w1'")
echo "after an 8 s restart: advisory locks held=${locks}; runs collected in the next 20 s=${collected} (one collector: 16, two: 32)"
echo "log lines: A became leader $(grep -c 'became ingest leader' "$FUNDINGD_HOME/a.log")x, lost $(grep -c 'lost the ingest lock' "$FUNDINGD_HOME/a.log")x; B became leader $(grep -c 'became ingest leader' "$FUNDINGD_HOME/b.log")x, lost $(grep -c 'lost the ingest lock' "$FUNDINGD_HOME/b.log")x"
check "one leader after the restart (locks=${locks})" "\"$locks\" == \"1\""
check "one daemon collecting after the restart (${collected} runs in 20 s; 16 for one, 32 for two)" \
    "\"$collected\" != \"?\" && $collected >= 8 && $collected <= 20"

# SIGTERM: seconds until $1 (a pid) exits, or 99 after 15 s.
exit_seconds() {
    local t0; t0=$(date +%s.%N)
    kill -TERM "$1"
    for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$1" 2>/dev/null; then echo 99; else awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $t0 }"; fi
}
for name in A B; do
    p=$a; [ $name = B ] && p=$b
    s=$(exit_seconds "$p")
    echo "SIGTERM: daemon $name exited after ${s} s"
    check "daemon $name exits within 5 s of SIGTERM (${s} s)" "$s < 5"
done

# One venue hanging for HANG_SECONDS: a second fixture server holds every OKX request; daemon C (alone now, so the
# leader) collects OKX from it and the other three from the healthy one.
HANG_SECONDS=${DRILL_HANG_SECONDS:-60}
hport=$((port + 500))
"$FUNDINGD" fixture-server --port "$hport" --hang "okx=$((HANG_SECONDS + 30))" >/dev/null 2>&1 & pids+=($!); disown $!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$hport/" && break; sleep 0.1; done
env "${env[@]}" FUNDINGD_OKX_BASE_URL="http://127.0.0.1:$hport/okx" "$FUNDINGD" ingest --no-migrate \
    >"$FUNDINGD_HOME/c.log" 2>&1 & c=$!; pids+=($c)
sleep 4
h0=$(q "SELECT now()"); sleep "$HANG_SECONDS"; h1=$(q "SELECT now()")
nominal=$((HANG_SECONDS / 5))
line="OKX hanging for ${HANG_SECONDS} s: runs started by the others in that time (every 5 s = ${nominal}):"
for dex in binance bybit hyperliquid; do
    n=$(q "SELECT count(*) FROM collection_runs WHERE dex = '$dex' AND started_at >= '$h0' AND started_at < '$h1'")
    line+=" $dex=$n"
    check "$dex kept its cycles while OKX hung ($n of $nominal, at least 80%)" "\"$n\" != \"?\" && $n >= 0.8 * $nominal"
done
echo "$line; okx=$(q "SELECT count(*) FROM collection_runs WHERE dex = 'okx' AND started_at >= '$h0' AND started_at < '$h1'")"
s=$(exit_seconds "$c")
echo "SIGTERM with OKX requests in flight: daemon C exited after ${s} s"
check "daemon C exits within 5 s of SIGTERM while OKX hangs (${s} s)" "$s < 5"

if [ ${#failures[@]} -gt 0 ]; then
    echo "ingest drill: FAILED (${#failures[@]}): see the lines marked FAILED above; daemon logs were in $FUNDINGD_HOME"
    for log in a b c; do echo "--- last lines of $log.log"; tail -n 15 "$FUNDINGD_HOME/$log.log" 2>/dev/null || true; done
    exit 1
fi
echo "ingest drill: passed"
