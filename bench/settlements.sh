#!/usr/bin/env bash
# Settled-funding benchmark (prints figures; asserts nothing). In one scratch database on the private cluster:
# 5,000 markets (1,000 symbols on five dexes settling every 8 h, 8 h, 4 h, 1 h and 1 h) with 30 days of settlements
# (1.8M rows):
#   * settlements_apply: the backfill's write function (schema/0080), one call per market with that market's 30 days
#     as arrays, as `fundingd backfill` sends one page; the arrays are built server-side here, so the figure is the
#     function's cost without the client's transfer (the Swift client sends the same arrays as bound parameters);
#   * psql \copy: the same rows from a CSV file straight into funding_settlements: the ceiling;
#   * realised_pair_returns(30 days) and realised_funding(30 days) over all of it, and both for one symbol, server-side
#     execution time (EXPLAIN ANALYZE), on the rows settlements_apply wrote (it keeps settlement_days, schema/0085);
#     the last line, a bare sum over 29 days of settlement_days, is the floor the 30-day queries stand against.
# Uses the debug build's `fundingd` for `db url` and `migrate` (no build here); FUNDINGD overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDINGD_HOME="${FUNDINGD_HOME:-$PWD/.fundingd}"
bin=${FUNDINGD:-.build/debug/fundingd}
$bin db start >/dev/null
admin=$($bin db url --role admin)
owner=$($bin db url --role owner)
db=fundingd_bench_settlements
psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER fundingd"
psql -X -q "${admin%/*}/$db" -c "CREATE EXTENSION timescaledb"
DATABASE_URL="${owner%/*}/$db" $bin migrate >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 "${owner%/*}/$db" "$@"; }

sql <<'SQL'
INSERT INTO symbols (symbol) SELECT 'S' || i FROM generate_series(1, 1000) i;
INSERT INTO markets (dex_id, symbol_id, dex_symbol, quote, funding_interval_hours)
SELECT d.id, s.id, s.symbol || 'USDT', 'USDT', v.hours
FROM (VALUES ('binance', 8), ('okx', 8), ('bybit', 4), ('hyperliquid', 1), ('dydx', 1)) v(dex, hours)
JOIN dexes d ON d.name = v.dex CROSS JOIN symbols s WHERE s.symbol LIKE 'S%';
UPDATE dexes SET taker_fee = coalesce(taker_fee, 0.0005);
-- The rows both paths write: every funding time of the last 30 days on each market's grid.
CREATE TABLE bench_rows AS
SELECT m.id AS market_id, d.name AS dex, m.dex_symbol, t AS funding_time,
       (0.0001 * sin(extract(epoch FROM t) / 3600 + m.id))::float8 AS funding_rate,
       m.funding_interval_hours AS hours
FROM markets m JOIN dexes d ON d.id = m.dex_id,
     generate_series(date_trunc('hour', now()) - interval '30 days', date_trunc('hour', now()),
                     m.funding_interval_hours * interval '1 hour') t;
ANALYZE bench_rows;
SQL
rows=$(sql -At -c "SELECT count(*) FROM bench_rows")
sql -c "\copy (SELECT market_id, funding_time, funding_rate, hours FROM bench_rows) TO '$tmp/rows.csv' WITH (FORMAT csv)"

ms() { grep -o 'Time: [0-9.]*' | tail -1 | awk '{print $2}'; }
apply_ms=$(sql <<'SQL' | ms
\timing on
SELECT sum(settlements_apply(r.dex, r.dex_symbol, r.us, r.rates, r.hours, r.marks, r.marks, r.first, r.last))
FROM (SELECT dex, dex_symbol,
             array_agg((extract(epoch FROM funding_time) * 1000000)::bigint ORDER BY funding_time) AS us,
             array_agg(funding_rate ORDER BY funding_time) AS rates, array_agg(hours ORDER BY funding_time) AS hours,
             array_agg(''::text) AS marks, min(funding_time) AS first, max(funding_time) + interval '1 second' AS last
      FROM bench_rows GROUP BY dex, dex_symbol) r;
SQL
)
# The realised queries on what settlements_apply wrote (it also keeps settlement_days, which \copy does not).
sql -c "ANALYZE funding_settlements" -c "ANALYZE settlement_days"
queries=()
for q in "SELECT * FROM realised_pair_returns(interval '30 days')" "SELECT * FROM realised_funding(interval '30 days')" \
         "SELECT * FROM realised_funding(interval '30 days', 'S1')" \
         "SELECT * FROM realised_pair_returns(interval '7 days', 'S1')" \
         "SELECT market_id, sum(rate_sum) FROM settlement_days WHERE day >= now() - interval '29 days' GROUP BY 1"; do
    t=$(sql -At -c "EXPLAIN (ANALYZE, FORMAT json) $q" | grep -o '"Execution Time": [0-9.]*' | awk '{print $3}')
    n=$(sql -At -c "SELECT count(*) FROM ($q) x")
    queries+=("$(printf '%-66s %8s ms  %6s rows' "$q" "$t" "$n")")
done
sql -c "TRUNCATE funding_settlements, settlement_days"
copy_ms=$(sql <<SQL | ms
\timing on
\copy funding_settlements (market_id, funding_time, funding_rate, funding_interval_hours) FROM '$tmp/rows.csv' WITH (FORMAT csv)
SQL
)
printf '%-10s %18s %16s %6s\n' rows apply_rows/s copy_rows/s ratio
awk -v n="$rows" -v a="$apply_ms" -v c="$copy_ms" \
    'BEGIN { printf "%-10d %18.0f %16.0f %6.2f\n", n, n / (a / 1000), n / (c / 1000), (n / (a / 1000)) / (n / (c / 1000)) }'
printf '%s\n' "${queries[@]}"
