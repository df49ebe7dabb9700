# Shared by the bench scripts (sourced): server-side timings and pgbench throughput of one query.
# Needs: root (repository), dburl (database URL), runs (timed runs), seconds (pgbench duration), pgbench (the binary).
source "$root/scripts/lib/pg.sh"  # psql and pgbench without the password in their arguments

timing() {   # $1 = query; prints planning + execution ms of runs 2..runs+1, one per line
    for _ in $(seq $((runs + 1))); do
        echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) $1;"
    done | psql -X -At "$dburl" | python3 -c '
import json, sys
text, dec, i, out = sys.stdin.read(), json.JSONDecoder(), 0, []
while True:
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    doc, i = dec.raw_decode(text, i)
    out.append(doc[0]["Planning Time"] + doc[0]["Execution Time"])
for t in out[1:]: print("%.3f" % t)'
}

pgb() {   # $1 = query; prints "tps latency_ms" of pgbench on 2 clients, 2 threads, simple protocol
    local script; script=$(mktemp); echo "$1;" > "$script"
    pg_exec "$pgbench" -n -c 2 -j 2 -T "$seconds" -f "$script" "$dburl" 2>&1 \
        | awk -F'= ' '/^tps/ {split($2, a, " "); tps = a[1]} /latency average/ {split($2, b, " "); lat = b[1]} END {print tps, lat}'
    rm -f "$script"
}

migrate_fresh() {   # creates extension timescaledb in $dburl and applies every migration with `fundingd migrate` as the owner
    # The daemon's own migrator: it records schema_migrations (0086 reads it) and merges timescale/<licence>/.
    psql -X -q "$dburl" -c "CREATE EXTENSION IF NOT EXISTS timescaledb"
    local bin=${FUNDINGD_BIN:-$root/.build/debug/fundingd} owner
    owner=$("$bin" db url --role owner)
    DATABASE_URL="${owner%/*}/${dburl##*/}" "$bin" migrate >/dev/null \
        || { echo "migrations failed" >&2; exit 1; }
}
