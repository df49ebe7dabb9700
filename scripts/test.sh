#!/usr/bin/env bash
# The test command: installs PostgreSQL + TimescaleDB when missing, starts the private cluster under
# FUNDINGD_HOME (default ./.fundingd) and runs the whole Swift test suite against it.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"

bash timescale/install.sh
swift build --build-tests
.build/debug/fundingd db start >/dev/null
# Throwaway databases of earlier runs (a run that was killed cannot drop its own).
# Password-less URL + the cluster's 0600 password file: no password in any process's arguments.
export PGPASSFILE="$FUNDINGD_HOME/pgpass"
admin=$(.build/debug/fundingd db url --role admin --without-password)
for db in $(psql -X -tA "$admin" -c "SELECT datname FROM pg_database WHERE datname LIKE 'test\_%'"); do
    psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
done
if [ $# -gt 0 ]; then exec swift test --skip-build "$@"; fi
# The outage drill stops and restarts a cluster of its own; it runs alone, after the rest (run concurrently with
# the other suites it has stalled after the stop: see the note on the ingest issue).
swift test --skip-build --skip DatabaseOutageTests
swift test --skip-build --filter DatabaseOutageTests
