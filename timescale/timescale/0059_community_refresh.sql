-- 0059 (timescale / Community edition) refresh_rollups() as the roles table says, and in the right order.
--
-- 1. Order: funding_rates_1d is a hierarchical continuous aggregate on funding_rates_1h. Refreshing both in one
--    transaction left funding_rates_1d one call behind after a late row in an already materialised day (seen 3 of
--    3 on TimescaleDB 2.19.3): the 1d refresh must see the 1h refresh's committed invalidations. COMMIT between
--    the two (allowed: the procedure has no SET clause and no SECURITY DEFINER, and is CALLed on its own).
-- 2. Who may call it: refresh_continuous_aggregate() requires the continuous aggregate's owner and refuses to run
--    inside a SECURITY DEFINER routine (an atomic context), so the writer cannot be given the refresh through a
--    definer. Instead the two continuous aggregates are owned by the NOLOGIN role fundingd_rollups, of which the
--    owner fundingd and the writer are members (the cluster bootstrap creates it and grants the memberships:
--    schema/README.md "Superuser steps"). The writer thereby owns derived data only (the rollups can be rebuilt
--    from raw rows), not the raw tables or the reference data. Without the role the ownership stays with fundingd
--    and a NOTICE says so; the owner can still refresh, and the policies refresh every minute regardless.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_rollups')
       OR NOT pg_has_role(current_user, 'fundingd_rollups', 'MEMBER') THEN
        RAISE NOTICE 'role fundingd_rollups missing (or % not a member): the continuous aggregates stay owned by %, and only it can CALL refresh_rollups()', current_user, current_user;
    ELSIF NOT has_schema_privilege('fundingd_rollups', '_timescaledb_internal', 'CREATE') THEN
        -- TimescaleDB moves the aggregates' internal objects in _timescaledb_internal to the new owner, which
        -- therefore needs CREATE there at that moment; only a superuser can grant it (schema/README.md
        -- "Superuser steps"), so without it nothing changes and this says how to finish.
        RAISE NOTICE 'fundingd_rollups lacks CREATE on _timescaledb_internal: the continuous aggregates stay owned by %; as a superuser GRANT CREATE ON SCHEMA _timescaledb_internal TO fundingd_rollups, re-run this file''s DO block as %, then REVOKE it', current_user, current_user;
    ELSE
        -- A new owner also needs CREATE on the schema at the moment of ALTER ... OWNER only; it must not keep it
        -- (a writer able to create objects in public could shadow what the owner's SECURITY DEFINER code calls).
        GRANT CREATE ON SCHEMA public TO fundingd_rollups;
        ALTER MATERIALIZED VIEW public.funding_rates_1h OWNER TO fundingd_rollups;
        ALTER MATERIALIZED VIEW public.funding_rates_1d OWNER TO fundingd_rollups;
        REVOKE CREATE ON SCHEMA public FROM fundingd_rollups;
        -- The refresh materialises as the aggregates' owner: it reads the raw rows.
        GRANT SELECT ON public.funding_rates TO fundingd_rollups;
    END IF;
END
$$;

CREATE OR REPLACE PROCEDURE refresh_rollups()
LANGUAGE plpgsql
AS $$
BEGIN
    -- refresh_continuous_aggregate must not run inside a transaction block: CALL this procedure on its own.
    CALL public.refresh_continuous_aggregate('public.funding_rates_1h',
        now() - public.rollup_invalidation_horizon(), now() - public.setting_interval('rollup_refresh_lag'));
    -- The 1d aggregate reads 1h: let it see the 1h refresh committed.
    COMMIT;
    CALL public.refresh_continuous_aggregate('public.funding_rates_1d',
        now() - public.rollup_invalidation_horizon() - INTERVAL '1 day', now() - public.setting_interval('rollup_refresh_lag'));
END
$$;

COMMENT ON PROCEDURE refresh_rollups() IS
    'Bring funding_rates_1h and then funding_rates_1d up to date now (Community: refresh_continuous_aggregate over the invalidation horizon, a COMMIT between the two). CALL it outside an explicit transaction block, as the owner or the writer (members of fundingd_rollups, which owns the continuous aggregates).';
