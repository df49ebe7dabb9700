-- 0100 funding_stats(): the same statistics, without a subquery run once per settlement.
--
-- 0083 chose the markets to read settlements for with `f.market_id IN (SELECT ... WHERE ... w.since ...)`: the
-- window start made it a correlated subplan, run for every settlement row in the 30 days (780,000 rows at the demo's
-- 3,000 markets: four minutes for funding_stats('30d'), so /api/v1/contracts-with-zscores timed out). The markets are
-- now one CTE (`uncovered`) read as a hashed set. Columns, arithmetic and results are 0083's.

CREATE OR REPLACE FUNCTION funding_stats(p_window text DEFAULT '7d', p_symbol text DEFAULT NULL, p_dex text DEFAULT NULL)
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
-- Markets the samples do not cover (see pick): a long-running install reads no settlements.
uncovered AS (
    SELECT mk2.id
    FROM mk mk2
    CROSS JOIN w
    LEFT JOIN agg a2 ON a2.market_id = mk2.id
    WHERE a2.first_bucket IS NULL OR a2.first_bucket > w.since + INTERVAL '1 hour'
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
      AND f.market_id IN (SELECT id FROM uncovered)
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
