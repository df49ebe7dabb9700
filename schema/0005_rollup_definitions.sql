-- 0005 rollup definitions, shared by both TimescaleDB editions.
--
-- The aggregation of funding_rates_1h and funding_rates_1d is written exactly once, here. rollup_select() turns a
-- definition into a SELECT:
--   * timescale (Community) edition: CREATE MATERIALIZED VIEW <rollup> WITH (timescaledb.continuous) AS
--     rollup_select(<rollup>) WITH NO DATA  (funding_rates_1d is a hierarchical cagg on funding_rates_1h);
--   * apache edition: CREATE TABLE <rollup>_materialized AS rollup_select(..) WITH NO DATA (same column types), the
--     refresh EXECUTEs rollup_select(<rollup>, <bucket-range filter>), the real-time view appends
--     rollup_select(<rollup>, '<time> >= rollup_watermark(..)').
--
-- Mergeable statistics: a longer window W over rows of 1h buckets derives
--   n = sum(sample_count), mean = sum(rate_sum) / n, min/max of min/max, first/last by bucket,
--   stddev_samp = sqrt((sum(rate_sum_sq) - sum(rate_sum)^2 / n) / (n - 1))  (relative error ~1e-12 for funding rates),
--   OI / volume means weighted by oi_usd_count / volume_24h_usd_count (number of non-NULL samples).

CREATE TABLE rollup_definitions (
    rollup             text PRIMARY KEY,
    level              integer NOT NULL UNIQUE,
    bucket_width       interval NOT NULL,
    source_relation    text NOT NULL,
    source_time_column text NOT NULL,
    bucket_expr        text NOT NULL,
    measures           text NOT NULL,
    feeds              text REFERENCES rollup_definitions (rollup),
    retention_setting  text NOT NULL
);

COMMENT ON TABLE rollup_definitions IS 'Single source of truth for the rollups funding_rates_1h / funding_rates_1d: bucket width, source relation and aggregate expressions. rollup_select() builds the SELECT used by both TimescaleDB editions.';
COMMENT ON COLUMN rollup_definitions.rollup IS 'Rollup relation name (funding_rates_1h, funding_rates_1d).';
COMMENT ON COLUMN rollup_definitions.level IS 'Refresh order: finer rollups first.';
COMMENT ON COLUMN rollup_definitions.bucket_width IS 'Bucket width (interval).';
COMMENT ON COLUMN rollup_definitions.source_relation IS 'Relation aggregated (funding_rates for 1h; funding_rates_1h for 1d).';
COMMENT ON COLUMN rollup_definitions.source_time_column IS 'Time column of the source relation.';
COMMENT ON COLUMN rollup_definitions.bucket_expr IS 'time_bucket expression producing the bucket column.';
COMMENT ON COLUMN rollup_definitions.measures IS 'Aggregate select-list (after bucket, market_id).';
COMMENT ON COLUMN rollup_definitions.feeds IS 'Coarser rollup computed from this one (invalidations are passed on to it).';
COMMENT ON COLUMN rollup_definitions.retention_setting IS 'fundingd_settings name holding this rollup''s retention.';

INSERT INTO rollup_definitions
    (rollup, level, bucket_width, source_relation, source_time_column, bucket_expr, measures, feeds, retention_setting)
VALUES
    ('funding_rates_1d', 2, INTERVAL '1 day', 'public.funding_rates_1h', 'bucket',
     $q$public.time_bucket('1 day'::interval, bucket)$q$,
     $q$sum(sample_count)::bigint AS sample_count,
    sum(rate_sum) / sum(sample_count)::float8 AS rate_avg,
    min(rate_min) AS rate_min,
    max(rate_max) AS rate_max,
    public.first(rate_first, bucket) AS rate_first,
    public.last(rate_last, bucket) AS rate_last,
    sum(rate_sum) AS rate_sum,
    sum(rate_sum_sq) AS rate_sum_sq,
    sum(oi_usd_avg * oi_usd_count) / nullif(sum(oi_usd_count), 0)::float8 AS oi_usd_avg,
    sum(oi_usd_count)::bigint AS oi_usd_count,
    sum(volume_24h_usd_avg * volume_24h_usd_count) / nullif(sum(volume_24h_usd_count), 0)::float8 AS volume_24h_usd_avg,
    sum(volume_24h_usd_count)::bigint AS volume_24h_usd_count,
    public.last(mark_price_last, bucket) AS mark_price_last,
    public.last(funding_interval_hours, bucket) AS funding_interval_hours$q$,
     NULL, 'funding_rates_1d_retention'),
    ('funding_rates_1h', 1, INTERVAL '1 hour', 'public.funding_rates', 'time',
     $q$public.time_bucket('1 hour'::interval, time)$q$,
     $q$count(*) AS sample_count,
    avg(funding_rate) AS rate_avg,
    min(funding_rate) AS rate_min,
    max(funding_rate) AS rate_max,
    public.first(funding_rate, time) AS rate_first,
    public.last(funding_rate, time) AS rate_last,
    sum(funding_rate) AS rate_sum,
    sum(funding_rate * funding_rate) AS rate_sum_sq,
    avg(open_interest_usd) AS oi_usd_avg,
    count(open_interest_usd) AS oi_usd_count,
    avg(volume_24h_usd) AS volume_24h_usd_avg,
    count(volume_24h_usd) AS volume_24h_usd_count,
    public.last(mark_price, time) AS mark_price_last,
    public.last(funding_interval_hours, time) AS funding_interval_hours$q$,
     'funding_rates_1d', 'funding_rates_1h_retention');

CREATE FUNCTION rollup_select(p_rollup text, p_filter text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
DECLARE
    d public.rollup_definitions;
BEGIN
    SELECT * INTO d FROM public.rollup_definitions WHERE rollup = p_rollup;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown rollup "%"', p_rollup USING ERRCODE = 'undefined_object';
    END IF;
    RETURN 'SELECT ' || d.bucket_expr || ' AS bucket,' || E'\n    market_id,\n    ' || d.measures
        || E'\nFROM ' || d.source_relation
        || coalesce(E'\nWHERE ' || p_filter, '')
        || E'\nGROUP BY ' || d.bucket_expr || ', market_id';
END
$$;

COMMENT ON FUNCTION rollup_select(text, text) IS
    'The aggregation SELECT of a rollup (funding_rates_1h or funding_rates_1d) as SQL text, optionally with a WHERE filter on the source relation''s columns. Used by both editions'' migrations and by the Apache refresh.';

-- Column comments of the rollups, applied to whatever relation carries them (cagg, view or materialised table).
CREATE FUNCTION rollup_apply_comments(p_relation text, p_rollup text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    w text := (SELECT CASE bucket_width WHEN INTERVAL '1 hour' THEN 'hour' ELSE 'day (UTC)' END
               FROM public.rollup_definitions WHERE rollup = p_rollup);
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('bucket',               'Start of the ' || w || ' bucket (timestamptz, UTC-aligned).'),
        ('market_id',            'markets.id.'),
        ('sample_count',         'Number of raw funding_rates samples in the bucket.'),
        ('rate_avg',             'Mean funding_rate over the samples, fraction per funding interval.'),
        ('rate_min',             'Minimum funding_rate, fraction per funding interval.'),
        ('rate_max',             'Maximum funding_rate, fraction per funding interval.'),
        ('rate_first',           'funding_rate of the earliest sample in the bucket, fraction per interval.'),
        ('rate_last',            'funding_rate of the latest sample in the bucket, fraction per interval.'),
        ('rate_sum',             'Sum of funding_rate over the samples (mergeable: mean = rate_sum / sample_count).'),
        ('rate_sum_sq',          'Sum of funding_rate squared (mergeable: stddev_samp = sqrt((rate_sum_sq - rate_sum^2/n)/(n-1))).'),
        ('oi_usd_avg',           'Mean open_interest_usd over samples that had one, USD.'),
        ('oi_usd_count',         'Number of samples with a non-NULL open_interest_usd (weight for merging oi_usd_avg).'),
        ('volume_24h_usd_avg',   'Mean trailing-24h volume over samples that had one, USD.'),
        ('volume_24h_usd_count', 'Number of samples with a non-NULL volume_24h_usd (weight for merging volume_24h_usd_avg).'),
        ('mark_price_last',      'mark_price of the latest sample, quote currency per contract unit.'),
        ('funding_interval_hours', 'Funding interval of the latest sample, hours.')
    ) AS t(col, txt) LOOP
        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', p_relation, c.col, c.txt);
    END LOOP;
END
$$;

COMMENT ON FUNCTION rollup_apply_comments(text, text) IS
    'Migration helper: writes the column comments (with units) of a rollup onto a relation.';
REVOKE ALL ON FUNCTION rollup_apply_comments(text, text) FROM PUBLIC;

-- How far back a change to raw rows may still be re-aggregated: the smaller of raw_retention and
-- rollup_invalidation_horizon (NULL when both are unset = no limit). Re-aggregating a bucket whose raw chunk is
-- gone would wipe it, hence never more than raw_retention.
CREATE FUNCTION rollup_invalidation_horizon() RETURNS interval
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$ SELECT least(public.setting_interval('raw_retention'), public.setting_interval('rollup_invalidation_horizon')) $$;

COMMENT ON FUNCTION rollup_invalidation_horizon() IS
    'Interval: raw changes older than now() - this are not re-aggregated into the rollups (least of raw_retention and rollup_invalidation_horizon; NULL = unlimited).';
