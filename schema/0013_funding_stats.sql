-- 0013 analytics, part 3: rolling funding statistics per market and per symbol, from the 1h rollup's mergeable sums.
--
-- Windows: '1d', '7d', '30d' = the hourly buckets of funding_rates_1h whose start is >= now() - 1/7/30 days (the
-- bucket straddling the window start is left out; the current, partial hour is in). funding_rates_1h serves
-- materialised buckets plus a live aggregation of the newest raw rows, and late rows are folded in by
-- refresh_rollups(), so the statistics see them after the next refresh (Apache) / policy run (Community).
--
-- From the mergeable sums over the window (n = sum(sample_count)):
--   mean_rate = sum(rate_sum) / n;  stddev_rate = sqrt((sum(rate_sum_sq) - sum(rate_sum)^2 / n) / (n - 1))  (raw-sample
--   stddev; NULL when n < 2);  min_rate / max_rate over raw samples (min of rate_min, max of rate_max).
-- Over hourly buckets (the rollup keeps no raw distribution): p25_rate, median_rate, p75_rate are percentiles
-- (percentile_cont) of the hourly mean rates; positive_share is the share of hourly buckets whose mean rate is > 0;
-- percentile_30d is the percent of the last 30 days' hourly mean rates <= the current rate.
-- Rates are native (fraction per funding interval); mean_rate_8h / mean_apr normalise each bucket by its own
-- funding interval: mean_rate_8h = sum(rate_sum / interval) / n x 8, mean_apr = sum(rate_sum / interval) / n x 876000.
--
-- Cost: a 30-day read of funding_rates_1h (720 rows per market); filter by p_symbol / p_dex when you can.

CREATE FUNCTION funding_stats(p_window text DEFAULT '7d', p_symbol text DEFAULT NULL, p_dex text DEFAULT NULL)
RETURNS TABLE (
    stats_window        text,
    market_id           integer,
    dex                 text,
    symbol              text,
    dex_symbol          text,
    quote               text,
    sample_count        bigint,
    hours               bigint,
    first_bucket        timestamptz,
    last_bucket         timestamptz,
    mean_rate           float8,
    stddev_rate         float8,
    min_rate            float8,
    max_rate            float8,
    p25_rate            float8,
    median_rate         float8,
    p75_rate            float8,
    volatility          float8,
    positive_share      float8,
    mean_rate_8h        float8,
    mean_apr            float8,
    mean_oi_usd         float8,
    current_rate        float8,
    current_sample_time timestamptz,
    zscore_30d          float8,
    percentile_30d      float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH mk AS (
    SELECT m.id, d.name AS dex, s.symbol, m.dex_symbol, m.quote, l.funding_rate AS cur, l.time AS cur_time
    FROM public.markets m
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    LEFT JOIN public.market_latest l ON l.market_id = m.id
    WHERE (p_symbol IS NULL OR s.symbol = p_symbol)
      AND (p_dex IS NULL OR d.name = p_dex)
),
w AS (
    SELECT now() - CASE p_window WHEN '1d' THEN INTERVAL '1 day' WHEN '7d' THEN INTERVAL '7 days'
                                 WHEN '30d' THEN INTERVAL '30 days' END AS since
),
agg AS (
    SELECT h.market_id,
           sum(h.sample_count) FILTER (WHERE h.bucket >= w.since) AS n,
           count(*) FILTER (WHERE h.bucket >= w.since) AS hours,
           min(h.bucket) FILTER (WHERE h.bucket >= w.since) AS first_bucket,
           max(h.bucket) FILTER (WHERE h.bucket >= w.since) AS last_bucket,
           sum(h.rate_sum) FILTER (WHERE h.bucket >= w.since) AS s,
           sum(h.rate_sum_sq) FILTER (WHERE h.bucket >= w.since) AS ss,
           min(h.rate_min) FILTER (WHERE h.bucket >= w.since) AS mn,
           max(h.rate_max) FILTER (WHERE h.bucket >= w.since) AS mx,
           percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY h.rate_avg)
               FILTER (WHERE h.bucket >= w.since) AS q,
           count(*) FILTER (WHERE h.bucket >= w.since AND h.rate_avg > 0) AS pos,
           sum(h.rate_sum / h.funding_interval_hours) FILTER (WHERE h.bucket >= w.since) AS s_1h,
           sum(h.rate_sum) FILTER (WHERE h.bucket >= w.since AND h.funding_interval_hours IS NOT NULL)
               IS NOT DISTINCT FROM sum(h.rate_sum) FILTER (WHERE h.bucket >= w.since) AS all_intervals,
           sum(h.oi_usd_avg * h.oi_usd_count) FILTER (WHERE h.bucket >= w.since AND h.oi_usd_count > 0) AS oi_s,
           sum(h.oi_usd_count) FILTER (WHERE h.bucket >= w.since AND h.oi_usd_count > 0) AS oi_n,
           sum(h.sample_count) AS n30,
           sum(h.rate_sum) AS s30,
           sum(h.rate_sum_sq) AS ss30,
           count(*) AS h30,
           count(*) FILTER (WHERE h.rate_avg <= mk.cur) AS le30
    FROM public.funding_rates_1h h
    JOIN mk ON mk.id = h.market_id
    CROSS JOIN w
    WHERE h.bucket >= now() - INTERVAL '30 days'
    GROUP BY h.market_id
)
SELECT p_window,
       a.market_id,
       mk.dex, mk.symbol, mk.dex_symbol, mk.quote,
       a.n::bigint,
       a.hours,
       a.first_bucket, a.last_bucket,
       a.s / a.n,
       st.sd,
       a.mn, a.mx,
       a.q[1], a.q[2], a.q[3],
       st.sd / nullif(abs(a.s / a.n), 0),
       a.pos::float8 / a.hours,
       CASE WHEN a.all_intervals THEN a.s_1h / a.n * 8 END,
       CASE WHEN a.all_intervals THEN a.s_1h / a.n * 876000 END,
       a.oi_s / nullif(a.oi_n, 0),
       mk.cur,
       mk.cur_time,
       (mk.cur - a.s30 / a.n30) / nullif(st.sd30, 0),
       100.0 * a.le30 / a.h30 * CASE WHEN mk.cur IS NULL THEN NULL ELSE 1 END
FROM agg a
JOIN mk ON mk.id = a.market_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.n > 1 THEN sqrt(greatest((a.ss - a.s * a.s / a.n) / (a.n - 1), 0)) END AS sd,
           CASE WHEN a.n30 > 1 THEN sqrt(greatest((a.ss30 - a.s30 * a.s30 / a.n30) / (a.n30 - 1), 0)) END AS sd30
) st
WHERE public.require_parameter(p_window IN ('1d', '7d', '30d'), 'p_window', 'must be 1d, 7d or 30d')
  AND a.n > 0
$$;

COMMENT ON FUNCTION funding_stats(text, text, text) IS
$c$Rolling funding statistics per market from funding_rates_1h (mergeable sums), one row per market with samples in the window. p_window: '1d' | '7d' (default) | '30d' = hourly buckets starting >= now() - 1/7/30 days; p_symbol / p_dex: optional exact filters. Columns: sample_count (raw samples), hours (hourly buckets), first_bucket / last_bucket; mean_rate, stddev_rate (sample stddev of raw rates from sums), min_rate, max_rate (fraction per funding interval); p25_rate, median_rate, p75_rate: percentiles of the HOURLY MEAN rates (not of raw samples); volatility = stddev_rate / |mean_rate|; positive_share: share (0-1) of hourly buckets with a positive mean rate; mean_rate_8h (fraction per 8 h) and mean_apr (percent), each bucket normalised by its own funding interval; mean_oi_usd (USD); current_rate (market_latest, fraction per interval) and current_sample_time; zscore_30d = (current_rate - 30-day mean) / 30-day stddev; percentile_30d: percent (0-100) of the last 30 days' hourly mean rates <= current_rate. Late rows count once the rollup is refreshed.$c$;

CREATE FUNCTION funding_stats_by_symbol(p_window text DEFAULT '7d', p_symbol text DEFAULT NULL)
RETURNS TABLE (
    stats_window             text,
    symbol                   text,
    markets                  bigint,
    dexes                    bigint,
    sample_count             numeric,
    mean_rate_8h             float8,
    oi_weighted_mean_rate_8h float8,
    oi_weighted_mean_apr     float8,
    dispersion_rate_8h       float8,
    min_rate_8h              float8,
    max_rate_8h              float8,
    range_rate_8h            float8,
    total_mean_oi_usd        float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT p_window,
       f.symbol,
       count(*),
       count(DISTINCT f.dex),
       sum(f.sample_count),
       avg(f.mean_rate_8h),
       sum(f.mean_rate_8h * f.mean_oi_usd) / nullif(sum(f.mean_oi_usd) FILTER (WHERE f.mean_rate_8h IS NOT NULL), 0),
       sum(f.mean_rate_8h * f.mean_oi_usd) / nullif(sum(f.mean_oi_usd) FILTER (WHERE f.mean_rate_8h IS NOT NULL), 0)
           / 8 * 876000,
       stddev_samp(f.mean_rate_8h),
       min(f.mean_rate_8h),
       max(f.mean_rate_8h),
       max(f.mean_rate_8h) - min(f.mean_rate_8h),
       sum(f.mean_oi_usd)
FROM public.funding_stats(p_window, p_symbol) f
GROUP BY f.symbol
$$;

COMMENT ON FUNCTION funding_stats_by_symbol(text, text) IS
$c$Per symbol across its markets (all dexes) over p_window ('1d' | '7d' (default) | '30d'), from funding_stats(): markets, dexes (count); sample_count; mean_rate_8h (unweighted mean of the markets' mean_rate_8h, fraction per 8 h); oi_weighted_mean_rate_8h (weighted by each market's mean_oi_usd over the window; markets without OI are left out of it) and oi_weighted_mean_apr (percent); dispersion_rate_8h = stddev_samp of the markets' mean_rate_8h across dexes (NULL with one market); min_rate_8h, max_rate_8h, range_rate_8h = max - min (fraction per 8 h); total_mean_oi_usd (sum of the markets' mean OI, USD). p_symbol: optional exact filter.$c$;
