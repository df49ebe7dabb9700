-- 0009 grants for fundingd_reader (read-only: API reader, Grafana, analysts) and fundingd_writer (the daemon).
--
-- reader: USAGE on schema public, SELECT on every table and view of the schema owned by the migration owner
--         (and, by default privileges, on future ones), EXECUTE on every routine PUBLIC may execute. No
--         INSERT/UPDATE/DELETE/TRUNCATE anywhere, no write routine.
-- writer: what reader has, plus EXECUTE on the write path and maintenance routines. Those are SECURITY DEFINER
--         (ingest_begin, ingest_apply, apply_retention and, on Apache, the refresh steps called by
--         refresh_rollups), so the writer holds no table write privilege at all.
-- Write routines are REVOKEd from PUBLIC where they are created; a future migration adding one must do the same
-- (new routines are executable by PUBLIC, hence by the reader, by PostgreSQL's default).
-- Roles that do not exist (the owner lacked CREATEROLE in 0001) are skipped with a NOTICE.

DO $$
DECLARE
    me regrole := current_user::regrole;
    rel regclass;
    fn regprocedure;
    r text;
    write_routines text[] := ARRAY[
        'public.ingest_begin()', 'public.ingest_apply(jsonb)',
        'public.refresh_rollups()', 'public.apply_retention()',
        'public.rollup_refresh_invalidated(text)', 'public.rollup_advance_watermark(text)'];
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE NOTICE 'role % does not exist: no grants for it (the cluster bootstrap must create it and re-run grants)', r;
            CONTINUE;
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
        FOR rel IN
            SELECT c.oid::regclass FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = me
              AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        LOOP
            EXECUTE format('GRANT SELECT ON %s TO %I', rel, r);
        END LOOP;
        FOR fn IN
            SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = me
              AND has_function_privilege('public', p.oid, 'EXECUTE')
              AND p.prorettype <> 'trigger'::regtype
        LOOP
            EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %I', fn, r);
        END LOOP;
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %I', r);
    END LOOP;

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        FOREACH r IN ARRAY write_routines LOOP
            IF to_regprocedure(r) IS NOT NULL THEN
                EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO fundingd_writer', r);
            END IF;
        END LOOP;
    END IF;
END
$$;
