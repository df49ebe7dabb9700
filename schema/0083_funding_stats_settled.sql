-- 0083 funding_stats() falls back to settled funding when the sampled history is shorter than the window.
--
-- A fresh install has sampled only minutes of funding_rates, but `fundingd backfill` gives it 30 days of settlements:
-- without this, every 7d/30d statistic (and the z-score dashboards use) would stay empty or rest on a few hours for
-- a month. Per market and window the statistics now come from one of two sources, named in the new column
-- stats_source:
--   'samples'      the 1h rollup of funding_rates, exactly as 0013 (unchanged arithmetic);
--   'settlements'  funding_settlements, when the market has settlements in the window and either no sampled
--                  bucket in it, or its first sampled bucket starts more than an hour after the window start while
--                  its settlements reach further back than that bucket.
-- Over settlements (each settled payment is one observation, native units = fraction per its interval):
--   sample_count = settlements in the window; hours = sum of their interval hours; first_bucket / last_bucket = first
--   and last funding time; mean / stddev (sample) / min / max / p25 / median / p75 of the settled rates; positive_share
--   = share of settlements > 0; mean_rate_8h = avg(rate / interval hours) x 8; mean_apr = avg(rate / interval) x 876000;
--   zscore_30d and percentile_30d compare the current rate per hour (market_latest rate / its interval) with the last
--   30 days' settled rates per hour (a z-score does not change with the unit, so for a market whose interval never
--   changed it equals the native one); mean_oi_usd from the samples, when there are any.
-- The window bounds match: buckets / funding times >= now() - 1/7/30 days (and, for settlements, <= now()).

DROP FUNCTION funding_stats(text, text, text);

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
    percentile_30d      float8,
    stats_source        text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH mk AS (
    SELECT m.id, d.name AS dex, s.symbol, m.dex_symbol, m.quote, l.funding_rate AS cur, l.time AS cur_time,
           l.funding_rate / nullif(l.funding_interval_hours, 0) AS cur_1h
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
),
settled AS (
    SELECT f.market_id,
           count(*) FILTER (WHERE f.funding_time >= w.since) AS n,
           sum(f.funding_interval_hours) FILTER (WHERE f.funding_time >= w.since) AS hours,
           min(f.funding_time) FILTER (WHERE f.funding_time >= w.since) AS first_time,
           max(f.funding_time) FILTER (WHERE f.funding_time >= w.since) AS last_time,
           avg(f.funding_rate) FILTER (WHERE f.funding_time >= w.since) AS mean,
           stddev_samp(f.funding_rate) FILTER (WHERE f.funding_time >= w.since) AS sd,
           min(f.funding_rate) FILTER (WHERE f.funding_time >= w.since) AS mn,
           max(f.funding_rate) FILTER (WHERE f.funding_time >= w.since) AS mx,
           percentile_cont(ARRAY[0.25, 0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY f.funding_rate)
               FILTER (WHERE f.funding_time >= w.since) AS q,
           count(*) FILTER (WHERE f.funding_time >= w.since AND f.funding_rate > 0) AS pos,
           avg(f.funding_rate / f.funding_interval_hours) FILTER (WHERE f.funding_time >= w.since) AS mean_1h,
           avg(f.funding_rate / f.funding_interval_hours) AS mean30_1h,
           stddev_samp(f.funding_rate / f.funding_interval_hours) AS sd30_1h,
           count(*) AS n30,
           count(*) FILTER (WHERE f.funding_rate / f.funding_interval_hours <= mk.cur_1h) AS le30
    FROM public.funding_settlements f
    JOIN mk ON mk.id = f.market_id
    CROSS JOIN w
    WHERE f.funding_time >= now() - INTERVAL '30 days' AND f.funding_time <= now()
      -- Only markets the samples do not cover (see pick): a long-running install reads no settlements here.
      AND f.market_id IN (SELECT mk2.id FROM mk mk2 LEFT JOIN agg a2 ON a2.market_id = mk2.id
                          WHERE a2.first_bucket IS NULL OR a2.first_bucket > w.since + INTERVAL '1 hour')
    GROUP BY f.market_id
),
pick AS (
    SELECT coalesce(a.market_id, s.market_id) AS market_id,
           coalesce(s.n > 0 AND (a.first_bucket IS NULL
                                 OR (a.first_bucket > w.since + INTERVAL '1 hour' AND s.first_time < a.first_bucket)),
                    false) AS from_settlements
    FROM agg a
    FULL JOIN settled s ON s.market_id = a.market_id
    CROSS JOIN w
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
       100.0 * a.le30 / a.h30 * CASE WHEN mk.cur IS NULL THEN NULL ELSE 1 END,
       'samples'
FROM agg a
JOIN pick src ON src.market_id = a.market_id AND NOT src.from_settlements
JOIN mk ON mk.id = a.market_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.n > 1 THEN sqrt(greatest((a.ss - a.s * a.s / a.n) / (a.n - 1), 0)) END AS sd,
           CASE WHEN a.n30 > 1 THEN sqrt(greatest((a.ss30 - a.s30 * a.s30 / a.n30) / (a.n30 - 1), 0)) END AS sd30
) st
WHERE public.require_parameter(p_window IN ('1d', '7d', '30d'), 'p_window', 'must be 1d, 7d or 30d')
  AND a.n > 0
UNION ALL
SELECT p_window,
       s.market_id,
       mk.dex, mk.symbol, mk.dex_symbol, mk.quote,
       s.n,
       ceil(s.hours)::bigint,
       s.first_time, s.last_time,
       s.mean,
       s.sd,
       s.mn, s.mx,
       s.q[1], s.q[2], s.q[3],
       s.sd / nullif(abs(s.mean), 0),
       s.pos::float8 / s.n,
       s.mean_1h * 8,
       s.mean_1h * 876000,
       a.oi_s / nullif(a.oi_n, 0),
       mk.cur,
       mk.cur_time,
       (mk.cur_1h - s.mean30_1h) / nullif(s.sd30_1h, 0),
       100.0 * s.le30 / s.n30 * CASE WHEN mk.cur_1h IS NULL THEN NULL ELSE 1 END,
       'settlements'
FROM settled s
JOIN pick src ON src.market_id = s.market_id AND src.from_settlements
JOIN mk ON mk.id = s.market_id
LEFT JOIN agg a ON a.market_id = s.market_id
WHERE public.require_parameter(p_window IN ('1d', '7d', '30d'), 'p_window', 'must be 1d, 7d or 30d')
$$;

COMMENT ON FUNCTION funding_stats(text, text, text) IS
$c$Rolling funding statistics per market, one row per market with samples (or, see stats_source, settlements) in the window. p_window: '1d' | '7d' (default) | '30d' = hourly buckets (settlements) starting >= now() - 1/7/30 days; p_symbol / p_dex: optional exact filters. stats_source = 'samples': from funding_rates_1h (mergeable sums): sample_count (raw samples), hours (hourly buckets), first_bucket / last_bucket; mean_rate, stddev_rate (sample stddev of raw rates), min_rate, max_rate (fraction per funding interval); p25_rate, median_rate, p75_rate: percentiles of the HOURLY MEAN rates; volatility = stddev_rate / |mean_rate|; positive_share: share (0-1) of hourly buckets with a positive mean rate; mean_rate_8h (fraction per 8 h) and mean_apr (percent), each bucket normalised by its own funding interval; mean_oi_usd (USD); current_rate (market_latest, fraction per interval) and current_sample_time; zscore_30d = (current_rate - 30-day mean) / 30-day stddev; percentile_30d: percent (0-100) of the last 30 days' hourly mean rates <= current_rate. stats_source = 'settlements' (the market's sampled history starts more than an hour into the window and its settled funding reaches further back, or it has no samples in the window): the same columns over funding_settlements, each settlement one observation: sample_count = settlements, hours = sum of their interval hours (rounded up), first/last_bucket = first/last funding time, percentiles and positive_share over settled rates, z-score and percentile of current_rate per hour against the last 30 days' settled rates per hour. Late rows count once the rollup is refreshed.$c$;
