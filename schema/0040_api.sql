-- 0040 API support: dex health and markets views, the admin fee update, funding history and its statistics.
--
-- The HTTP API (Sources/FundingAPI) calls these with bound parameters; no SQL text lives in Swift beyond the call.
-- Views are readable by fundingd_reader through 0009's default privileges; set_dex_fees is executable only by
-- fundingd_writer (the API's admin connection).

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('health_stale_after', '5 minutes',
     'interval: a dex whose newest sample is older than this (or that has consecutive errors) is degraded.'),
    ('health_down_after', '30 minutes',
     'interval: a dex with no sample newer than this (or none at all) is unhealthy.')
ON CONFLICT (name) DO NOTHING;

-- One row per active dex: freshness, errors and the derived status used by GET /api/v1/health and /dexes.
CREATE VIEW dex_health AS
SELECT d.name AS dex,
       d.display_name,
       d.kind,
       d.maker_fee,
       d.taker_fee,
       d.fee_tiers,
       d.funding_interval_hours,
       d.collection_interval_seconds,
       coalesce(mk.markets, 0) AS markets,
       mk.newest_data,
       extract(epoch FROM now() - mk.newest_data)::float8 AS data_age_seconds,
       d.last_successful_fetch,
       d.last_error_at,
       d.last_error,
       d.consecutive_errors,
       run.started_at AS last_run_at,
       run.status AS last_run_status,
       CASE
           WHEN mk.newest_data IS NULL OR now() - mk.newest_data > setting_interval('health_down_after')
               THEN 'unhealthy'
           WHEN now() - mk.newest_data > setting_interval('health_stale_after') OR d.consecutive_errors > 0
                OR run.status IN ('failed', 'partial')
               THEN 'degraded'
           ELSE 'healthy'
       END AS status,
       d.updated_at
FROM dexes d
LEFT JOIN LATERAL (
    SELECT count(*)::int AS markets, max(l.time) AS newest_data
    FROM markets m LEFT JOIN market_latest l ON l.market_id = m.id
    WHERE m.dex_id = d.id AND m.is_active
) mk ON true
LEFT JOIN LATERAL (
    SELECT r.started_at, r.status FROM collection_runs r
    WHERE r.dex = d.name ORDER BY r.started_at DESC LIMIT 1
) run ON true
WHERE d.is_active;

COMMENT ON VIEW dex_health IS 'One row per active dex: fees, market count, newest sample (newest_data, data_age_seconds in seconds), last collection run and its status, error counters, and status = healthy | degraded (older than setting health_stale_after, consecutive errors, or a failed/partial last run) | unhealthy (no sample newer than health_down_after).';
COMMENT ON COLUMN dex_health.status IS 'healthy | degraded | unhealthy (see the view comment).';
COMMENT ON COLUMN dex_health.data_age_seconds IS 'Seconds since the newest sample of any active market of the dex (NULL: no data).';

-- Every active market with its latest sample, by names.
CREATE VIEW dex_markets AS
SELECT d.name AS dex,
       s.symbol,
       m.dex_symbol,
       m.quote,
       m.margin,
       m.multiplier,
       coalesce(l.funding_interval_hours, m.funding_interval_hours, d.funding_interval_hours) AS funding_interval_hours,
       l.funding_rate,
       l.open_interest_usd,
       l.volume_24h_usd,
       l.time AS last_update,
       m.first_seen
FROM markets m
JOIN dexes d ON d.id = m.dex_id
JOIN symbols s ON s.id = m.symbol_id
LEFT JOIN market_latest l ON l.market_id = m.id
WHERE m.is_active AND d.is_active;

COMMENT ON VIEW dex_markets IS 'Active markets by name with their latest funding rate (fraction per interval), interval (hours), open interest and 24 h volume (USD) and last_update (newest sample time).';

-- Admin: replace a dex's base fees and tiers. Validates what it stores; the next opportunities() call uses it.
CREATE FUNCTION set_dex_fees(p_dex text, p_maker_fee float8, p_taker_fee float8, p_fee_tiers jsonb)
RETURNS TABLE (dex text, maker_fee float8, taker_fee float8, fee_tiers jsonb, updated_at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    t jsonb;
    prev float8 := NULL;
BEGIN
    IF p_maker_fee IS NULL OR p_taker_fee IS NULL OR p_maker_fee NOT BETWEEN -0.01 AND 0.01
       OR p_taker_fee NOT BETWEEN -0.01 AND 0.01 THEN
        RAISE EXCEPTION 'maker_fee and taker_fee must be fractions between -0.01 and 0.01'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_fee_tiers IS NOT NULL THEN
        IF jsonb_typeof(p_fee_tiers) <> 'array' THEN
            RAISE EXCEPTION 'fee_tiers must be an array' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        FOR t IN SELECT * FROM jsonb_array_elements(p_fee_tiers) LOOP
            IF jsonb_typeof(t) <> 'object' OR jsonb_typeof(t -> 'min_volume_30d') <> 'number'
               OR jsonb_typeof(t -> 'maker_fee') <> 'number' OR jsonb_typeof(t -> 'taker_fee') <> 'number'
               OR (t ->> 'min_volume_30d')::float8 < 0
               OR (t ->> 'maker_fee')::float8 NOT BETWEEN -0.01 AND 0.01
               OR (t ->> 'taker_fee')::float8 NOT BETWEEN -0.01 AND 0.01 THEN
                RAISE EXCEPTION 'each fee tier needs numeric min_volume_30d >= 0, maker_fee and taker_fee between -0.01 and 0.01'
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF prev IS NOT NULL AND (t ->> 'min_volume_30d')::float8 <= prev THEN
                RAISE EXCEPTION 'fee_tiers must be ascending by min_volume_30d' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            prev := (t ->> 'min_volume_30d')::float8;
        END LOOP;
    END IF;
    RETURN QUERY
    UPDATE dexes d SET maker_fee = p_maker_fee, taker_fee = p_taker_fee, fee_tiers = p_fee_tiers
    WHERE d.name = p_dex
    RETURNING d.name, d.maker_fee, d.taker_fee, d.fee_tiers, d.updated_at;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown dex "%"', p_dex USING ERRCODE = 'no_data_found';
    END IF;
END
$$;

COMMENT ON FUNCTION set_dex_fees(text, float8, float8, jsonb) IS
    'Admin: set a dex''s base maker/taker fees (fractions of notional per fill, -0.01..0.01) and optional tiers (array of {min_volume_30d, maker_fee, taker_fee}, ascending). Raises invalid_parameter_value on bad input and no_data_found on an unknown dex. Executable by fundingd_writer only.';

REVOKE ALL ON FUNCTION set_dex_fees(text, float8, float8, jsonb) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION set_dex_fees(text, float8, float8, jsonb) TO fundingd_writer;
    END IF;
END
$$;

-- Funding history of every market of one symbol on one dex: raw samples or the 1h / 1d rollups.
CREATE FUNCTION funding_history(p_dex text, p_symbol text, p_from timestamptz, p_to timestamptz,
                                p_interval text DEFAULT 'raw')
RETURNS TABLE (dex_symbol text, quote text, "time" timestamptz, funding_rate float8, funding_interval_hours float8,
               rate_8h float8, rate_min float8, rate_max float8, sample_count int, mark_price float8,
               open_interest_usd float8, volume_24h_usd float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF p_interval = 'raw' THEN
        RETURN QUERY
        SELECT m.dex_symbol, m.quote, f.time, f.funding_rate, f.funding_interval_hours,
               f.funding_rate / f.funding_interval_hours * 8, f.funding_rate, f.funding_rate, 1,
               f.mark_price / m.multiplier, f.open_interest_usd, f.volume_24h_usd
        FROM markets m JOIN dexes d ON d.id = m.dex_id JOIN symbols s ON s.id = m.symbol_id
        JOIN funding_rates f ON f.market_id = m.id
        WHERE d.name = p_dex AND s.symbol = p_symbol AND f.time >= p_from AND f.time < p_to
        ORDER BY m.dex_symbol, f.time;
    ELSIF p_interval IN ('1h', '1d') THEN
        -- Both rollups have the same columns (one rollup_select() definition): pick one by p_interval.
        RETURN QUERY
        SELECT m.dex_symbol, m.quote, r.bucket, r.rate_avg, r.funding_interval_hours,
               r.rate_avg / r.funding_interval_hours * 8, r.rate_min, r.rate_max, r.sample_count::int,
               r.mark_price_last / m.multiplier, r.oi_usd_avg, r.volume_24h_usd_avg
        FROM markets m JOIN dexes d ON d.id = m.dex_id JOIN symbols s ON s.id = m.symbol_id
        JOIN (SELECT * FROM funding_rates_1h WHERE p_interval = '1h'
              UNION ALL
              SELECT * FROM funding_rates_1d WHERE p_interval = '1d') r ON r.market_id = m.id
        WHERE d.name = p_dex AND s.symbol = p_symbol AND r.bucket >= p_from AND r.bucket < p_to
        ORDER BY m.dex_symbol, r.bucket;
    ELSE
        RAISE EXCEPTION 'interval must be raw, 1h or 1d' USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

COMMENT ON FUNCTION funding_history(text, text, timestamptz, timestamptz, text) IS
    'Funding history of every market of symbol p_symbol on dex p_dex in [p_from, p_to): p_interval raw (one row per sample, rate_min = rate_max = funding_rate, sample_count 1) or 1h / 1d (one row per rollup bucket: funding_rate = mean rate per interval, rate_min/rate_max, sample_count, last mark price, mean OI and volume). rate_8h = rate / interval hours x 8; mark_price per unit (divided by the multiplier).';

-- Statistics over the same window, per market: exact over raw samples, merged from rollup sums otherwise.
CREATE FUNCTION funding_history_stats(p_dex text, p_symbol text, p_from timestamptz, p_to timestamptz,
                                      p_interval text DEFAULT 'raw')
RETURNS TABLE (dex_symbol text, samples bigint, mean_rate float8, min_rate float8, max_rate float8,
               stddev_rate float8, mean_rate_8h float8, mean_apr float8, first_time timestamptz,
               last_time timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF p_interval = 'raw' THEN
        RETURN QUERY
        SELECT m.dex_symbol, count(*), avg(f.funding_rate), min(f.funding_rate), max(f.funding_rate),
               stddev_samp(f.funding_rate), avg(f.funding_rate / f.funding_interval_hours * 8),
               avg(f.funding_rate / f.funding_interval_hours) * 8760 * 100, min(f.time), max(f.time)
        FROM markets m JOIN dexes d ON d.id = m.dex_id JOIN symbols s ON s.id = m.symbol_id
        JOIN funding_rates f ON f.market_id = m.id
        WHERE d.name = p_dex AND s.symbol = p_symbol AND f.time >= p_from AND f.time < p_to
        GROUP BY m.dex_symbol ORDER BY m.dex_symbol;
    ELSIF p_interval IN ('1h', '1d') THEN
        RETURN QUERY
        WITH b AS (
            SELECT m.dex_symbol, r.bucket, r.sample_count, r.rate_min, r.rate_max, r.rate_sum, r.rate_sum_sq,
                   r.funding_interval_hours
            FROM markets m JOIN dexes d ON d.id = m.dex_id JOIN symbols s ON s.id = m.symbol_id
            JOIN (SELECT * FROM funding_rates_1h WHERE p_interval = '1h'
                  UNION ALL
                  SELECT * FROM funding_rates_1d WHERE p_interval = '1d') r ON r.market_id = m.id
            WHERE d.name = p_dex AND s.symbol = p_symbol AND r.bucket >= p_from AND r.bucket < p_to
        )
        SELECT b.dex_symbol, sum(b.sample_count)::bigint, sum(b.rate_sum) / sum(b.sample_count), min(b.rate_min),
               max(b.rate_max),
               CASE WHEN sum(b.sample_count) > 1 THEN
                   sqrt(greatest(0, (sum(b.rate_sum_sq) - sum(b.rate_sum) ^ 2 / sum(b.sample_count))
                                    / (sum(b.sample_count) - 1))) END,
               sum(b.rate_sum / b.funding_interval_hours * 8) / sum(b.sample_count),
               sum(b.rate_sum / b.funding_interval_hours) / sum(b.sample_count) * 8760 * 100,
               min(b.bucket), max(b.bucket)
        FROM b GROUP BY b.dex_symbol ORDER BY b.dex_symbol;
    ELSE
        RAISE EXCEPTION 'interval must be raw, 1h or 1d' USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

COMMENT ON FUNCTION funding_history_stats(text, text, timestamptz, timestamptz, text) IS
    'Per market of p_symbol on p_dex over [p_from, p_to): samples (count), mean/min/max/stddev of the funding rate (fraction per interval), mean rate_8h, mean APR (percent), first and last sample/bucket time. Raw: exact aggregates; 1h / 1d: merged from the rollups'' sums (stddev from rate_sum and rate_sum_sq).';
