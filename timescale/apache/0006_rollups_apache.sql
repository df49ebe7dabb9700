-- 0006 (apache edition) rollups as incrementally refreshed hypertables + real-time views.
--
-- The Apache-2 build refuses continuous aggregates, policies and jobs. This file gives readers the same relations
-- (funding_rates_1h, funding_rates_1d: same names, same columns) as the Community edition's real-time caggs:
--
--   funding_rates_<w>_materialized  hypertable of materialised buckets (bucket < watermark)
--   rollup_watermarks               per rollup: every bucket below it is materialised
--   rollup_invalidations            (lo, hi) time ranges of changed source rows, logged per statement by triggers
--   funding_rates_<w>               view = materialised buckets below the watermark
--                                          UNION ALL live aggregation of the source at/above it
--   refresh_rollups()               under an advisory lock: re-aggregate invalidated buckets clipped to
--                                   [now - invalidation horizon, watermark), pass them on to the coarser rollup,
--                                   commit; then advance the watermark a bounded batch of buckets per transaction.
--
-- The aggregation text comes from rollup_select() (0005), the same text the Community edition uses.

CREATE TABLE rollup_watermarks (
    rollup     text PRIMARY KEY REFERENCES rollup_definitions (rollup),
    watermark  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE rollup_watermarks IS 'Apache edition: per rollup, every bucket starting before watermark is materialised in <rollup>_materialized; buckets at/after it are aggregated live by the view.';
COMMENT ON COLUMN rollup_watermarks.rollup IS 'Rollup name (funding_rates_1h, funding_rates_1d).';
COMMENT ON COLUMN rollup_watermarks.watermark IS 'First bucket start not yet materialised (timestamptz, bucket-aligned).';
COMMENT ON COLUMN rollup_watermarks.updated_at IS 'When the watermark last moved (database time).';

-- Start at the current bucket: the tables are empty; anything written below it later is logged as an invalidation.
INSERT INTO rollup_watermarks (rollup, watermark)
SELECT rollup, time_bucket(bucket_width, now()) FROM rollup_definitions;

CREATE TABLE rollup_invalidations (
    rollup    text NOT NULL REFERENCES rollup_definitions (rollup),
    lo        timestamptz NOT NULL,
    hi        timestamptz NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX rollup_invalidations_rollup_idx ON rollup_invalidations (rollup);

COMMENT ON TABLE rollup_invalidations IS 'Apache edition: source time ranges [lo, hi] (inclusive) changed since the last refresh, one row per writing statement; consumed by refresh_rollups().';
COMMENT ON COLUMN rollup_invalidations.rollup IS 'Rollup whose buckets overlapping [lo, hi] must be re-aggregated.';
COMMENT ON COLUMN rollup_invalidations.lo IS 'Earliest changed source time.';
COMMENT ON COLUMN rollup_invalidations.hi IS 'Latest changed source time.';
COMMENT ON COLUMN rollup_invalidations.logged_at IS 'When the change was logged (database time).';

-- STABLE and not inlinable (plpgsql): evaluated once at executor start, so TimescaleDB excludes chunks on both
-- sides of the real-time views' UNION ALL.
CREATE FUNCTION rollup_watermark(p_rollup text) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN (SELECT watermark FROM public.rollup_watermarks WHERE rollup = p_rollup);
END
$$;

COMMENT ON FUNCTION rollup_watermark(text) IS
    'Apache edition: start of the first bucket of the rollup that is not materialised yet (timestamptz). Buckets before it are read from <rollup>_materialized, later ones are aggregated live.';

-- Invalidation triggers on the raw hypertable: one (min, max) per statement (transition tables; hypertables support
-- them since TimescaleDB 2.18). Every statement is logged, also above the watermark, so a concurrent refresh misses
-- nothing; ON CONFLICT DO UPDATE fires the UPDATE trigger; drop_chunks fires none (retention is not a change).
CREATE FUNCTION rollup_log_source_changes() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.rollup_invalidations (rollup, lo, hi)
        SELECT TG_ARGV[0], min(time), max(time) FROM new_rows HAVING count(*) > 0;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO public.rollup_invalidations (rollup, lo, hi)
        SELECT TG_ARGV[0], min(t), max(t)
        FROM (SELECT time AS t FROM old_rows UNION ALL SELECT time FROM new_rows) s HAVING count(*) > 0;
    ELSE
        INSERT INTO public.rollup_invalidations (rollup, lo, hi)
        SELECT TG_ARGV[0], min(time), max(time) FROM old_rows HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION rollup_log_source_changes() IS
    'Apache edition: statement-level trigger logging the time range of changed funding_rates rows into rollup_invalidations (argument: rollup name).';

CREATE TRIGGER funding_rates_invalidate_ins AFTER INSERT ON funding_rates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rollup_log_source_changes('funding_rates_1h');
CREATE TRIGGER funding_rates_invalidate_upd AFTER UPDATE ON funding_rates
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rollup_log_source_changes('funding_rates_1h');
CREATE TRIGGER funding_rates_invalidate_del AFTER DELETE ON funding_rates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION rollup_log_source_changes('funding_rates_1h');

-- Materialised tables and real-time views, finest first (the 1d SELECT reads the funding_rates_1h view).
-- CREATE TABLE AS rollup_select() WITH NO DATA gives the tables exactly the column types of the live aggregation.
-- Chunks: 1h rollup 30 days (5,000 markets x 720 buckets = 3.6M rows), 1d rollup 1 year (1.8M rows).
DO $$
DECLARE
    d record;
    mat text;
BEGIN
    FOR d IN SELECT * FROM rollup_definitions ORDER BY level LOOP
        mat := d.rollup || '_materialized';
        EXECUTE format('CREATE TABLE public.%I AS %s WITH NO DATA', mat, rollup_select(d.rollup));
        EXECUTE format('ALTER TABLE public.%I ALTER COLUMN bucket SET NOT NULL, ALTER COLUMN market_id SET NOT NULL,'
                       ' ALTER COLUMN sample_count SET NOT NULL, ADD PRIMARY KEY (market_id, bucket)', mat);
        PERFORM create_hypertable(format('public.%I', mat)::regclass,
                                  by_range('bucket', CASE d.level WHEN 1 THEN INTERVAL '30 days' ELSE INTERVAL '365 days' END));
        EXECUTE format('COMMENT ON TABLE public.%I IS %L', mat,
                       'Apache edition: materialised buckets of ' || d.rollup || ' (below rollup_watermark); read ' || d.rollup || ' instead.');
        PERFORM rollup_apply_comments(format('public.%I', mat), d.rollup);

        EXECUTE format('CREATE VIEW public.%I AS SELECT * FROM public.%I WHERE bucket < public.rollup_watermark(%L)'
                       || E'\nUNION ALL\n%s',
                       d.rollup, mat, d.rollup,
                       rollup_select(d.rollup, format('%I >= public.rollup_watermark(%L)', d.source_time_column, d.rollup)));
        EXECUTE format('COMMENT ON VIEW public.%I IS %L', d.rollup,
                       CASE d.level WHEN 1 THEN
                           'Hourly funding statistics per market (UTC hours): materialised buckets plus live aggregation of the newest raw rows. Same columns as the Community continuous aggregate.'
                       ELSE
                           'Daily funding statistics per market (UTC days), merged from funding_rates_1h: materialised buckets plus live aggregation of the newest hours. Same columns as the Community continuous aggregate.'
                       END);
        PERFORM rollup_apply_comments(format('public.%I', d.rollup), d.rollup);
    END LOOP;
END
$$;

-- Re-aggregates the buckets [p_from, p_to) of a rollup from its source (internal; callers hold the advisory lock).
-- With p_propagate the range is logged as an invalidation of the coarser rollup.
CREATE FUNCTION rollup_materialize_range(p_rollup text, p_from timestamptz, p_to timestamptz, p_propagate boolean)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, public
SET TimeZone = 'UTC'
AS $$
DECLARE
    d public.rollup_definitions;
    mat text := format('public.%I', p_rollup || '_materialized');
    n bigint;
BEGIN
    SELECT * INTO STRICT d FROM public.rollup_definitions WHERE rollup = p_rollup;
    EXECUTE format('DELETE FROM %s WHERE bucket >= $1 AND bucket < $2', mat) USING p_from, p_to;
    EXECUTE format('INSERT INTO %s %s', mat,
                   public.rollup_select(p_rollup, format('%1$I >= $1 AND %1$I < $2', d.source_time_column)))
        USING p_from, p_to;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF p_propagate AND d.feeds IS NOT NULL THEN
        INSERT INTO public.rollup_invalidations (rollup, lo, hi) VALUES (d.feeds, p_from, p_to - d.bucket_width);
    END IF;
    RETURN n;
END
$$;

COMMENT ON FUNCTION rollup_materialize_range(text, timestamptz, timestamptz, boolean) IS
    'Apache edition, internal: delete and re-aggregate the materialised buckets [p_from, p_to) of a rollup; returns rows written.';

-- Step 1 of a refresh (one transaction): consume the logged invalidations of one rollup, align them to buckets,
-- merge them, clip them to [now - horizon, watermark) and re-aggregate those buckets. Returns buckets rewritten.
CREATE FUNCTION rollup_refresh_invalidated(p_rollup text) RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    d public.rollup_definitions;
    v_wm timestamptz;
    v_floor timestamptz;
    v_ranges tstzmultirange;
    r tstzrange;
    n integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(1718972004, 1);  -- 'fund', 1: serialises refresh and retention
    SELECT * INTO STRICT d FROM public.rollup_definitions WHERE rollup = p_rollup;
    SELECT watermark INTO STRICT v_wm FROM public.rollup_watermarks WHERE rollup = p_rollup FOR UPDATE;
    v_floor := public.time_bucket(d.bucket_width, now() - public.rollup_invalidation_horizon());

    WITH taken AS (
        DELETE FROM public.rollup_invalidations WHERE rollup = p_rollup RETURNING lo, hi
    )
    SELECT range_agg(tstzrange(public.time_bucket(d.bucket_width, lo),
                               public.time_bucket(d.bucket_width, hi) + d.bucket_width))
    INTO v_ranges FROM taken;

    IF v_ranges IS NULL OR (v_floor IS NOT NULL AND v_floor >= v_wm) THEN
        RETURN 0;   -- nothing logged, or everything below the watermark is beyond the horizon
    END IF;
    -- Buckets at/after the watermark are aggregated live (and materialised fresh when it advances).
    v_ranges := v_ranges * tstzmultirange(tstzrange(v_floor, v_wm));

    FOR r IN SELECT unnest(v_ranges) LOOP
        PERFORM public.rollup_materialize_range(p_rollup, lower(r), upper(r), true);
        n := n + (extract(epoch FROM upper(r) - lower(r)) / extract(epoch FROM d.bucket_width))::integer;
    END LOOP;
    RETURN n;
END
$$;

COMMENT ON FUNCTION rollup_refresh_invalidated(text) IS
    'Apache edition, refresh step: re-aggregate the invalidated buckets of a rollup below its watermark and within the invalidation horizon; returns the number of buckets rewritten. Called by refresh_rollups().';

-- Step 2 of a refresh (one transaction per call): materialise at most rollup_refresh_batch_buckets buckets from the
-- watermark up to the last bucket that ended rollup_refresh_lag ago (for 1d: never past the 1h watermark), then
-- move the watermark. Returns buckets advanced (0 = caught up).
CREATE FUNCTION rollup_advance_watermark(p_rollup text) RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    d public.rollup_definitions;
    v_wm timestamptz;
    v_target timestamptz;
    v_end timestamptz;
    v_finer_wm timestamptz;
    v_batch integer := coalesce(public.setting_value('rollup_refresh_batch_buckets')::integer, 24);
BEGIN
    PERFORM pg_advisory_xact_lock(1718972004, 1);
    SELECT * INTO STRICT d FROM public.rollup_definitions WHERE rollup = p_rollup;
    SELECT watermark INTO STRICT v_wm FROM public.rollup_watermarks WHERE rollup = p_rollup FOR UPDATE;

    v_target := public.time_bucket(d.bucket_width, now() - coalesce(public.setting_interval('rollup_refresh_lag'), INTERVAL '0'));
    SELECT w.watermark INTO v_finer_wm
    FROM public.rollup_definitions f JOIN public.rollup_watermarks w ON w.rollup = f.rollup
    WHERE f.feeds = p_rollup;
    IF v_finer_wm IS NOT NULL THEN
        v_target := least(v_target, public.time_bucket(d.bucket_width, v_finer_wm));
    END IF;
    IF v_target <= v_wm THEN
        RETURN 0;
    END IF;

    v_end := least(v_target, v_wm + d.bucket_width * greatest(v_batch, 1));
    PERFORM public.rollup_materialize_range(p_rollup, v_wm, v_end, false);
    UPDATE public.rollup_watermarks SET watermark = v_end, updated_at = now() WHERE rollup = p_rollup;
    RETURN (extract(epoch FROM v_end - v_wm) / extract(epoch FROM d.bucket_width))::integer;
END
$$;

COMMENT ON FUNCTION rollup_advance_watermark(text) IS
    'Apache edition, refresh step: materialise the next batch of completed buckets and advance the watermark; returns buckets advanced (0 when caught up). Called by refresh_rollups().';

-- Operator tool: re-aggregate an arbitrary bucket range below the watermark, ignoring the invalidation horizon
-- (e.g. after backfilling raw rows with psql). Never use it on ranges whose raw chunks were dropped.
CREATE FUNCTION rollup_rematerialize(p_rollup text, p_from timestamptz, p_to timestamptz) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    d public.rollup_definitions;
    v_wm timestamptz;
    v_from timestamptz;
    v_to timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(1718972004, 1);
    SELECT * INTO STRICT d FROM public.rollup_definitions WHERE rollup = p_rollup;
    SELECT watermark INTO STRICT v_wm FROM public.rollup_watermarks WHERE rollup = p_rollup;
    v_from := public.time_bucket(d.bucket_width, p_from);
    v_to := least(public.time_bucket(d.bucket_width, p_to - INTERVAL '1 microsecond') + d.bucket_width, v_wm);
    IF v_to <= v_from THEN
        RETURN 0;
    END IF;
    RETURN public.rollup_materialize_range(p_rollup, v_from, v_to, true);
END
$$;

COMMENT ON FUNCTION rollup_rematerialize(text, timestamptz, timestamptz) IS
    'Apache edition, operator tool (owner only): re-aggregate the buckets of a rollup overlapping [p_from, p_to) below its watermark, ignoring the invalidation horizon; also invalidates the coarser rollup. Run CALL refresh_rollups() afterwards.';

-- CALL refresh_rollups(): outside a transaction block (it COMMITs between steps), as pg_cron does every minute.
-- No SET clause and no SECURITY DEFINER: either would forbid COMMIT; the steps it calls are SECURITY DEFINER.
CREATE PROCEDURE refresh_rollups()
LANGUAGE plpgsql
AS $$
DECLARE
    r text;
    n integer;
BEGIN
    FOR r IN SELECT rollup FROM public.rollup_definitions ORDER BY level LOOP
        PERFORM public.rollup_refresh_invalidated(r);
        COMMIT;
        LOOP
            n := public.rollup_advance_watermark(r);
            COMMIT;
            EXIT WHEN n = 0;
        END LOOP;
    END LOOP;
END
$$;

COMMENT ON PROCEDURE refresh_rollups() IS
    'Bring funding_rates_1h and funding_rates_1d up to date now (Apache: re-aggregate invalidated buckets, then advance the watermarks in bounded batches, committing between steps). CALL it outside an explicit transaction block.';

-- CALL apply_retention(): drop chunks per fundingd_settings. SECURITY DEFINER because drop_chunks needs the owner.
CREATE PROCEDURE apply_retention()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    t record;
    n integer;
BEGIN
    PERFORM pg_advisory_xact_lock(1718972004, 1);   -- never between a refresh's read of raw and its write
    FOR t IN
        SELECT * FROM (VALUES
            ('public.funding_rates'::regclass, public.setting_interval('raw_retention')),
            ('public.collection_runs'::regclass, public.setting_interval('collection_runs_retention')),
            ('public.funding_rates_1h_materialized'::regclass, public.setting_interval('funding_rates_1h_retention')),
            ('public.funding_rates_1d_materialized'::regclass, public.setting_interval('funding_rates_1d_retention'))
        ) AS v(rel, keep)
        WHERE keep IS NOT NULL
    LOOP
        SELECT count(*) INTO n FROM public.drop_chunks(t.rel, older_than => now() - t.keep);
        IF n > 0 THEN
            RAISE NOTICE 'apply_retention: dropped % chunk(s) of % older than %', n, t.rel, t.keep;
        END IF;
    END LOOP;
    -- Invalidations beyond the horizon can never be applied.
    DELETE FROM public.rollup_invalidations
    WHERE hi < now() - coalesce(public.rollup_invalidation_horizon(), INTERVAL '100 years');
END
$$;

COMMENT ON PROCEDURE apply_retention() IS
    'Drop chunks older than the retention settings: funding_rates (raw_retention), collection_runs (collection_runs_retention), funding_rates_1h (funding_rates_1h_retention), funding_rates_1d (funding_rates_1d_retention, NULL = keep).';

REVOKE ALL ON FUNCTION rollup_materialize_range(text, timestamptz, timestamptz, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION rollup_rematerialize(text, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION rollup_refresh_invalidated(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION rollup_advance_watermark(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE refresh_rollups() FROM PUBLIC;
REVOKE ALL ON PROCEDURE apply_retention() FROM PUBLIC;
-- fundingd_writer gets EXECUTE on the refresh steps and procedures in 0009_grants.sql.
