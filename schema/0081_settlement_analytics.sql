-- 0081 analytics over settled funding: realised funding per market, realised pair returns net of fees, and the
-- error of each venue's sampled (running / predicted) rate against what then settled.
--
-- Windows are (p_until - p_window, p_until] over funding_settlements.funding_time. APRs annualise over the window's
-- length (a market with settlements for only part of the window is not scaled up; its hours_covered says so).
-- Fees follow opportunities() (0012): dex_fee(maker_fee, taker_fee, fee_tiers, fee_type) per fill, one round trip
-- = open and close on each leg = 2 x fee(long) + 2 x fee(short).

-- Realised funding of every market with settlements in the window.
CREATE FUNCTION realised_funding(p_window interval DEFAULT INTERVAL '7 days', p_symbol text DEFAULT NULL,
                                 p_dex text DEFAULT NULL, p_until timestamptz DEFAULT now())
RETURNS TABLE (dex text, symbol text, dex_symbol text, settlements integer, hours_covered float8,
               first_funding_time timestamptz, last_funding_time timestamptz, realised_rate float8,
               realised_apr float8, mean_rate_8h float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    -- Aggregated per market first (one index-ordered pass over the window's chunks), named afterwards.
    SELECT d.name, s.symbol, m.dex_symbol, f.n, f.hours, f.first_time, f.last_time, f.rate_sum,
           f.rate_sum / (extract(epoch FROM p_window) / 3600) * 8760 * 100, f.rate_sum / f.hours * 8
    FROM (
        SELECT x.market_id, count(*)::integer AS n, sum(x.funding_interval_hours) AS hours,
               min(x.funding_time) AS first_time, max(x.funding_time) AS last_time, sum(x.funding_rate) AS rate_sum
        FROM public.funding_settlements x
        WHERE public.require_parameter(p_window > INTERVAL '0', 'window', 'must be positive')
          AND x.funding_time > p_until - p_window AND x.funding_time <= p_until
          AND x.market_id IN (SELECT m2.id FROM public.markets m2
                              JOIN public.dexes d2 ON d2.id = m2.dex_id
                              JOIN public.symbols s2 ON s2.id = m2.symbol_id
                              WHERE (p_symbol IS NULL OR s2.symbol = p_symbol) AND (p_dex IS NULL OR d2.name = p_dex))
        GROUP BY x.market_id
    ) f
    JOIN public.markets m ON m.id = f.market_id
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    ORDER BY d.name, m.dex_symbol
$$;

COMMENT ON FUNCTION realised_funding(interval, text, text, timestamptz) IS
    'Realised (settled) funding per market over (p_until - p_window, p_until], optionally for one symbol and/or dex: settlements (count), hours_covered (sum of their interval hours), first/last funding time, realised_rate = sum of settled rates (fraction of notional a long paid; negative: received), realised_apr (percent) = realised_rate / window hours x 8760 x 100, mean_rate_8h = realised_rate / hours_covered x 8. Raises invalid_parameter_value for a non-positive window. See docs/units.md.';

-- 1, 7 and 30 days at once, for dashboards and the API.
CREATE VIEW realised_funding_summary AS
SELECT d.name AS dex, s.symbol, m.dex_symbol,
       sum(f.funding_rate) FILTER (WHERE f.funding_time > now() - INTERVAL '1 day') AS realised_1d,
       sum(f.funding_rate) FILTER (WHERE f.funding_time > now() - INTERVAL '7 days') AS realised_7d,
       sum(f.funding_rate) AS realised_30d,
       sum(f.funding_rate) FILTER (WHERE f.funding_time > now() - INTERVAL '1 day') / 24 * 8760 * 100 AS apr_1d,
       sum(f.funding_rate) FILTER (WHERE f.funding_time > now() - INTERVAL '7 days') / 168 * 8760 * 100 AS apr_7d,
       sum(f.funding_rate) / 720 * 8760 * 100 AS apr_30d,
       count(*)::integer AS settlements_30d,
       max(f.funding_time) AS last_funding_time
FROM public.funding_settlements f
JOIN public.markets m ON m.id = f.market_id
JOIN public.dexes d ON d.id = m.dex_id
JOIN public.symbols s ON s.id = m.symbol_id
WHERE f.funding_time > now() - INTERVAL '30 days' AND f.funding_time <= now()
GROUP BY d.name, s.symbol, m.dex_symbol;

COMMENT ON VIEW realised_funding_summary IS 'Realised (settled) funding per market over the last 1, 7 and 30 days (sum of settled rates, and as APR over the window). See docs/units.md.';
COMMENT ON COLUMN realised_funding_summary.dex IS 'Venue name.';
COMMENT ON COLUMN realised_funding_summary.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN realised_funding_summary.dex_symbol IS 'The venue''s market name.';
COMMENT ON COLUMN realised_funding_summary.realised_1d IS 'Sum of settled rates over the last 24 h, fraction of notional a long paid (NULL: none).';
COMMENT ON COLUMN realised_funding_summary.realised_7d IS 'Sum of settled rates over the last 7 days, fraction of notional (NULL: none).';
COMMENT ON COLUMN realised_funding_summary.realised_30d IS 'Sum of settled rates over the last 30 days, fraction of notional.';
COMMENT ON COLUMN realised_funding_summary.apr_1d IS 'realised_1d / 24 h x 8760 x 100, percent per year.';
COMMENT ON COLUMN realised_funding_summary.apr_7d IS 'realised_7d / 168 h x 8760 x 100, percent per year.';
COMMENT ON COLUMN realised_funding_summary.apr_30d IS 'realised_30d / 720 h x 8760 x 100, percent per year.';
COMMENT ON COLUMN realised_funding_summary.settlements_30d IS 'Settlements in the last 30 days (count).';
COMMENT ON COLUMN realised_funding_summary.last_funding_time IS 'Newest settlement''s funding time, timestamptz.';

-- What holding a long on one market and a short on another of the same symbol earned from settled funding over the
-- window, less one round trip of fees: every ordered pair of markets on different dexes with settlements in the
-- window and known fees.
CREATE FUNCTION realised_pair_returns(p_window interval DEFAULT INTERVAL '7 days', p_symbol text DEFAULT NULL,
                                      p_fee_type text DEFAULT 'taker', p_until timestamptz DEFAULT now(),
                                      p_long_dex text DEFAULT NULL, p_short_dex text DEFAULT NULL)
RETURNS TABLE (symbol text, long_dex text, long_dex_symbol text, short_dex text, short_dex_symbol text,
               long_settlements integer, short_settlements integer, long_hours float8, short_hours float8,
               long_realised float8, short_realised float8, funding_return float8, long_fee float8,
               short_fee float8, estimated_fees float8, net_return float8, net_apr float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    WITH legs AS (
        SELECT r.*, public.dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, p_fee_type) AS fee
        FROM public.realised_funding(p_window, p_symbol, NULL, p_until) r
        JOIN public.dexes d ON d.name = r.dex
        WHERE public.require_parameter(p_fee_type IN ('maker', 'taker'), 'fee_type', 'must be maker or taker')
    )
    SELECT l.symbol, l.dex, l.dex_symbol, s.dex, s.dex_symbol, l.settlements, s.settlements,
           l.hours_covered, s.hours_covered, l.realised_rate, s.realised_rate,
           s.realised_rate - l.realised_rate,
           l.fee, s.fee, 2 * l.fee + 2 * s.fee,
           s.realised_rate - l.realised_rate - (2 * l.fee + 2 * s.fee),
           (s.realised_rate - l.realised_rate - (2 * l.fee + 2 * s.fee))
               / (extract(epoch FROM p_window) / 3600) * 8760 * 100
    FROM legs l
    JOIN legs s ON s.symbol = l.symbol AND s.dex <> l.dex
    WHERE l.fee IS NOT NULL AND s.fee IS NOT NULL
      AND (p_long_dex IS NULL OR l.dex = p_long_dex)
      AND (p_short_dex IS NULL OR s.dex = p_short_dex)
    ORDER BY 16 DESC, 1, 2, 3, 4, 5
$$;

COMMENT ON FUNCTION realised_pair_returns(interval, text, text, timestamptz, text, text) IS
    'Realised pair return over (p_until - p_window, p_until]: for every ordered pair of markets of one symbol on different dexes (long leg L, short leg S) with settlements in the window and known fees: funding_return = sum of S''s settled rates - sum of L''s (each leg on its own schedule), estimated_fees = 2 x fee(L) + 2 x fee(S) (one round trip, fee per p_fee_type as in opportunities()), net_return = funding_return - estimated_fees (fractions of notional), net_apr (percent) = net_return / window hours x 8760 x 100; legs'' settlement counts and hours covered show how complete each side is. Best net_return first. Raises invalid_parameter_value for a bad fee_type or window. See docs/units.md.';

-- Each settlement beside the last sampled rate before it (within one interval), in the settlement's units.
CREATE FUNCTION settlement_predictions(p_window interval DEFAULT INTERVAL '7 days', p_dex text DEFAULT NULL,
                                       p_until timestamptz DEFAULT now())
RETURNS TABLE (dex text, symbol text, dex_symbol text, funding_time timestamptz, settled_rate float8,
               funding_interval_hours float8, sample_time timestamptz, predicted_rate float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT d.name, s.symbol, m.dex_symbol, f.funding_time, f.funding_rate, f.funding_interval_hours, p.time,
           p.funding_rate / p.funding_interval_hours * f.funding_interval_hours
    FROM public.funding_settlements f
    JOIN public.markets m ON m.id = f.market_id
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    JOIN LATERAL (
        SELECT r.time, r.funding_rate, coalesce(r.funding_interval_hours, f.funding_interval_hours) AS funding_interval_hours
        FROM public.funding_rates r
        WHERE r.market_id = f.market_id AND r.time < f.funding_time
          AND r.time >= f.funding_time - f.funding_interval_hours * INTERVAL '1 hour'
        ORDER BY r.time DESC
        LIMIT 1
    ) p ON true
    WHERE public.require_parameter(p_window > INTERVAL '0', 'window', 'must be positive')
      AND f.funding_time > p_until - p_window AND f.funding_time <= p_until
      AND (p_dex IS NULL OR d.name = p_dex)
$$;

COMMENT ON FUNCTION settlement_predictions(interval, text, timestamptz) IS
    'Each settlement in (p_until - p_window, p_until] (optionally of one dex) beside the last sample of funding_rates taken before its funding time and within one interval of it: predicted_rate = that sample''s funding_rate per hour x the settlement''s interval hours (the venue''s running rate, which it charges at the next funding time), settled_rate as charged; both fractions per the settlement''s interval. Settlements without such a sample are left out. See docs/units.md.';

-- Predictor accuracy per market.
CREATE FUNCTION predictor_accuracy(p_window interval DEFAULT INTERVAL '7 days', p_dex text DEFAULT NULL,
                                   p_until timestamptz DEFAULT now())
RETURNS TABLE (dex text, symbol text, dex_symbol text, settlements integer, mean_abs_error float8,
               mean_signed_error float8, mean_abs_error_8h float8, max_abs_error float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT p.dex, p.symbol, p.dex_symbol, count(*)::integer,
           avg(abs(p.predicted_rate - p.settled_rate)), avg(p.predicted_rate - p.settled_rate),
           avg(abs(p.predicted_rate - p.settled_rate) / p.funding_interval_hours * 8),
           max(abs(p.predicted_rate - p.settled_rate))
    FROM public.settlement_predictions(p_window, p_dex, p_until) p
    GROUP BY p.dex, p.symbol, p.dex_symbol
    ORDER BY p.dex, p.dex_symbol
$$;

COMMENT ON FUNCTION predictor_accuracy(interval, text, timestamptz) IS
    'How far each market''s last sampled rate before a funding time was from what settled, over (p_until - p_window, p_until] (settlement_predictions): settlements compared (count), mean_abs_error and mean_signed_error (predicted - settled; positive: the venue''s running rate overstated the charge), fractions per settlement interval; mean_abs_error_8h the mean absolute error per 8 h; max_abs_error. See docs/units.md.';

-- Predictor accuracy per venue.
CREATE FUNCTION predictor_accuracy_by_dex(p_window interval DEFAULT INTERVAL '7 days',
                                          p_until timestamptz DEFAULT now())
RETURNS TABLE (dex text, markets integer, settlements integer, mean_abs_error float8, mean_signed_error float8,
               mean_abs_error_8h float8, max_abs_error float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT p.dex, count(DISTINCT p.dex_symbol)::integer, count(*)::integer,
           avg(abs(p.predicted_rate - p.settled_rate)), avg(p.predicted_rate - p.settled_rate),
           avg(abs(p.predicted_rate - p.settled_rate) / p.funding_interval_hours * 8),
           max(abs(p.predicted_rate - p.settled_rate))
    FROM public.settlement_predictions(p_window, NULL, p_until) p
    GROUP BY p.dex
    ORDER BY p.dex
$$;

COMMENT ON FUNCTION predictor_accuracy_by_dex(interval, timestamptz) IS
    'predictor_accuracy pooled per venue: markets and settlements compared (counts), mean absolute and signed error (predicted - settled) per settlement interval, mean absolute error per 8 h, max absolute error (fractions). See docs/units.md.';

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.realised_funding_summary TO %I', r);
            EXECUTE format('GRANT EXECUTE ON FUNCTION public.realised_funding(interval, text, text, timestamptz), '
                           'public.realised_pair_returns(interval, text, text, timestamptz, text, text), '
                           'public.settlement_predictions(interval, text, timestamptz), '
                           'public.predictor_accuracy(interval, text, timestamptz), '
                           'public.predictor_accuracy_by_dex(interval, timestamptz) TO %I', r);
        END IF;
    END LOOP;
END
$$;
