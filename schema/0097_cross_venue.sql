-- 0097 The cross-venue view: per symbol, its markets on every venue taken together.
--
--   * cross_venue_symbols(window, max_age): per symbol, the venues quoting it, total 24h volume and open interest,
--     the volume-weighted price change and the open-interest change over the window (both from the markets that
--     have a reference sample, so a venue listing the symbol mid-window is not growth), and the dispersion of its
--     funding (APR mean, min, max, standard deviation, max - min) across its markets;
--   * the board cross_venue, ranking symbols by their open-interest change (percent, largest magnitude first) over the
--     window, each shown on its highest-volume market, the aggregates in metrics.
-- GET /api/v1/markets/{symbol} answers one symbol's row and its markets.

CREATE FUNCTION cross_venue_symbols(p_window interval DEFAULT interval '24 hours',
                                    p_max_age interval DEFAULT interval '15 minutes')
RETURNS TABLE (symbol text, venues integer, markets integer, lead_market_id integer, volume_24h_usd float8,
               open_interest_usd float8, price_change_pct float8, oi_reference_usd float8, oi_change_usd float8,
               oi_change_pct float8, apr_mean float8, apr_min float8, apr_max float8, apr_stddev float8,
               apr_spread float8, reference_markets integer, latest_time timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public
SET work_mem = '32MB'   -- as leaderboard(): the reference samples' DISTINCT ON
AS $$
WITH fresh AS (
    SELECT v.market_id, v.symbol, v.dex, v.apr, v.volume_24h_usd, v.open_interest_usd, v.time,
           c.price_change_pct, c.oi_reference_usd, c.market_id IS NOT NULL AS has_reference
    FROM public.latest_funding_rates v
    LEFT JOIN public.leaderboard_changes(p_window) c ON c.market_id = v.market_id
    WHERE public.require_parameter(p_window > interval '0', 'p_window', 'must be positive')
      AND public.require_parameter(p_max_age > interval '0', 'p_max_age', 'must be positive')
      AND v.time >= now() - p_max_age
)
SELECT f.symbol,
       count(DISTINCT f.dex)::integer,
       count(*)::integer,
       (array_agg(f.market_id ORDER BY f.volume_24h_usd DESC NULLS LAST, f.dex, f.market_id))[1],
       sum(f.volume_24h_usd),
       sum(f.open_interest_usd),
       sum(f.price_change_pct * f.volume_24h_usd) FILTER (WHERE f.price_change_pct IS NOT NULL AND f.volume_24h_usd > 0)
           / nullif(sum(f.volume_24h_usd) FILTER (WHERE f.price_change_pct IS NOT NULL AND f.volume_24h_usd > 0), 0),
       sum(f.oi_reference_usd) FILTER (WHERE f.open_interest_usd IS NOT NULL AND f.oi_reference_usd IS NOT NULL),
       sum(f.open_interest_usd - f.oi_reference_usd)
           FILTER (WHERE f.open_interest_usd IS NOT NULL AND f.oi_reference_usd IS NOT NULL),
       sum(f.open_interest_usd - f.oi_reference_usd)
           FILTER (WHERE f.open_interest_usd IS NOT NULL AND f.oi_reference_usd IS NOT NULL)
           / nullif(sum(f.oi_reference_usd) FILTER (WHERE f.open_interest_usd IS NOT NULL AND f.oi_reference_usd IS NOT NULL), 0)
           * 100,
       avg(f.apr), min(f.apr), max(f.apr), stddev_samp(f.apr), max(f.apr) - min(f.apr),
       (count(*) FILTER (WHERE f.has_reference))::integer,
       max(f.time)
FROM fresh f
GROUP BY f.symbol
$$;

COMMENT ON FUNCTION cross_venue_symbols(interval, interval) IS
    'Per symbol, its markets on every venue whose newest sample is within p_max_age (default 15 minutes): venues, markets, lead_market_id (highest 24h volume), volume_24h_usd and open_interest_usd (sums, USD), price_change_pct (volume-weighted mean of the markets'' price change over p_window, default 24 hours, percent), oi_reference_usd / oi_change_usd / oi_change_pct (open interest of the markets with a reference sample one window back: then, change in USD, change in percent), apr_mean / apr_min / apr_max / apr_stddev (sample) / apr_spread (max - min) of funding APR (percent) across its markets, reference_markets (markets with a reference sample), latest_time. Changes use leaderboard_changes(p_window): markets without a reference sample count in the totals but not in the changes.';

CREATE FUNCTION leaderboard_metric_cross_venue(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT c.lead_market_id, c.oi_change_pct, NULL::text, now() - p_window,
       jsonb_build_object('venues', c.venues, 'markets', c.markets, 'volume_24h_usd_total', c.volume_24h_usd,
                          'open_interest_usd_total', c.open_interest_usd, 'oi_change_usd', c.oi_change_usd,
                          'price_change_pct_vw', c.price_change_pct, 'apr_mean', c.apr_mean, 'apr_min', c.apr_min,
                          'apr_max', c.apr_max, 'apr_stddev', c.apr_stddev, 'apr_spread', c.apr_spread,
                          'reference_markets', c.reference_markets)
FROM public.cross_venue_symbols(p_window) c
WHERE c.reference_markets > 0
$$;

COMMENT ON FUNCTION leaderboard_metric_cross_venue(interval) IS
    'Board cross_venue: one row per symbol (on its highest-volume market), value = the symbol''s open-interest change over the window across all its venues (percent, cross_venue_symbols.oi_change_pct); reference_time = now() - window; metrics: venues, markets, volume_24h_usd_total, open_interest_usd_total, oi_change_usd, price_change_pct_vw, apr_mean, apr_min, apr_max, apr_stddev, apr_spread, reference_markets.';

INSERT INTO leaderboards (name, position, description, value_unit, metric_function, order_by, qualifies, windows, default_window) VALUES
    ('cross_venue', 20, 'Symbols by their open-interest change over the window summed across every venue (percent, largest magnitude first, sign kept; only markets with a sample one window back count), shown on the symbol''s highest-volume market. Metrics: venues, total volume and OI, volume-weighted price change, funding APR mean / min / max / stddev / spread across its markets. The dex filters pick the shown market, not the venues summed.',
     'percent', 'leaderboard_metric_cross_venue', 'abs(m.value) DESC', NULL, '{1h,4h,24h}', '24h');
