-- 0079 retention_targets: hypertables added after 0014 register their retention in a table that apply_retention()
-- reads, instead of each migration replacing the procedure with one more line (0080 settled funding, 0091 trade flow
-- and 0092 positions each insert their row).

CREATE TABLE retention_targets (
    relation text PRIMARY KEY,
    setting  text NOT NULL REFERENCES fundingd_settings (name)
);

COMMENT ON TABLE retention_targets IS 'Hypertables whose chunks apply_retention() drops, beyond the ones it names itself (raw samples, runs, rollups, opportunity history): one row per relation with the fundingd_settings interval that keeps it.';
COMMENT ON COLUMN retention_targets.relation IS 'Schema-qualified hypertable name (public.funding_settlements).';
COMMENT ON COLUMN retention_targets.setting IS 'fundingd_settings name of its retention interval (NULL value = keep forever).';

-- apply_retention() as in 0014, plus every retention_targets row.
CREATE OR REPLACE PROCEDURE apply_retention()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    t record;
    n integer;
    v_apache boolean := to_regclass('public.rollup_invalidations') IS NOT NULL;
BEGIN
    IF v_apache THEN
        PERFORM pg_advisory_xact_lock(1718972004, 1);   -- never between a refresh's read of raw and its write
    END IF;
    FOR t IN
        SELECT v.rel, v.keep FROM (
            SELECT 'public.funding_rates'::regclass AS rel, public.setting_interval('raw_retention') AS keep
            UNION ALL SELECT 'public.collection_runs'::regclass, public.setting_interval('collection_runs_retention')
            UNION ALL SELECT 'public.opportunity_history'::regclass, public.setting_interval('opportunity_history_retention')
            UNION ALL SELECT to_regclass(r.relation), public.setting_interval(r.setting) FROM public.retention_targets r
            UNION ALL
            SELECT coalesce(to_regclass('public.' || d.rollup || '_materialized'), to_regclass('public.' || d.rollup)),
                   public.setting_interval(d.retention_setting)
            FROM public.rollup_definitions d
        ) AS v
        WHERE v.keep IS NOT NULL AND v.rel IS NOT NULL
    LOOP
        SELECT count(*) INTO n FROM public.drop_chunks(t.rel, older_than => now() - t.keep);
        IF n > 0 THEN
            RAISE NOTICE 'apply_retention: dropped % chunk(s) of % older than %', n, t.rel, t.keep;
        END IF;
    END LOOP;
    DELETE FROM public.opportunity_cycles
    WHERE cycle_time < now() - public.setting_interval('opportunity_history_retention');
    IF v_apache THEN
        -- Invalidations beyond the horizon can never be applied.
        DELETE FROM public.rollup_invalidations
        WHERE hi < now() - coalesce(public.rollup_invalidation_horizon(), INTERVAL '100 years');
    END IF;
END
$$;

COMMENT ON PROCEDURE apply_retention() IS
    'Drop chunks older than the retention settings: funding_rates (raw_retention), collection_runs (collection_runs_retention), funding_rates_1h (funding_rates_1h_retention), funding_rates_1d (funding_rates_1d_retention, NULL = keep), opportunity_history (opportunity_history_retention; also deletes older opportunity_cycles rows), and every retention_targets row (funding_settlements: settlements_retention, trade_flow_1m: trade_flow_retention, ...).';

