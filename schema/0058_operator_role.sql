-- 0058 roles exactly as documented (docs/operations.md "Roles"):
--   fundingd_writer   the collector: the write path (ingest_begin, ingest_apply) and maintenance (refresh_rollups,
--                     apply_retention), plus reads. No longer set_dex_fees (0040 granted it for the API's admin
--                     route): a leaked collector password must not change the fees every opportunity is net of.
--   fundingd_operator the API's admin route: set_dex_fees() only (USAGE on the schema to reach it), no reads, no
--                     write path.
-- Like 0001 the role is created NOLOGIN when missing and the owner may create roles; the cluster bootstrap creates
-- it LOGIN with a password (LocalCluster, docs/containers/initdb-fundingd.sh, schema/README.md "Superuser steps").

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_operator') THEN
        BEGIN
            CREATE ROLE fundingd_operator NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'role fundingd_operator is missing and % may not create it: the cluster bootstrap must run CREATE ROLE fundingd_operator LOGIN, then re-run this file''s grants', current_user;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        REVOKE EXECUTE ON FUNCTION set_dex_fees(text, float8, float8, jsonb) FROM fundingd_writer;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_operator') THEN
        GRANT USAGE ON SCHEMA public TO fundingd_operator;
        GRANT EXECUTE ON FUNCTION set_dex_fees(text, float8, float8, jsonb) TO fundingd_operator;
    END IF;
END
$$;

COMMENT ON FUNCTION set_dex_fees(text, float8, float8, jsonb) IS
    'Admin: set a dex''s base maker/taker fees (fractions of notional per fill, -0.01..0.01) and optional tiers (array of {min_volume_30d, maker_fee, taker_fee}, ascending). Raises invalid_parameter_value on bad input and no_data_found on an unknown dex. Executable by fundingd_operator only (the API''s admin connection).';
