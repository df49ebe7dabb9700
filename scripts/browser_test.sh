#!/usr/bin/env bash
# The dashboard in a real browser: `fundingd run --demo` (recorded venue payloads replayed through the real
# adapters) on a throwaway database of the private cluster, then headless Debian Chromium drives every page
# (scripts/browser_test.py). Installs Chromium with apt when it is missing (needs root or sudo).
#   bash scripts/browser_test.sh                 # the checks (run by .ci/run)
#   bash scripts/browser_test.sh --screenshots   # the checks, then regenerate docs/screenshots/*.png
# Everything runs under a timeout: the server start, each wait, the browser run (BROWSER_TEST_TIMEOUT, 600 s).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
FUNDINGD=${FUNDINGD:-.build/debug/fundingd}
PORT=${BROWSER_TEST_PORT:-18199}
DB=fundingd_browser
LOG=.build/browser-test-server.log
args=()
[ "${1:-}" = "--screenshots" ] && args=(--screenshots docs/screenshots)
# BROWSER_TESTS=test_grid,test_stream_down runs only those checks (a quick rerun while debugging one page).
[ -n "${BROWSER_TESTS:-}" ] && args+=(--only "$BROWSER_TESTS")

if ! command -v chromium >/dev/null; then
    echo "installing Debian's chromium"
    if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 "${sudo[@]}" apt-get update -qq
    timeout 900 "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
[ -x "$FUNDINGD" ] || timeout 3600 swift build --product fundingd
source scripts/fixture_db.sh

timeout 60 "$FUNDINGD" db start >/dev/null
fixture_db_create "$DB"
# Cycles 15 s apart: the "a pushed cycle updates a cell" check sees one soon, and between cycles there is time to
# compare the page with the API while neither moves.
DATABASE_URL=$FIXTURE_WRITER_URL DATABASE_READER_URL=$FIXTURE_READER_URL DATABASE_OPERATOR_URL=$FIXTURE_OPERATOR_URL \
    FUNDINGD_INTERVAL_SECONDS=${BROWSER_TEST_INTERVAL_SECONDS:-15} FUNDINGD_API_CACHE_TTL_MS=0 \
    timeout -k 10 "${BROWSER_TEST_TIMEOUT:-600}" "$FUNDINGD" run --demo --port "$PORT" --no-migrate > "$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; fixture_db_drop $DB' EXIT

# Ready when the first cycle of every venue is in (BTC listed by several of them), within 90 s.
ready=
for _ in $(seq 1 180); do
    if curl -fs --max-time 2 "http://127.0.0.1:$PORT/api/v1/funding-rates?symbol=BTC" 2>/dev/null | grep -q '"binance"'; then
        ready=1; break
    fi
    kill -0 $SERVER 2>/dev/null || break
    sleep 0.5
done
if [ -z "$ready" ]; then
    echo "browser test: the demo server did not serve data within 90 s; its log:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
fi
sleep 3  # the venues' first cycles land a moment apart
timeout -k 10 "${BROWSER_TEST_TIMEOUT:-600}" python3 scripts/browser_test.py "http://127.0.0.1:$PORT" "${args[@]}"
