-- 0015 grants for the analytics objects of 0011-0014 (same rules as 0009).
--
-- fundingd_reader / fundingd_writer: SELECT on every table and view (opportunity_history, opportunity_cycles,
-- latest_funding_rates, best_opportunities, opportunity_persistence, ...), EXECUTE on every routine PUBLIC may
-- execute (opportunities, funding_rankings, funding_stats, funding_stats_by_symbol, dex_fee, require_parameter),
-- USAGE on the result types. The write routines record_opportunity_history and ingest_cycle_hook are REVOKEd from
-- PUBLIC in 0014 and granted to nobody: only ingest_apply() (SECURITY DEFINER, owner) calls them.

DO $$
DECLARE
    me regrole := current_user::regrole;
    rel regclass;
    fn regprocedure;
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE NOTICE 'role % does not exist: no grants for it', r;
            CONTINUE;
        END IF;
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
        EXECUTE format('GRANT USAGE ON TYPE public.opportunity, public.funding_ranking TO %I', r);
    END LOOP;
END
$$;
