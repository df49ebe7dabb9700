-- 0043 the venues' descriptors write their dexes rows.
--
-- A venue's metadata (display name, kind, default API base URL, usual funding interval) has one source: the
-- adapter's descriptor in Sources/FundingVenues. After migrating, the daemon (as the owner) calls this function once
-- per registered venue, so the rows always say what the code does. Fees are not touched: they live in migrations
-- (0003 and the later seed migrations) and are edited by operators.

CREATE FUNCTION sync_dex_descriptor(p_name text, p_display_name text, p_kind text, p_api_base_url text,
                                    p_funding_interval_hours float8)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, public
AS $$
    INSERT INTO dexes (name, display_name, kind, api_base_url, funding_interval_hours)
    VALUES (p_name, p_display_name, p_kind, p_api_base_url, p_funding_interval_hours)
    ON CONFLICT (name) DO UPDATE
        SET display_name = EXCLUDED.display_name, kind = EXCLUDED.kind, api_base_url = EXCLUDED.api_base_url,
            funding_interval_hours = EXCLUDED.funding_interval_hours
        WHERE (dexes.display_name, dexes.kind, dexes.api_base_url, dexes.funding_interval_hours)
              IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.kind, EXCLUDED.api_base_url,
                                EXCLUDED.funding_interval_hours);
$$;

COMMENT ON FUNCTION sync_dex_descriptor(text, text, text, text, float8) IS
    'Upserts a venue''s descriptor (display_name, kind, api_base_url, funding_interval_hours) into dexes; never touches fees. Called by the daemon as the owner after migrations, once per registered venue.';

-- A write routine: owner only (0009's rule), so neither the reader nor the writer can rename a venue.
REVOKE ALL ON FUNCTION sync_dex_descriptor(text, text, text, text, float8) FROM PUBLIC;
