#!/bin/sh
# Apply the migrations to one database the way the Swift runner does: schema/ merged with timescale/<licence>/ by
# version, each file once as the owner role in ONE transaction (psql -1). Usage:
#   PGHOST=127.0.0.1 PGPORT=54401 schema/checks/apply_all.sh DBNAME [ROLE]
# (The real runner also records versions in schema_migrations; this script applies everything unconditionally,
# so use it on a fresh database.)
set -eu
db=$1; role=${2:-fundingd}
root=$(cd "$(dirname "$0")/../.." && pwd)
lic=$(psql -X -At -U "$role" -d "$db" -c "select current_setting('timescaledb.license')")
for f in $( (ls "$root"/schema/[0-9][0-9][0-9][0-9]_*.sql; ls "$root"/timescale/"$lic"/[0-9][0-9][0-9][0-9]_*.sql 2>/dev/null) \
            | awk -F/ '{print $NF" "$0}' | sort | cut -d' ' -f2); do
    echo "== $(basename "$f") ($lic)"
    psql -X -q -1 -v ON_ERROR_STOP=1 -U "$role" -d "$db" -f "$f"
done
