-- 0010 pg_cron jobs (only where the pg_cron extension exists, i.e. in the database named by cron.database_name).
--
-- Jobs (owned by and run as the role that runs this migration, fundingd):
--   fundingd_refresh_rollups     * * * * *   CALL public.refresh_rollups()   (apache edition only; Community
--   fundingd_apply_retention     7 * * * *   CALL public.apply_retention()    uses its own cagg/retention policies)
--   fundingd_cron_history_cleanup 23 * * * * delete cron.job_run_details older than setting cron_history_retention
--
-- SUPERUSER STEP (cluster bootstrap, before migrations): GRANT USAGE ON SCHEMA cron TO fundingd;
-- pg_cron's functions are executable by PUBLIC, its tables are row-level-secured to the scheduling user.
-- Without that grant this migration only warns; once granted, run SELECT schedule_cron_jobs(); as fundingd.

CREATE FUNCTION schedule_cron_jobs() RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    j record;
    n integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RAISE NOTICE 'pg_cron is not installed in database %: no jobs scheduled (refresh and retention must be run by other means: CALL refresh_rollups(); CALL apply_retention();)', current_database();
        RETURN 'skipped: no pg_cron';
    END IF;
    IF NOT has_schema_privilege('cron', 'USAGE') THEN
        RAISE WARNING 'role % lacks USAGE on schema cron: no jobs scheduled. As a superuser run GRANT USAGE ON SCHEMA cron TO %; then SELECT schedule_cron_jobs();', current_user, current_user;
        RETURN 'skipped: no USAGE on schema cron';
    END IF;

    FOR j IN
        SELECT * FROM (VALUES
            ('fundingd_refresh_rollups', '* * * * *', 'CALL public.refresh_rollups()', true),
            ('fundingd_apply_retention', '7 * * * *', 'CALL public.apply_retention()', true),
            ('fundingd_cron_history_cleanup', '23 * * * *',
             'DELETE FROM cron.job_run_details WHERE end_time < now() - public.setting_interval(''cron_history_retention'')',
             false)
        ) AS v(jobname, schedule, command, apache_only)
    LOOP
        -- Idempotent: drop any job of that name first (RLS shows only this role's jobs).
        EXECUTE 'SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = $1' USING j.jobname;
        IF j.apache_only AND current_setting('timescaledb.license', true) IS DISTINCT FROM 'apache' THEN
            CONTINUE;   -- Community edition: continuous aggregate and retention policies do this work
        END IF;
        EXECUTE 'SELECT cron.schedule($1, $2, $3)' USING j.jobname, j.schedule, j.command;
        n := n + 1;
    END LOOP;
    RETURN format('scheduled %s pg_cron job(s) in database %s', n, current_database());
END
$$;

COMMENT ON FUNCTION schedule_cron_jobs() IS
    'Owner tool: (re)schedule the fundingd_* pg_cron jobs idempotently; a NOTICE and no-op where pg_cron is absent. Returns what it did.';
REVOKE ALL ON FUNCTION schedule_cron_jobs() FROM PUBLIC;

SELECT schedule_cron_jobs();
