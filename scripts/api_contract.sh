#!/usr/bin/env bash
# API contract check: `fundingd serve` on fixture-loaded data, then schemathesis (from PyPI) against
# docs/openapi.json with every check it has (negative data included: a request the document forbids must be
# rejected, one it allows accepted; exceptions in scripts/api_contract.toml). Fails on any 5xx or any response that
# does not match the document.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
FUNDINGD=${FUNDINGD:-.build/debug/fundingd}
PORT=${API_CONTRACT_PORT:-18099}
DB=fundingd_contract
TOKEN=contract-admin-token-$RANDOM$RANDOM
source scripts/fixture_db.sh

VENV=.build/venv-schemathesis
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis>=4,<5"
fi

"$FUNDINGD" db start >/dev/null
fixture_db_create "$DB"
FIXTURE_PORT=$((PORT + 1)) fixture_db_ingest
DATABASE_URL=$FIXTURE_WRITER_URL DATABASE_READER_URL=$FIXTURE_READER_URL DATABASE_OPERATOR_URL=$FIXTURE_OPERATOR_URL \
    FUNDINGD_ADMIN_TOKEN=$TOKEN \
    "$FUNDINGD" serve --port "$PORT" --no-migrate > .build/api-contract-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; fixture_db_drop $DB' EXIT
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break; sleep 0.2; done

"$VENV/bin/schemathesis" --config-file scripts/api_contract.toml run "http://127.0.0.1:$PORT/openapi.json" \
    --url "http://127.0.0.1:$PORT" \
    --checks "${API_CONTRACT_CHECKS:-all}" \
    --header "Authorization: Bearer $TOKEN" \
    --max-examples "${API_CONTRACT_EXAMPLES:-40}" \
    --seed 1 --no-color
echo "api contract: passed"
