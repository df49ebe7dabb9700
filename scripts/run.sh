#!/usr/bin/env bash
# The run command: installs PostgreSQL + TimescaleDB when missing, builds fundingd (release) and runs the whole
# service. Without DATABASE_URL it starts and migrates the private cluster under FUNDINGD_HOME (./.fundingd).
# Extra arguments go to `fundingd run` (e.g. --demo).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"

if [ -z "${DATABASE_URL:-}" ]; then bash timescale/install.sh; fi
swift build -c release --product fundingd
exec .build/release/fundingd run "$@"
