-- 0065 the design document's API contract: what the API needs beyond 0040 to answer with the document's fields.
--
-- opportunity_pair_id(): the `id` of an opportunity (a pair of markets), the same in /opportunities, the stream and
--   /history/opportunities;
-- dex_collection_stats: health's error_rate_percent and avg_collection_latency_ms per dex, from collection_runs;
-- funding_rate_stats(): /stats/funding-rates' single pooled row (the document's FundingRateStats), rates per 8 h.

CREATE FUNCTION opportunity_pair_id(p_symbol text, p_long_dex text, p_long_dex_symbol text, p_short_dex text,
                                    p_short_dex_symbol text)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    -- 53 bits, so a JSON client reading it as a double keeps it exact.
    SELECT hashtextextended(concat_ws(chr(31), p_symbol, p_long_dex, p_long_dex_symbol, p_short_dex,
                                      p_short_dex_symbol), 0) & 9007199254740991
$$;

COMMENT ON FUNCTION opportunity_pair_id(text, text, text, text, text) IS
    'Stable identifier (0 .. 2^53-1) of an opportunity: the ordered pair (long market, short market) of one symbol, by names. The same pair has the same id in every cycle, in GET /opportunities, the opportunity stream and GET /history/opportunities; it is a hash, not a row number (distinct pairs colliding is possible but improbable: about 1 in 10^7 for 300,000 pairs).';

-- Collection runs of the last 24 hours per active dex.
CREATE VIEW dex_collection_stats AS
SELECT d.name AS dex,
       count(r.started_at)::int AS runs_24h,
       (count(*) FILTER (WHERE r.status = 'failed'))::int AS failed_24h,
       (count(*) FILTER (WHERE r.status = 'partial'))::int AS partial_24h,
       CASE WHEN count(r.started_at) > 0
            THEN 100.0 * count(*) FILTER (WHERE r.status <> 'success') / count(r.started_at) END::float8
           AS error_rate_percent,
       avg(r.latency_ms)::float8 AS avg_collection_latency_ms
FROM dexes d
LEFT JOIN collection_runs r ON r.dex = d.name AND r.started_at >= now() - INTERVAL '24 hours'
WHERE d.is_active
GROUP BY d.name;

COMMENT ON VIEW dex_collection_stats IS 'Per active dex, its collection runs of the last 24 hours (collection_runs): counts, the share that was not a full success, and the mean latency. What GET /api/v1/health reports as error_rate_percent and avg_collection_latency_ms.';
COMMENT ON COLUMN dex_collection_stats.dex IS 'Dex name.';
COMMENT ON COLUMN dex_collection_stats.runs_24h IS 'Collection runs started in the last 24 hours (count).';
COMMENT ON COLUMN dex_collection_stats.failed_24h IS 'Of those, runs with status failed (count).';
COMMENT ON COLUMN dex_collection_stats.partial_24h IS 'Of those, runs with status partial (count).';
COMMENT ON COLUMN dex_collection_stats.error_rate_percent IS 'Percent (0-100) of those runs that were failed or partial; NULL without runs.';
COMMENT ON COLUMN dex_collection_stats.avg_collection_latency_ms IS 'Mean latency_ms of those runs (milliseconds from fetch start to parsed rows); NULL without runs.';

-- One row of statistics over every market of a symbol (optionally one dex), from the 1h rollup. Each bucket is
-- normalised by its own funding interval to a fraction per 8 hours (the document's arithmetic assumes 8-hour
-- periods: annualised = rate x 3 x 365), so markets with 1 h, 4 h and 8 h intervals pool correctly.
CREATE FUNCTION funding_rate_stats(p_window text DEFAULT '30d', p_symbol text DEFAULT NULL, p_dex text DEFAULT NULL)
RETURNS TABLE (
    stats_window            text,
    period_days             integer,
    period_start            timestamptz,
    period_end              timestamptz,
    markets                 integer,
    sample_count            bigint,
    avg_funding_rate        float8,
    median_funding_rate     float8,
    std_dev                 float8,
    volatility              float8,
    min_rate                float8,
    max_rate                float8,
    percentile_25           float8,
    percentile_75           float8,
    avg_annualized_apy      float8,
    positive_rate_frequency float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH w AS (
    SELECT CASE p_window WHEN '1d' THEN 1 WHEN '7d' THEN 7 WHEN '30d' THEN 30 WHEN '90d' THEN 90 END AS days,
           now() AS until
),
b AS (
    SELECT h.market_id, h.sample_count, 8 / h.funding_interval_hours AS k, h.rate_sum, h.rate_sum_sq, h.rate_min,
           h.rate_max, h.rate_avg
    FROM public.funding_rates_1h h
    JOIN public.markets m ON m.id = h.market_id
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    CROSS JOIN w
    WHERE (p_symbol IS NULL OR s.symbol = p_symbol)
      AND (p_dex IS NULL OR d.name = p_dex)
      AND h.bucket >= w.until - make_interval(days => w.days)
      AND h.funding_interval_hours IS NOT NULL
),
a AS (
    SELECT count(DISTINCT market_id)::int AS markets,
           sum(sample_count)::bigint AS n,
           sum(rate_sum * k) AS s,
           sum(rate_sum_sq * k * k) AS ss,
           min(rate_min * k) AS mn,
           max(rate_max * k) AS mx,
           percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY rate_avg * k) AS q,
           avg((rate_avg > 0)::int)::float8 AS pos
    FROM b
)
SELECT p_window, w.days, w.until - make_interval(days => w.days), w.until, a.markets, a.n,
       a.s / a.n,
       a.q[2],
       st.sd,
       st.sd / nullif(abs(a.s / a.n), 0),
       a.mn, a.mx, a.q[1], a.q[3],
       a.s / a.n * 3 * 365 * 100,
       a.pos
FROM a
CROSS JOIN w
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.n > 1 THEN sqrt(greatest((a.ss - a.s * a.s / a.n) / (a.n - 1), 0)) END AS sd
) st
WHERE public.require_parameter(p_window IN ('1d', '7d', '30d', '90d'), 'p_window', 'must be 1d, 7d, 30d or 90d')
  AND a.n > 0
$$;

COMMENT ON FUNCTION funding_rate_stats(text, text, text) IS
$c$Pooled funding statistics of a symbol over every market (or the markets of p_dex) in one row: the design document's FundingRateStats. p_window '1d' | '7d' | '30d' (default) | '90d' = hourly buckets of funding_rates_1h starting >= now() - that many days (the 1h rollup is kept 400 days). Every rate is a fraction PER 8 HOURS: each hourly bucket is normalised by its market's funding interval (x 8 / interval_hours) before pooling. avg_funding_rate and std_dev over raw samples (mergeable sums); min_rate / max_rate over raw samples; median_funding_rate, percentile_25, percentile_75 over hourly mean rates (the rollup keeps no raw distribution); volatility = std_dev / |avg_funding_rate|; avg_annualized_apy = avg_funding_rate x 3 x 365 x 100 (percent); positive_rate_frequency: share (0-1) of hourly buckets with a positive mean rate. No row when the window holds no samples.$c$;
