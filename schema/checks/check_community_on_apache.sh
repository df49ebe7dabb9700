#!/bin/sh
# Runs every statement of timescale/timescale/*.sql on an Apache-licence TimescaleDB build and shows that each
# one either succeeds or fails only with the licence error ("... not supported under the current "apache"
# license"), i.e. the Community files contain no other mistake that the Apache build can detect.
#
# Usage (needs a superuser to create the scratch database; PGHOST/PGPORT as usual):
#   PGHOST=127.0.0.1 PGPORT=54401 schema/checks/check_community_on_apache.sh [SUPERUSER] [OWNER]
# It creates database fundingd_cagg_check, applies schema/ migrations older than the first Community file as
# OWNER, creates plain (non-continuous) materialized views funding_rates_1h / funding_rates_1d from the same
# rollup_select() text as stand-ins (so statements that reference them parse), then runs each Community file
# statement by statement (psql ON_ERROR_ROLLBACK) in one transaction that is rolled back.
set -u
su=${1:-postgres}; owner=${2:-fundingd}; db=fundingd_cagg_check
root=$(cd "$(dirname "$0")/../.." && pwd)
psql -X -q -U "$su" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER $owner" || exit 1
psql -X -q -U "$su" -d "$db" -c "CREATE EXTENSION timescaledb" || exit 1
first=$(ls "$root"/timescale/timescale/[0-9][0-9][0-9][0-9]_*.sql | xargs -n1 basename | sort | head -1 | cut -c1-4)
for f in "$root"/schema/[0-9][0-9][0-9][0-9]_*.sql; do
    v=$(basename "$f" | cut -c1-4)
    [ "$v" \< "$first" ] || continue
    psql -X -q -1 -v ON_ERROR_STOP=1 -U "$owner" -d "$db" -f "$f" >/dev/null || exit 1
done
out=$(mktemp)
for f in "$root"/timescale/timescale/[0-9][0-9][0-9][0-9]_*.sql; do
    echo "== $(basename "$f")"
    {
        echo '\set ON_ERROR_ROLLBACK on'
        echo '\set ECHO queries'
        echo 'BEGIN;'
        echo "DO \$\$ BEGIN
                EXECUTE 'CREATE MATERIALIZED VIEW public.funding_rates_1h AS ' || public.rollup_select('funding_rates_1h') || ' WITH NO DATA';
                EXECUTE 'CREATE MATERIALIZED VIEW public.funding_rates_1d AS ' || public.rollup_select('funding_rates_1d') || ' WITH NO DATA';
              END \$\$;"
        echo "\\i $f"
        echo 'ROLLBACK;'
    } | psql -X -U "$owner" -d "$db" >"$out" 2>&1
    grep -E '^(psql:.*)?(ERROR|FATAL)' "$out" | sed 's/^psql:[^:]*:[0-9]*: //' | sort | uniq -c
    bad=$(grep -E 'ERROR|FATAL' "$out" | grep -v 'not supported under the current "apache" license')
    if [ -n "$bad" ]; then echo "UNEXPECTED ERRORS:"; echo "$bad"; cat "$out"; rm -f "$out"; exit 1; fi
    n=$(grep -c 'not supported under the current "apache" license' "$out")
    echo "ok: $n statement(s) refused with the licence error, all other statements succeeded"
done
rm -f "$out"
psql -X -q -U "$su" -d postgres -c "DROP DATABASE $db"
