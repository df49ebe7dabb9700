#!/bin/sh
# End-to-end checks of the Apache edition against a scratch cluster (PGHOST/PGPORT set; needs a superuser to create
# the scratch databases). Usage: schema/checks/check_apache.sh [SUPERUSER]
# 1. applies all migrations into two fresh databases and compares their schema dumps (determinism);
# 2. write path as fundingd_writer: new + known markets, a repeated (market, time), a too-old row, NOTIFY;
# 3. rollups: refresh, compare with GROUP BY over raw, late rows into a materialised bucket + a new market,
#    unmaterialised tail served live;
# 4. retention: old raw chunks dropped, rollup buckets kept; too-old ingest does not recreate chunks;
# 5. fundingd_reader can SELECT and cannot write.
set -eu
su=${1:-postgres}
here=$(cd "$(dirname "$0")" && pwd)
for db in fundingd_check_a fundingd_check_b; do
    psql -X -q -U "$su" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER fundingd"
    psql -X -q -U "$su" -d "$db" -c "CREATE EXTENSION timescaledb"
    "$here/apply_all.sh" "$db" fundingd >/dev/null
done
# Compare schema dumps (the one timestamp that differs is the initial watermark data, not in a -s dump).
# Also compare the reference data (dexes seed, settings, rollup definitions) and the catalogue of chunks.
for x in a b; do
    { pg_dump -s -U "$su" fundingd_check_$x 2>/dev/null | grep -v '^\\\(un\)\?restrict ' | sed "s/fundingd_check_$x/DB/g"
      psql -X -At -U "$su" -d fundingd_check_$x -c "SELECT name, kind, api_base_url, maker_fee, taker_fee, fee_tiers, funding_interval_hours FROM dexes ORDER BY id" \
           -c "SELECT * FROM fundingd_settings ORDER BY name" -c "SELECT * FROM rollup_definitions ORDER BY rollup"
    } >/tmp/fundingd_dump_$x.sql
done
cmp /tmp/fundingd_dump_a.sql /tmp/fundingd_dump_b.sql && echo "ok: two fresh databases have identical schemas"

db=fundingd_check_a
W="psql -X -v ON_ERROR_STOP=1 -U fundingd_writer -d $db"
O="psql -X -v ON_ERROR_STOP=1 -U fundingd -d $db"

echo "== write path (as fundingd_writer)"
$W <<'SQL'
LISTEN fundingd_cycle;
BEGIN;
SELECT ingest_begin();
-- (COPY text format works the same; INSERT is used here only to get times relative to now())
INSERT INTO ingest_staging VALUES
  ('binance', 'BTCUSDT', 'BTC', 'USDT', 'linear', 1, date_trunc('minute', now()) - INTERVAL '3 minutes', 0.0001, 8, NULL, NULL, 1, 1, 1, 1, 1, 1, 1, 1);
SELECT * FROM ingest_apply('[]');
COMMIT;
-- cycle 2: known market (BTCUSDT), a new market on a new dex, a repeated (market,time), a too-old row
BEGIN;
SELECT ingest_begin();
INSERT INTO ingest_staging VALUES
  ('binance', 'BTCUSDT', 'BTC', 'USDT', 'linear', 1, date_trunc('minute', now()) - INTERVAL '3 minutes', 0.0001, 8, NULL, NULL, 1, 1, 1, 1, 1, 1, 1, 1),
  ('binance', 'BTCUSDT', 'BTC', 'USDT', 'linear', 1, date_trunc('minute', now()) - INTERVAL '2 minutes', 0.0002, 8, NULL, NULL, 2, 2, 2, 2, 2, 2, 2, 2),
  ('checkdex', 'BTC-PERP', 'BTC', 'USD', 'linear', NULL, date_trunc('minute', now()) - INTERVAL '2 minutes', 0.00001, 1, NULL, NULL, 3, 3, 3, 3, 3, 3, 3, 3),
  ('checkdex', 'BTC-PERP', 'BTC', 'USD', 'linear', NULL, date_trunc('minute', now()) - INTERVAL '2 minutes', 0.00001, 1, NULL, NULL, 3, 3, 3, 3, 3, 3, 3, 3),
  ('checkdex', 'BTC-PERP', 'BTC', 'USD', 'linear', NULL, now() - INTERVAL '31 days', 0.00001, 1, NULL, NULL, 3, 3, 3, 3, 3, 3, 3, 3);
SELECT * FROM ingest_apply('[{"dex":"binance","started_at":"2026-01-01T00:01:00Z","finished_at":"2026-01-01T00:01:01Z","status":"success","markets_ok":1,"markets_rejected":0,"error":null,"latency_ms":340},
                             {"dex":"checkdex","started_at":"2026-01-01T00:01:00Z","finished_at":"2026-01-01T00:01:02Z","status":"failed","markets_ok":0,"markets_rejected":0,"error":"boom","latency_ms":900}]');
COMMIT;
-- cycle 3: only a brand-new market, repeated within the batch: the plain INSERT collides, the subtransaction
-- fallback inserts it once with ON CONFLICT DO NOTHING
BEGIN;
SELECT ingest_begin();
INSERT INTO ingest_staging VALUES
  ('checkdex', 'ETH-PERP', 'ETH', 'USD', 'linear', 1, date_trunc('minute', now()) - INTERVAL '1 minute', 0.00002, 1, NULL, NULL, 4, 4, 4, 4, 4, 4, 4, 4),
  ('checkdex', 'ETH-PERP', 'ETH', 'USD', 'linear', 1, date_trunc('minute', now()) - INTERVAL '1 minute', 0.00002, 1, NULL, NULL, 4, 4, 4, 4, 4, 4, 4, 4);
SELECT * FROM ingest_apply('[]');
COMMIT;
SQL
$O <<'SQL'
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM funding_rates f JOIN markets m ON m.id = f.market_id WHERE m.dex_symbol = 'ETH-PERP') = 1,
           'repeat within a batch of a new market inserted once';
    DELETE FROM market_latest WHERE market_id = (SELECT id FROM markets WHERE dex_symbol = 'ETH-PERP');
    DELETE FROM funding_rates WHERE market_id = (SELECT id FROM markets WHERE dex_symbol = 'ETH-PERP');
    DELETE FROM markets WHERE dex_symbol = 'ETH-PERP';
    DELETE FROM symbols WHERE symbol = 'ETH';
END $$;
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM markets) = 2, 'markets created once';
    ASSERT (SELECT count(*) FROM symbols) = 1, 'symbol created once';
    ASSERT (SELECT count(*) FROM funding_rates) = 3, 'raw rows: 3 distinct (market,time)';
    ASSERT (SELECT last_value FROM markets_id_seq) = 3, 'no serial values burnt (3rd id went to ETH-PERP)';
    ASSERT (SELECT time FROM market_latest l JOIN markets m ON m.id = l.market_id WHERE m.dex_symbol = 'BTCUSDT')
           = date_trunc('minute', now()) - INTERVAL '2 minutes', 'market_latest moved to the newer sample';
    ASSERT (SELECT consecutive_errors FROM dexes WHERE name = 'checkdex') = 1, 'failed run counted';
    ASSERT (SELECT kind || display_name FROM dexes WHERE name = 'checkdex') = 'dexcheckdex', 'unknown dex created';
    ASSERT (SELECT count(*) FROM show_chunks('funding_rates', older_than => now() - INTERVAL '30 days')) = 0,
           'too-old row created no chunk';
END $$;
SELECT 'ok: ids created once, duplicates ignored, market_latest updated, too-old dropped' AS write_path;
SQL

echo "== rollups: refresh, compare with GROUP BY over raw"
$W <<'SQL'
SELECT setseed(0.42);
BEGIN;
SELECT ingest_begin();
INSERT INTO ingest_staging
SELECT 'binance', 'M' || m || 'USDT', 'S' || m, 'USDT', 'linear', 1, t, (random() - 0.5) * 0.001, 8, NULL, NULL,
       100 + m + random(), 100 + m, 10, CASE WHEN random() < 0.1 THEN NULL ELSE random() * 1e6 END,
       CASE WHEN random() < 0.1 THEN NULL ELSE random() * 1e7 END, 99, 101, 10
FROM generate_series(0, 19) m,
     generate_series(date_trunc('hour', now()) - INTERVAL '50 hours', now(), INTERVAL '5 minutes') t;
SELECT * FROM ingest_apply('[]');
COMMIT;
SQL
# Exercise the watermark advance too: move both watermarks back (as if the last refreshes had not run) and make
# the batches small, so the refresh both re-aggregates invalidations and advances in several transactions.
$O <<'SQL'
UPDATE rollup_watermarks SET watermark = watermark - CASE rollup WHEN 'funding_rates_1h' THEN INTERVAL '20 hours' ELSE INTERVAL '2 days' END;
UPDATE fundingd_settings SET value = '3' WHERE name = 'rollup_refresh_batch_buckets';
SQL
$W -c "CALL refresh_rollups()"
$O <<'SQL'
DO $$
BEGIN
    ASSERT rollup_watermark('funding_rates_1h') = time_bucket('1 hour', now() - setting_interval('rollup_refresh_lag')),
           '1h watermark advanced to the last complete hour';
    ASSERT rollup_watermark('funding_rates_1d') = time_bucket('1 day', rollup_watermark('funding_rates_1h')),
           '1d watermark advanced to the last complete day below the 1h watermark';
    ASSERT (SELECT count(*) FROM rollup_invalidations) = 0, 'invalidations consumed';
END $$;
UPDATE fundingd_settings SET value = '24' WHERE name = 'rollup_refresh_batch_buckets';
SQL
$O -f "$here/rollup_compare.sql"
echo "== late rows into a materialised bucket and a new market, then refresh"
$W <<'SQL'
BEGIN;
SELECT ingest_begin();
INSERT INTO ingest_staging
SELECT 'binance', 'M' || m || 'USDT', 'S' || m, 'USDT', 'linear', 1,
       date_trunc('hour', now()) - INTERVAL '30 hours' + INTERVAL '17 seconds', 0.5, 8, NULL::float8, NULL::timestamptz, 1, 1, 1, 1, 1, 1, 1, 1
FROM generate_series(0, 19) m
UNION ALL
SELECT 'latedex', 'LATE-PERP', 'LATE', 'USD', 'linear', 1, date_trunc('hour', now()) - INTERVAL '30 hours' + INTERVAL '20 minutes',
       -0.25, 4, NULL, NULL, 5, 5, 5, 5, 5, 5, 5, 5;
SELECT * FROM ingest_apply('[]');
COMMIT;
SELECT 'materialised bucket is stale until refresh: rate_max ' || max(rate_max) AS before_refresh
FROM funding_rates_1h WHERE bucket = date_trunc('hour', now()) - INTERVAL '30 hours';
CALL refresh_rollups();
SQL
$O -f "$here/rollup_compare.sql"
$O <<'SQL'
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM funding_rates_1h WHERE bucket >= rollup_watermark('funding_rates_1h')) > 0,
           'real-time tail present';
    ASSERT (SELECT count(*) FROM funding_rates_1h_materialized WHERE bucket >= rollup_watermark('funding_rates_1h')) = 0,
           'tail not materialised';
END $$;
SELECT 'ok: unmaterialised tail served live: ' || count(*) || ' rows at/after watermark ' || rollup_watermark('funding_rates_1h') AS tail
FROM funding_rates_1h WHERE bucket >= rollup_watermark('funding_rates_1h');
SQL

echo "== retention"
$O <<'SQL'
-- Simulate history: raw rows 40 days old written directly by the owner, materialised explicitly (beyond the horizon).
INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, open_interest_usd, mark_price)
SELECT date_trunc('day', now()) - INTERVAL '40 days' + t * INTERVAL '1 minute', m.id, 0.0001 * t, 8, 1e6, 100
FROM markets m, generate_series(0, 1439, 7) t;
SELECT rollup_rematerialize('funding_rates_1h', now() - INTERVAL '41 days', now() - INTERVAL '39 days');
SELECT rollup_rematerialize('funding_rates_1d', now() - INTERVAL '41 days', now() - INTERVAL '39 days');
CREATE TABLE pg_temp.before AS
SELECT '1h' AS w, bucket, market_id, sample_count, rate_sum FROM funding_rates_1h WHERE bucket < now() - INTERVAL '30 days'
UNION ALL
SELECT '1d', bucket, market_id, sample_count, rate_sum FROM funding_rates_1d WHERE bucket < now() - INTERVAL '30 days';
SELECT count(*) AS old_raw_chunks FROM show_chunks('funding_rates', older_than => now() - INTERVAL '30 days');
CALL apply_retention();
CALL refresh_rollups();
DO $$
BEGIN
    ASSERT (SELECT count(*) FROM show_chunks('funding_rates', older_than => now() - INTERVAL '30 days')) = 0, 'old raw chunks dropped';
    ASSERT (SELECT count(*) FROM funding_rates WHERE time < now() - INTERVAL '31 days') = 0, 'old raw rows gone';
    ASSERT (SELECT count(*) FROM pg_temp.before) > 0, 'old rollup buckets existed';
    ASSERT NOT EXISTS (
        SELECT * FROM pg_temp.before b
        LEFT JOIN (SELECT '1h' AS w, bucket, market_id, sample_count, rate_sum FROM funding_rates_1h
                   UNION ALL SELECT '1d', bucket, market_id, sample_count, rate_sum FROM funding_rates_1d) a
               USING (w, bucket, market_id)
        WHERE a.sample_count IS DISTINCT FROM b.sample_count OR a.rate_sum IS DISTINCT FROM b.rate_sum),
        'rollup buckets kept after retention and refresh';
END $$;
SELECT 'ok: raw chunks older than raw_retention dropped, ' || count(*) || ' old rollup buckets kept' AS retention FROM pg_temp.before;
SQL

echo "== reader"
R="psql -X -q -U fundingd_reader -d $db"
$R -At -c "SELECT 'reader SELECT ok: ' || (SELECT count(*) FROM funding_rates_1h) || ' 1h rows, ' || (SELECT count(*) FROM market_latest) || ' latest'"
fail=0
for stmt in "INSERT INTO dexes (name, display_name) VALUES ('x', 'x')" \
            "UPDATE dexes SET maker_fee = 0" \
            "DELETE FROM funding_rates" \
            "INSERT INTO funding_rates (time, market_id, funding_rate) VALUES (now(), 1, 0)" \
            "UPDATE fundingd_settings SET value = '1 day'" \
            "DELETE FROM funding_rates_1h_materialized" \
            "TRUNCATE market_latest" \
            "SELECT ingest_begin()" \
            "SELECT * FROM ingest_apply('[]')" \
            "CALL refresh_rollups()" \
            "CALL apply_retention()" \
            "SELECT rollup_advance_watermark('funding_rates_1h')"; do
    if $R -c "$stmt" >/dev/null 2>&1; then echo "UNEXPECTED: reader could run: $stmt"; fail=1
    else echo "refused for reader: $stmt"; fi
done
[ $fail = 0 ] && echo "ok: reader cannot write"
for db in fundingd_check_a fundingd_check_b; do psql -X -q -U "$su" -d postgres -c "DROP DATABASE $db"; done
exit $fail
