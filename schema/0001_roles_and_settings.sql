-- 0001 roles and settings
--
-- Runs as the database owner (fundingd) inside one transaction.
-- The cluster bootstrap normally creates fundingd_writer and fundingd_reader (LOGIN) as a superuser;
-- here they are only created (NOLOGIN) when missing, and a missing CREATEROLE privilege is tolerated.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_writer', 'fundingd_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'role % is missing and % may not create it: the cluster bootstrap must run CREATE ROLE % LOGIN', r, current_user, r;
            END;
        END IF;
    END LOOP;
END
$$;

-- Operator-tunable settings. Every retention / horizon used by the SQL reads this table; no literal elsewhere.
CREATE TABLE fundingd_settings (
    name        text PRIMARY KEY,
    value       text,
    description text NOT NULL
);

COMMENT ON TABLE fundingd_settings IS
    'Operator-tunable settings of the fundingd schema (retention horizons, rollup refresh tuning). Values are text; use setting_interval(name) / setting_value(name) to read them. A NULL value means "unset" (e.g. keep forever).';
COMMENT ON COLUMN fundingd_settings.name IS 'Setting name (e.g. raw_retention).';
COMMENT ON COLUMN fundingd_settings.value IS 'Setting value as text; intervals in PostgreSQL interval syntax (''30 days''); NULL = unset / unlimited.';
COMMENT ON COLUMN fundingd_settings.description IS 'What the setting controls, with its unit.';

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('raw_retention', '30 days',
     'interval: funding_rates chunks entirely older than now() - this are dropped by apply_retention(); ingest_apply() drops (and counts as rows_too_old) rows older than now() - this.'),
    ('collection_runs_retention', '7 days',
     'interval: collection_runs chunks older than now() - this are dropped.'),
    ('funding_rates_1h_retention', '400 days',
     'interval: funding_rates_1h buckets older than now() - this are dropped.'),
    ('funding_rates_1d_retention', NULL,
     'interval: funding_rates_1d buckets older than now() - this are dropped; NULL keeps them forever.'),
    ('rollup_invalidation_horizon', '30 days',
     'interval: changes to raw rows older than now() - this are never re-aggregated into rollups (their raw chunks may be gone). Must not exceed raw_retention; the smaller of the two is used.'),
    ('rollup_refresh_lag', '2 minutes',
     'interval: a rollup bucket is materialised only once now() - this has passed its end (rows arrive up to one collection cycle late); newer buckets are aggregated live by the real-time views.'),
    ('rollup_refresh_batch_buckets', '24',
     'integer: at most this many buckets are materialised per transaction when the watermark advances (Apache edition).'),
    ('cron_history_retention', '7 days',
     'interval: cron.job_run_details rows older than now() - this are deleted by the fundingd_cron_history_cleanup job.');

CREATE FUNCTION setting_value(p_name text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$ SELECT value FROM public.fundingd_settings WHERE name = p_name $$;

COMMENT ON FUNCTION setting_value(text) IS
    'Raw text value of a fundingd_settings row (NULL when unset or unknown).';

CREATE FUNCTION setting_interval(p_name text) RETURNS interval
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v text;
BEGIN
    SELECT value INTO v FROM public.fundingd_settings WHERE name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown fundingd setting "%"', p_name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN v::interval;
END
$$;

COMMENT ON FUNCTION setting_interval(text) IS
    'A fundingd_settings value as an interval (NULL = unset, e.g. keep forever). Raises undefined_object for an unknown name, so a typo never silently disables retention.';
