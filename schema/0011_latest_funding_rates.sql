-- 0011 analytics, part 1: per-market latest state with normalised rates and per-unit prices, fee helpers.
--
-- Units (docs/units.md): funding_rate is a fraction per funding interval; rate_1h = funding_rate /
-- funding_interval_hours; rate_8h = 8 x rate_1h; apr (percent) = rate_1h x 8760 x 100. Prices per one unit of the
-- symbol = venue price / markets.multiplier. Fees are fractions of notional per fill.

-- Raises invalid_parameter_value naming the parameter when p_ok is false; returns true otherwise (NULL p_ok = true:
-- an unset parameter is valid). IMMUTABLE so that constant arguments are checked once, at plan time.
CREATE FUNCTION require_parameter(p_ok boolean, p_name text, p_message text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
BEGIN
    IF p_ok IS FALSE THEN
        RAISE EXCEPTION 'invalid parameter %: %', p_name, p_message
            USING ERRCODE = 'invalid_parameter_value', HINT = p_name;
    END IF;
    RETURN true;
END
$$;

COMMENT ON FUNCTION require_parameter(boolean, text, text) IS
    'Analytics helper: raises invalid_parameter_value (message "invalid parameter <name>: <message>", HINT = the parameter name) when p_ok is false; returns true otherwise (NULL counts as valid).';

-- The fee of one dex for a fee type and a 30-day volume: the highest fee_tiers entry whose min_volume_30d <= volume_30d,
-- else the base maker_fee / taker_fee. NULL when the chosen fee is unknown (callers exclude such dexes).
CREATE FUNCTION dex_fee(p_maker_fee float8, p_taker_fee float8, p_fee_tiers jsonb, p_fee_type text,
                        p_volume_30d float8 DEFAULT NULL) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
    SELECT coalesce(
        (SELECT (t ->> (p_fee_type || '_fee'))::float8
         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_fee_tiers) = 'array' THEN p_fee_tiers END) AS t
         WHERE p_volume_30d IS NOT NULL
           AND (t ->> 'min_volume_30d')::float8 <= p_volume_30d
           AND t ? (p_fee_type || '_fee')
         ORDER BY (t ->> 'min_volume_30d')::float8 DESC
         LIMIT 1),
        CASE p_fee_type WHEN 'maker' THEN p_maker_fee WHEN 'taker' THEN p_taker_fee END)
$$;

COMMENT ON FUNCTION dex_fee(float8, float8, jsonb, text, float8) IS
    'Fee (fraction of notional per fill) of a dex for fee type ''maker'' or ''taker'': with a 30-day volume (USD), the fee of the highest fee_tiers entry whose min_volume_30d <= that volume; without one (or with no qualifying tier) the base maker_fee / taker_fee. NULL when unknown.';

-- One row per active market (markets.is_active on an active dex) that has a latest sample.
CREATE VIEW latest_funding_rates AS
SELECT d.name AS dex,
       s.symbol,
       m.dex_symbol,
       m.quote,
       m.multiplier,
       l.funding_rate,
       iv.hours AS funding_interval_hours,
       l.funding_rate / iv.hours AS rate_1h,
       l.funding_rate / iv.hours * 8 AS rate_8h,
       l.funding_rate / iv.hours * 876000 AS apr,
       l.predicted_rate,
       l.next_funding_time,
       l.mark_price / m.multiplier AS mark_price,
       l.index_price / m.multiplier AS index_price,
       l.open_interest_usd,
       l.volume_24h_usd,
       l.best_bid / m.multiplier AS best_bid,
       l.best_ask / m.multiplier AS best_ask,
       CASE WHEN l.best_bid > 0 AND l.best_ask > 0
            THEN (l.best_ask - l.best_bid) / ((l.best_ask + l.best_bid) / 2) * 10000 END AS spread_bps,
       l.time,
       extract(epoch FROM now() - l.time)::float8 AS age_seconds,
       m.id AS market_id,
       m.dex_id,
       m.symbol_id
FROM market_latest l
JOIN markets m ON m.id = l.market_id
JOIN dexes d ON d.id = m.dex_id
JOIN symbols s ON s.id = m.symbol_id
CROSS JOIN LATERAL (SELECT coalesce(l.funding_interval_hours, m.funding_interval_hours, d.funding_interval_hours)) AS iv(hours)
WHERE m.is_active AND d.is_active;

COMMENT ON VIEW latest_funding_rates IS
    'The newest sample of every active market (markets.is_active on an active dex), with interval-normalised rates and prices per one unit of the symbol (venue price / multiplier). No freshness filter: use time / age_seconds.';
COMMENT ON COLUMN latest_funding_rates.dex IS 'Dex name (dexes.name).';
COMMENT ON COLUMN latest_funding_rates.symbol IS 'Normalised base asset (symbols.symbol).';
COMMENT ON COLUMN latest_funding_rates.dex_symbol IS 'The venue''s own market symbol (e.g. 1000PEPEUSDT).';
COMMENT ON COLUMN latest_funding_rates.quote IS 'Quote / settlement asset (USDT, USDC, USD).';
COMMENT ON COLUMN latest_funding_rates.multiplier IS 'Units of the symbol per contract unit (1000 for 1000PEPE); prices below are already divided by it.';
COMMENT ON COLUMN latest_funding_rates.funding_rate IS 'Funding rate as the venue charges it: fraction per funding interval (0.0001 = 0.01% per interval).';
COMMENT ON COLUMN latest_funding_rates.funding_interval_hours IS 'Funding interval, hours (sample, else market, else dex default).';
COMMENT ON COLUMN latest_funding_rates.rate_1h IS 'funding_rate / funding_interval_hours: fraction per hour.';
COMMENT ON COLUMN latest_funding_rates.rate_8h IS '8 x rate_1h: fraction per 8 hours (the unit for comparing venues).';
COMMENT ON COLUMN latest_funding_rates.apr IS 'rate_1h x 8760 x 100: annualised rate, percent (simple, not compounded).';
COMMENT ON COLUMN latest_funding_rates.predicted_rate IS 'Venue''s predicted next funding rate, fraction per funding interval (NULL if not offered).';
COMMENT ON COLUMN latest_funding_rates.next_funding_time IS 'Next funding settlement time (timestamptz).';
COMMENT ON COLUMN latest_funding_rates.mark_price IS 'Mark price per one unit of the symbol, quote currency (venue mark / multiplier).';
COMMENT ON COLUMN latest_funding_rates.index_price IS 'Index price per one unit of the symbol, quote currency (venue index / multiplier).';
COMMENT ON COLUMN latest_funding_rates.open_interest_usd IS 'Open interest, USD.';
COMMENT ON COLUMN latest_funding_rates.volume_24h_usd IS 'Trailing 24 h traded volume, USD.';
COMMENT ON COLUMN latest_funding_rates.best_bid IS 'Best bid per one unit of the symbol, quote currency.';
COMMENT ON COLUMN latest_funding_rates.best_ask IS 'Best ask per one unit of the symbol, quote currency.';
COMMENT ON COLUMN latest_funding_rates.spread_bps IS '(best_ask - best_bid) / mid x 10^4, basis points (mid = (bid + ask) / 2; NULL without a positive bid and ask).';
COMMENT ON COLUMN latest_funding_rates.time IS 'Sample time of the newest sample (freshness is judged by it).';
COMMENT ON COLUMN latest_funding_rates.age_seconds IS 'now() - time, seconds.';
COMMENT ON COLUMN latest_funding_rates.market_id IS 'markets.id.';
COMMENT ON COLUMN latest_funding_rates.dex_id IS 'dexes.id.';
COMMENT ON COLUMN latest_funding_rates.symbol_id IS 'symbols.id.';
