# Sourced by scripts/api_contract.sh and scripts/bench_api.sh: a throwaway database on the private cluster,
# migrated and filled with one ingest cycle from the recorded venue payloads.
#   fixture_db_create NAME   -> exports FIXTURE_OWNER_URL, FIXTURE_WRITER_URL, FIXTURE_READER_URL, FIXTURE_OPERATOR_URL,
#                               FIXTURE_ADMIN_URL
#   fixture_db_ingest        -> one `fundingd ingest --once` against `fundingd fixture-server`
#   fixture_db_drop NAME
# Needs FUNDINGD (the binary) and a running cluster (`fundingd db start`).
source "$(dirname "${BASH_SOURCE[0]}")/lib/pg.sh"

_with_db() { local url=$1 db=$2; echo "${url%/*}/$db"; }

fixture_db_create() {
    local name=$1
    local admin owner
    admin=$("$FUNDINGD" db url --role admin)
    owner=$("$FUNDINGD" db url --role owner)
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
        -c "CREATE DATABASE $name OWNER fundingd" >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 "$(_with_db "$admin" "$name")" -c "CREATE EXTENSION IF NOT EXISTS timescaledb" >/dev/null
    export FIXTURE_ADMIN_URL; FIXTURE_ADMIN_URL=$(_with_db "$admin" "$name")
    export FIXTURE_OWNER_URL; FIXTURE_OWNER_URL=$(_with_db "$owner" "$name")
    export FIXTURE_WRITER_URL; FIXTURE_WRITER_URL=$(_with_db "$("$FUNDINGD" db url --role writer)" "$name")
    export FIXTURE_READER_URL; FIXTURE_READER_URL=$(_with_db "$("$FUNDINGD" db url --role reader)" "$name")
    export FIXTURE_OPERATOR_URL; FIXTURE_OPERATOR_URL=$(_with_db "$("$FUNDINGD" db url --role operator)" "$name")
    local log; log=$(mktemp)
    DATABASE_URL=$FIXTURE_OWNER_URL "$FUNDINGD" migrate >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
    rm -f "$log"
}

fixture_db_ingest() {
    local port=${FIXTURE_PORT:-9099}
    "$FUNDINGD" fixture-server --port "$port" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    # Every venue with recordings (the top-level "dex" of each routes.json), all pointed at the fixture server.
    local env=() dexes
    dexes=$(python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(f))["dex"] for f in sys.argv[1:])))' \
        "$(dirname "${BASH_SOURCE[0]}")"/../Tests/Fixtures/*/routes.json)
    for dex in $dexes; do
        env+=("FUNDINGD_${dex^^}_BASE_URL=http://127.0.0.1:$port/$dex")
    done
    env "${env[@]}" FUNDINGD_DEXES="${dexes// /,}" DATABASE_URL="$FIXTURE_WRITER_URL" FUNDINGD_REQUEST_TIMEOUT_SECONDS=2 \
        "$FUNDINGD" ingest --once --no-migrate >/dev/null 2>&1 || { kill "$pid"; return 1; }
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

fixture_db_drop() {
    local admin; admin=$("$FUNDINGD" db url --role admin)
    psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true
}
