#!/usr/bin/env bash
# The test command: installs PostgreSQL + TimescaleDB when missing, starts the private cluster under
# FUNDINGD_HOME (default ./.fundingd) and runs the whole Swift test suite against it.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"

bash timescale/install.sh
swift build --build-tests
.build/debug/fundingd db start >/dev/null
swift test --skip-build "$@"
