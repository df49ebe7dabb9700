-- 0095 The Hyperliquid position scanner's calls.
--
-- The scanner (fundingd, FUNDINGD_HYPERLIQUID_ADDRESSES or the demo) asks Hyperliquid for one account's positions
-- at a time ({"type": "clearinghouseState", "user": address}) and writes each answer here. Which address is next,
-- and whether an address is scanned often (tier priority: a position near liquidation) or in the background, is
-- decided in SQL from the stored positions and the latest marks:
--   * hyperliquid_track_addresses(addresses, source, max_discovered): adds addresses to scan (configured, or
--     discovered from large public trades, up to a cap);
--   * hyperliquid_due_addresses(limit, priority_every, background_every): the addresses most overdue;
--   * hyperliquid_positions_apply(address, time, positions, priority_pct): one scan's positions, the address's
--     last_scanned_at and its tier, in one transaction.

-- Configured addresses stay configured; a discovered address listed by the operator becomes configured. Discovered
-- addresses are added only while fewer than p_max_discovered are tracked (the busiest traders come first anyway).
CREATE FUNCTION hyperliquid_track_addresses(p_addresses text[], p_source text, p_max_discovered integer DEFAULT 2000)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    added integer;
    room integer;
BEGIN
    IF p_source IS NULL OR p_source NOT IN ('configured', 'discovered') THEN
        RAISE EXCEPTION 'hyperliquid_track_addresses: p_source must be configured or discovered, not %', p_source
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_max_discovered IS NULL OR p_max_discovered < 0 THEN
        RAISE EXCEPTION 'hyperliquid_track_addresses: p_max_discovered must be >= 0' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Serialises concurrent callers, so the cap holds.
    LOCK TABLE public.hyperliquid_addresses IN SHARE ROW EXCLUSIVE MODE;
    room := CASE WHEN p_source = 'configured' THEN NULL
                 ELSE greatest(0, p_max_discovered - (SELECT count(*) FROM public.hyperliquid_addresses
                                                      WHERE source = 'discovered')::integer) END;
    WITH input AS (
        SELECT DISTINCT lower(a) AS address FROM unnest(p_addresses) AS a WHERE lower(a) ~ '^0x[0-9a-f]{40}$'
    ), fresh AS (
        SELECT i.address FROM input i
        WHERE p_source = 'configured'
           OR NOT EXISTS (SELECT 1 FROM public.hyperliquid_addresses h WHERE h.address = i.address)
        ORDER BY i.address
        LIMIT room
    ), upserted AS (
        INSERT INTO public.hyperliquid_addresses AS h (address, source)
        SELECT address, p_source FROM fresh ORDER BY address
        ON CONFLICT (address) DO UPDATE SET source = 'configured'
            WHERE excluded.source = 'configured' AND h.source <> 'configured'
        RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted) INTO added FROM upserted;
    RETURN added;
END
$$;

COMMENT ON FUNCTION hyperliquid_track_addresses(text[], text, integer) IS
    'Adds Hyperliquid addresses to scan (case-insensitive; anything that is not 0x + 40 hex digits is ignored) with source p_source (configured or discovered); a discovered address listed again as configured becomes configured, never the reverse. Discovered addresses are added only while fewer than p_max_discovered (default 2000) discovered ones are tracked. Returns the number of addresses added. Writer only.';

-- Overdue = time since the last scan over the tier's period: both tiers advance in proportion to their periods, so
-- a crowd of priority addresses slows the background scan down without stopping it.
CREATE FUNCTION hyperliquid_due_addresses(p_limit integer, p_priority_every interval, p_background_every interval)
RETURNS TABLE (address text, tier text, last_scanned_at timestamptz)
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
SELECT h.address, h.tier, h.last_scanned_at
FROM public.hyperliquid_addresses h
CROSS JOIN LATERAL (SELECT CASE h.tier WHEN 'priority' THEN p_priority_every ELSE p_background_every END AS every) p
WHERE public.require_parameter(p_limit > 0, 'p_limit', 'must be > 0')
  AND public.require_parameter(p_priority_every > interval '0' AND p_background_every > interval '0',
                               'p_priority_every', 'both periods must be positive')
  AND (h.last_scanned_at IS NULL OR h.last_scanned_at <= now() - p.every)
ORDER BY h.last_scanned_at IS NOT NULL,
         extract(epoch FROM now() - h.last_scanned_at) / extract(epoch FROM p.every) DESC,
         h.address
LIMIT p_limit
$$;

COMMENT ON FUNCTION hyperliquid_due_addresses(integer, interval, interval) IS
    'Up to p_limit Hyperliquid addresses due for a scan: never scanned first, then by how overdue they are (time since last_scanned_at over the tier''s period: p_priority_every for tier priority, p_background_every for background). Writer only.';

-- p_positions: [{"coin", "size", "entry_price", "liquidation_price", "leverage", "leverage_type", "margin_used_usd",
-- "position_value_usd"}] (null or absent numbers stay NULL). An address with a position whose liquidation price is
-- within p_priority_pct percent of its coin's latest Hyperliquid mark becomes tier priority, otherwise background.
CREATE FUNCTION hyperliquid_positions_apply(p_address text, p_time timestamptz, p_positions jsonb,
                                            p_priority_pct float8 DEFAULT 5)
RETURNS TABLE (positions integer, tier text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    written integer;
    new_tier text;
BEGIN
    IF jsonb_typeof(p_positions) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'hyperliquid_positions_apply: p_positions must be a JSON array' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_priority_pct IS NULL OR NOT p_priority_pct >= 0 THEN
        RAISE EXCEPTION 'hyperliquid_positions_apply: p_priority_pct must be >= 0' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_time IS NULL OR NOT isfinite(p_time) THEN
        RAISE EXCEPTION 'hyperliquid_positions_apply: p_time must be a finite time' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM 1 FROM public.hyperliquid_addresses WHERE address = p_address FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'hyperliquid_positions_apply: unknown address %', p_address USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO public.hyperliquid_positions (time, address, coin, size, entry_price, liquidation_price, leverage,
                                              leverage_type, margin_used_usd, position_value_usd)
    SELECT p_time, p_address, x.coin, x.size, x.entry_price, x.liquidation_price, x.leverage, x.leverage_type,
           x.margin_used_usd, x.position_value_usd
    FROM jsonb_to_recordset(p_positions) AS x(coin text, size float8, entry_price float8, liquidation_price float8,
                                              leverage float8, leverage_type text, margin_used_usd float8,
                                              position_value_usd float8)
    WHERE x.coin IS NOT NULL AND x.size IS NOT NULL
    ON CONFLICT (address, coin, time) DO NOTHING;
    GET DIAGNOSTICS written = ROW_COUNT;

    SELECT CASE WHEN EXISTS (
               SELECT 1
               FROM jsonb_to_recordset(p_positions) AS x(coin text, size float8, liquidation_price float8)
               JOIN public.dexes d ON d.name = 'hyperliquid'
               JOIN public.markets m ON m.dex_id = d.id AND m.dex_symbol = x.coin
               JOIN public.market_latest l ON l.market_id = m.id
               WHERE x.size <> 0 AND x.liquidation_price > 0 AND l.mark_price > 0
                 AND abs(x.liquidation_price / l.mark_price - 1) * 100 <= p_priority_pct)
           THEN 'priority' ELSE 'background' END
    INTO new_tier;
    UPDATE public.hyperliquid_addresses SET last_scanned_at = p_time, tier = new_tier WHERE address = p_address;
    RETURN QUERY SELECT written, new_tier;
END
$$;

COMMENT ON FUNCTION hyperliquid_positions_apply(text, timestamptz, jsonb, float8) IS
    'Writes one scan of a tracked Hyperliquid address: p_positions = [{"coin", "size" (signed, coins), "entry_price", "liquidation_price" (USD per coin, null when the account cannot be liquidated), "leverage", "leverage_type" (cross / isolated), "margin_used_usd", "position_value_usd"}] at scan time p_time (an empty array = no open position). Sets the address''s last_scanned_at = p_time (so these rows become its current positions) and its tier: priority when a position''s liquidation price lies within p_priority_pct (default 5) percent of the coin''s latest Hyperliquid mark, else background. Returns positions written and the tier. Writer only.';

REVOKE ALL ON FUNCTION hyperliquid_track_addresses(text[], text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION hyperliquid_due_addresses(integer, interval, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION hyperliquid_positions_apply(text, timestamptz, jsonb, float8) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION hyperliquid_track_addresses(text[], text, integer) TO fundingd_writer;
        GRANT EXECUTE ON FUNCTION hyperliquid_due_addresses(integer, interval, interval) TO fundingd_writer;
        GRANT EXECUTE ON FUNCTION hyperliquid_positions_apply(text, timestamptz, jsonb, float8) TO fundingd_writer;
    END IF;
END
$$;

-- The boards' descriptions said the scanner was not running yet.
UPDATE leaderboards SET description = 'Hyperliquid markets by the notional of scanned positions whose liquidation price is within 5 % of the mark (|size| x liquidation price). Filled by the position scanner (FUNDINGD_HYPERLIQUID_ADDRESSES): empty while no address is scanned.'
WHERE name = 'liquidation_risk';
UPDATE leaderboards SET description = 'Hyperliquid markets by their largest scanned position (|size| x mark); metrics name the address. Filled by the position scanner (FUNDINGD_HYPERLIQUID_ADDRESSES): empty while no address is scanned.'
WHERE name = 'whale_positions';
