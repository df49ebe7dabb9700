-- 0007 (timescale / Community edition) rollups as native continuous aggregates + policies.
--
-- Same relation names and columns as the Apache edition (0006): the SELECT text comes from rollup_select() (0005).
-- funding_rates_1d is a hierarchical continuous aggregate on funding_rates_1h (TimescaleDB >= 2.9). Both are
-- real-time (materialized_only = false), like the Apache views. WITH NO DATA: this file runs inside a transaction.
-- On the Apache build every continuous-aggregate and policy statement below fails with the licence error
-- (schema/checks/check_community_on_apache.sh shows it).

DO $$
BEGIN
    EXECUTE format('CREATE MATERIALIZED VIEW public.funding_rates_1h'
                   ' WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS %s WITH NO DATA',
                   public.rollup_select('funding_rates_1h'));
END
$$;

DO $$
BEGIN
    EXECUTE format('CREATE MATERIALIZED VIEW public.funding_rates_1d'
                   ' WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS %s WITH NO DATA',
                   public.rollup_select('funding_rates_1d'));
END
$$;

-- A continuous aggregate's user view has relkind 'v' (COMMENT ON VIEW); pick the keyword from the catalogue.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('funding_rates_1h', 'Hourly funding statistics per market (UTC hours): real-time continuous aggregate of funding_rates.'),
        ('funding_rates_1d', 'Daily funding statistics per market (UTC days): real-time hierarchical continuous aggregate on funding_rates_1h.')
    ) AS v(rel, txt) LOOP
        EXECUTE format('COMMENT ON %s public.%I IS %L',
                       CASE (SELECT relkind FROM pg_class WHERE oid = format('public.%I', c.rel)::regclass)
                           WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
                       c.rel, c.txt);
    END LOOP;
END
$$;
SELECT rollup_apply_comments('public.funding_rates_1h', 'funding_rates_1h');
SELECT rollup_apply_comments('public.funding_rates_1d', 'funding_rates_1d');

-- Refresh windows start at the invalidation horizon (never re-aggregate where raw chunks may be dropped) and end
-- rollup_refresh_lag ago. Offsets are read from fundingd_settings when this migration runs.
SELECT add_continuous_aggregate_policy('funding_rates_1h',
    start_offset => rollup_invalidation_horizon(),
    end_offset => setting_interval('rollup_refresh_lag'),
    schedule_interval => INTERVAL '1 minute');
SELECT add_continuous_aggregate_policy('funding_rates_1d',
    start_offset => rollup_invalidation_horizon() + INTERVAL '1 day',
    end_offset => setting_interval('rollup_refresh_lag'),
    schedule_interval => INTERVAL '5 minutes');

SELECT add_retention_policy('funding_rates', drop_after => setting_interval('raw_retention'));
SELECT add_retention_policy('collection_runs', drop_after => setting_interval('collection_runs_retention'));
SELECT add_retention_policy('funding_rates_1h', drop_after => setting_interval('funding_rates_1h_retention'));
-- funding_rates_1d: no retention policy while funding_rates_1d_retention is NULL (kept); apply_retention() honours
-- a value set later.

CREATE PROCEDURE refresh_rollups()
LANGUAGE plpgsql
AS $$
BEGIN
    -- refresh_continuous_aggregate must not run inside a transaction block: CALL this procedure on its own.
    -- It requires the continuous aggregates' owner (fundingd); the policies do the same every minute anyway.
    CALL public.refresh_continuous_aggregate('public.funding_rates_1h',
        now() - public.rollup_invalidation_horizon(), now() - public.setting_interval('rollup_refresh_lag'));
    CALL public.refresh_continuous_aggregate('public.funding_rates_1d',
        now() - public.rollup_invalidation_horizon() - INTERVAL '1 day', now() - public.setting_interval('rollup_refresh_lag'));
END
$$;

COMMENT ON PROCEDURE refresh_rollups() IS
    'Bring funding_rates_1h and funding_rates_1d up to date now (Community: refresh_continuous_aggregate over the invalidation horizon). CALL it outside an explicit transaction block, as the owner.';

CREATE PROCEDURE apply_retention()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    t record;
    n integer;
BEGIN
    -- The retention policies do this on schedule; this applies the current settings immediately.
    FOR t IN
        SELECT * FROM (VALUES
            ('public.funding_rates'::regclass, public.setting_interval('raw_retention')),
            ('public.collection_runs'::regclass, public.setting_interval('collection_runs_retention')),
            ('public.funding_rates_1h'::regclass, public.setting_interval('funding_rates_1h_retention')),
            ('public.funding_rates_1d'::regclass, public.setting_interval('funding_rates_1d_retention'))
        ) AS v(rel, keep)
        WHERE keep IS NOT NULL
    LOOP
        SELECT count(*) INTO n FROM public.drop_chunks(t.rel, older_than => now() - t.keep);
        IF n > 0 THEN
            RAISE NOTICE 'apply_retention: dropped % chunk(s) of % older than %', n, t.rel, t.keep;
        END IF;
    END LOOP;
END
$$;

COMMENT ON PROCEDURE apply_retention() IS
    'Drop chunks older than the retention settings: funding_rates (raw_retention), collection_runs (collection_runs_retention), funding_rates_1h (funding_rates_1h_retention), funding_rates_1d (funding_rates_1d_retention, NULL = keep).';

REVOKE ALL ON PROCEDURE refresh_rollups() FROM PUBLIC;
REVOKE ALL ON PROCEDURE apply_retention() FROM PUBLIC;
