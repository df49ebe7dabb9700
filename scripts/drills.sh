#!/usr/bin/env bash
# The ingest fault drills, repeated: the drill suite (IngestFaultDrillTests: database stopped within and beyond the
# buffer, writer backends terminated mid-write, a restart with a second daemon waiting, a hanging venue, SIGKILL
# mid-cycle) DRILL_RUNS times in a row (default 10), each run alone so no other suite competes for the two cores,
# then the drill on the real binary (scripts/drill_ingest.sh: a minute of writer terminations, a restart with two
# daemons, a venue hanging for a minute, SIGTERM timings). Stops at the first failure. Run after scripts/test.sh
# (it reuses that build and the private cluster the suite's own databases live in).
#   bash scripts/drills.sh          DRILL_RUNS=3 bash scripts/drills.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
runs="${DRILL_RUNS:-10}"
swift build --build-tests >/dev/null 2>&1
.build/debug/fundingd db start >/dev/null
for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    log=$(mktemp /tmp/fundingd-drills-XXXXXX.log)
    status=0
    # Each run under its own outer timeout (the suite's tests have 3-minute limits each; six of them).
    timeout -k 30 1200 swift test --skip-build --filter IngestFaultDrillTests >"$log" 2>&1 || status=$?
    summary=$(grep -E "Test run with" "$log" | tail -n 1)
    if [ "$status" -ne 0 ]; then
        echo "drills: run $i of $runs FAILED (exit $status) after $(( $(date +%s) - start )) s: ${summary}"
        grep -E "✘|recorded an issue|drill step still running" "$log" | head -n 40 || true
        echo "--- last 60 lines of the run"
        tail -n 60 "$log"
        exit 1
    fi
    echo "drills: run $i of $runs passed in $(( $(date +%s) - start )) s: ${summary}"
    rm -f "$log"
done
echo "drills: $runs runs in a row passed"
FUNDINGD=.build/debug/fundingd bash scripts/drill_ingest.sh
