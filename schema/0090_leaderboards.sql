-- 0090 screener leaderboards: per-market metrics from the stored samples, ranked under one set of filters.
--
-- Layout (one source per fact):
--   * leaderboards (table): the registry. One row per board: name, description, unit of `value`, the metric function
--     that computes it, how rows are ordered and which rows qualify, the windows it accepts. The API's
--     GET /api/v1/leaderboards lists it; docs/sql.md shows it.
--   * leaderboard_metric_*(p_window interval) RETURNS SETOF leaderboard_metric: one value per market (plus named
--     details in `metrics`). Boards that share a metric (gainers / losers, widest / tightest) share a function.
--   * leaderboard(name, time_window, dexes, quote, min_volume_24h, min_oi_usd, limit_rows, max_age): the one place
--     that validates the parameters, applies the filters and ranks.
--
-- Time: every window is anchored at now(). A windowed metric compares the market's newest sample (market_latest)
-- with its reference sample: the newest raw sample at or before now() - window and not older than
-- now() - window - leaderboard_reference_tolerance. A market without such a sample (it was not collected around the
-- window start) is not ranked on that board: there is nothing honest to compare with.
--
-- Speed at 5,000 markets x 7 days of per-minute samples: the reference samples are read from the raw hypertable
-- with a time range of one tolerance (one or two 1-day chunks, ~5 rows per market), never a scan of the window; the
-- hourly/daily boards read the 1h / 1d rollups' completed buckets; the rest read market_latest (one row per market).
--
-- What the stored samples cannot give: trade-level flow (CVD, taker buy ratio) needs trades with the aggressor
-- side, which the service does not collect yet; a true "last hour's volume" needs them too (samples only carry the
-- venue's trailing 24 h volume), so volume_surge compares the trailing 24 h volume with its own trailing average.

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('leaderboard_reference_tolerance', '15 minutes',
     'interval: a windowed leaderboard compares the newest sample with the newest sample at or before now() - window that is at most this much older; markets without one are not ranked on that board.');

-- One market's value on a board, before filters and ranking.
CREATE TYPE leaderboard_metric AS (
    market_id      integer,
    value          float8,
    signal         text,
    reference_time timestamptz,
    metrics        jsonb
);

COMMENT ON TYPE leaderboard_metric IS 'One market''s value on a leaderboard, as returned by the leaderboard_metric_* functions (before filters and ranking).';
COMMENT ON COLUMN leaderboard_metric.market_id IS 'markets.id.';
COMMENT ON COLUMN leaderboard_metric.value IS 'The number the board ranks by (unit: leaderboards.value_unit).';
COMMENT ON COLUMN leaderboard_metric.signal IS 'Name of the rule that fired (signals board only; NULL elsewhere).';
COMMENT ON COLUMN leaderboard_metric.reference_time IS 'Time of the sample the window compares with (NULL for boards without a window).';
COMMENT ON COLUMN leaderboard_metric.metrics IS 'Named details of the computation (reference values, the other numbers of the board), units in their names.';

-- One ranked row of leaderboard().
CREATE TYPE leaderboard_entry AS (
    rank              bigint,
    dex               text,
    symbol            text,
    dex_symbol        text,
    quote             text,
    value             float8,
    signal            text,
    mark_price        float8,
    open_interest_usd float8,
    volume_24h_usd    float8,
    apr               float8,
    spread_bps        float8,
    time              timestamptz,
    reference_time    timestamptz,
    metrics           jsonb
);

COMMENT ON TYPE leaderboard_entry IS 'One row of leaderboard(): a market, its rank on the board inside the filters, the board''s value and the market''s latest state.';
COMMENT ON COLUMN leaderboard_entry.rank IS 'Rank on the board inside the filters (1 = first; ties share a rank).';
COMMENT ON COLUMN leaderboard_entry.dex IS 'Dex name.';
COMMENT ON COLUMN leaderboard_entry.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN leaderboard_entry.dex_symbol IS 'Venue market symbol.';
COMMENT ON COLUMN leaderboard_entry.quote IS 'Quote asset.';
COMMENT ON COLUMN leaderboard_entry.value IS 'The number the board ranks by (unit: leaderboards.value_unit).';
COMMENT ON COLUMN leaderboard_entry.signal IS 'Name of the rule that fired (signals board only).';
COMMENT ON COLUMN leaderboard_entry.mark_price IS 'Latest mark price per one unit of the symbol, quote currency.';
COMMENT ON COLUMN leaderboard_entry.open_interest_usd IS 'Latest open interest, USD.';
COMMENT ON COLUMN leaderboard_entry.volume_24h_usd IS 'Latest trailing 24 h volume, USD.';
COMMENT ON COLUMN leaderboard_entry.apr IS 'Latest funding rate annualised, percent (rate_1h x 8760 x 100).';
COMMENT ON COLUMN leaderboard_entry.spread_bps IS 'Latest bid/ask spread, basis points of mid (NULL without bid and ask).';
COMMENT ON COLUMN leaderboard_entry.time IS 'Time of the latest sample.';
COMMENT ON COLUMN leaderboard_entry.reference_time IS 'Time of the sample the window compares with (NULL for boards without a window).';
COMMENT ON COLUMN leaderboard_entry.metrics IS 'Named details of the computation, units in their names (see the board''s description).';

CREATE TABLE leaderboards (
    name           text PRIMARY KEY,
    position       integer NOT NULL UNIQUE,
    description    text NOT NULL,
    value_unit     text NOT NULL,
    metric_function text NOT NULL,
    order_by       text NOT NULL,
    qualifies      text,
    windows        text[],
    default_window text,
    CHECK ((windows IS NULL) = (default_window IS NULL)),
    CHECK (default_window = ANY (windows))
);

COMMENT ON TABLE leaderboards IS 'Registry of the screener leaderboards served by leaderboard(): one row per board (GET /api/v1/leaderboards lists it).';
COMMENT ON COLUMN leaderboards.name IS 'Board name (leaderboard(name => ...), GET /api/v1/leaderboards/{name}).';
COMMENT ON COLUMN leaderboards.position IS 'Listing order.';
COMMENT ON COLUMN leaderboards.description IS 'What the board ranks, how value is computed, which markets qualify.';
COMMENT ON COLUMN leaderboards.value_unit IS 'Unit of the value column.';
COMMENT ON COLUMN leaderboards.metric_function IS 'Name of the leaderboard_metric_* function (argument: the window as an interval, NULL without one) that computes value per market.';
COMMENT ON COLUMN leaderboards.order_by IS 'SQL ORDER BY expression over m (the leaderboard_metric row) that ranks the board; rank 1 comes first.';
COMMENT ON COLUMN leaderboards.qualifies IS 'SQL condition over m a market must meet to appear (NULL = every market with a value).';
COMMENT ON COLUMN leaderboards.windows IS 'Accepted windows (PostgreSQL interval text: 1h, 4h, 24h, 7d); NULL = the board has no window.';
COMMENT ON COLUMN leaderboards.default_window IS 'Window used when none is given (NULL = no window).';

-- The newest raw sample of every market in (p_at - leaderboard_reference_tolerance, p_at]. DISTINCT ON over the
-- (market_id, time) index of the one or two chunks the range touches.
CREATE FUNCTION leaderboard_reference(p_at timestamptz)
RETURNS TABLE (market_id integer, sample_time timestamptz, mark_price float8, open_interest_usd float8,
               funding_rate float8, funding_interval_hours float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT DISTINCT ON (r.market_id) r.market_id, r.time, r.mark_price, r.open_interest_usd, r.funding_rate,
       r.funding_interval_hours
FROM public.funding_rates r
WHERE r.time <= p_at
  AND r.time > p_at - public.setting_interval('leaderboard_reference_tolerance')
ORDER BY r.market_id, r.time DESC
$$;

COMMENT ON FUNCTION leaderboard_reference(timestamptz) IS
    'The newest raw sample of every market at or before p_at and after p_at - leaderboard_reference_tolerance (market_id, sample_time, mark_price, open_interest_usd, funding_rate, funding_interval_hours; venue units). Markets without a sample in that range are absent.';

-- Latest state against the reference sample of now() - p_window, for every active market that has both.
CREATE FUNCTION leaderboard_changes(p_window interval)
RETURNS TABLE (market_id integer, reference_time timestamptz, hours float8,
               mark_reference float8, price_change_pct float8,
               oi_reference_usd float8, oi_change_usd float8, oi_change_pct float8,
               apr float8, apr_reference float8, apr_change float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT v.market_id, r.sample_time,
       extract(epoch FROM v.time - r.sample_time)::float8 / 3600,
       r.mark_price / v.multiplier,
       (v.mark_price / nullif(r.mark_price / v.multiplier, 0) - 1) * 100,
       r.open_interest_usd,
       v.open_interest_usd - r.open_interest_usd,
       (v.open_interest_usd / nullif(r.open_interest_usd, 0) - 1) * 100,
       v.apr,
       r.funding_rate / coalesce(r.funding_interval_hours, v.funding_interval_hours) * 876000,
       v.apr - r.funding_rate / coalesce(r.funding_interval_hours, v.funding_interval_hours) * 876000
FROM public.latest_funding_rates v
JOIN public.leaderboard_reference(now() - p_window) r ON r.market_id = v.market_id
WHERE v.time > r.sample_time
$$;

COMMENT ON FUNCTION leaderboard_changes(interval) IS
    'Per active market: the newest sample against the reference sample of now() - p_window (leaderboard_reference): reference_time, hours between the two samples, mark_reference (per unit) and price_change_pct (percent), oi_reference_usd, oi_change_usd (USD) and oi_change_pct (percent), apr (latest funding apr, percent), apr_reference and apr_change (funding apr, percentage points). NULL where a value or a non-zero reference is missing.';

CREATE FUNCTION leaderboard_metric_price_change(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT c.market_id, c.price_change_pct, NULL::text, c.reference_time,
       jsonb_build_object('mark_reference', c.mark_reference, 'hours', c.hours)
FROM public.leaderboard_changes(p_window) c
WHERE c.price_change_pct IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_price_change(interval) IS
    'Boards gainers / losers: value = (mark now / mark at the reference sample - 1) x 100, percent; metrics: mark_reference (per unit), hours between the samples.';

-- Velocity over the window and over its two halves: v = change / hours. Acceleration = (v of the recent half -
-- v of the earlier half) / (hours between the halves' midpoints = half the window), percent per hour per hour.
CREATE FUNCTION leaderboard_metric_momentum(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT f.market_id, f.price_change_pct / f.hours, NULL::text, f.reference_time,
       jsonb_build_object(
           'velocity_pct_per_hour', f.price_change_pct / f.hours,
           'velocity_recent_pct_per_hour', h.price_change_pct / h.hours,
           'velocity_earlier_pct_per_hour', e.pct / e.hours,
           'acceleration_pct_per_hour2', (h.price_change_pct / h.hours - e.pct / e.hours) / (f.hours / 2),
           'price_change_pct', f.price_change_pct,
           'hours', f.hours)
FROM public.leaderboard_changes(p_window) f
JOIN public.leaderboard_changes(p_window / 2) h ON h.market_id = f.market_id
CROSS JOIN LATERAL (SELECT (h.mark_reference / nullif(f.mark_reference, 0) - 1) * 100 AS pct,
                           extract(epoch FROM h.reference_time - f.reference_time)::float8 / 3600 AS hours) e
WHERE f.price_change_pct IS NOT NULL AND f.hours > 0 AND h.hours > 0 AND e.hours > 0
$$;

COMMENT ON FUNCTION leaderboard_metric_momentum(interval) IS
    'Board momentum: value = price velocity = price_change_pct over the window / hours between the samples, percent per hour. metrics: velocity_recent_pct_per_hour (newest sample vs the reference of now() - window/2), velocity_earlier_pct_per_hour (reference of now() - window/2 vs that of now() - window), acceleration_pct_per_hour2 = (recent - earlier) / (window hours / 2), percent per hour per hour; price_change_pct; hours. Needs reference samples at both now() - window and now() - window/2.';

CREATE FUNCTION leaderboard_metric_volume_24h(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT l.market_id, l.volume_24h_usd, NULL::text, NULL::timestamptz, '{}'::jsonb
FROM public.market_latest l
WHERE l.volume_24h_usd IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_volume_24h(interval) IS
    'Board volume_24h: value = the latest trailing 24 h volume, USD (no window; the argument is ignored).';

-- Baseline = mean of the trailing-24h volume over completed rollup buckets: the 24 whole hours before the current
-- hour (1h rollup) or the 7 whole UTC days before today (1d rollup, 35k rows instead of 840k at 5,000 markets).
-- Completed buckets only, so the rollups' live tail is never aggregated. Means are weighted by
-- volume_24h_usd_count (samples that had a volume), as the rollups are merged everywhere else.
CREATE FUNCTION leaderboard_metric_volume_surge(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH baseline AS (
    SELECT b.market_id, sum(b.volume_24h_usd_avg * b.volume_24h_usd_count) / nullif(sum(b.volume_24h_usd_count), 0) AS avg_usd,
           min(b.bucket) AS since
    FROM public.funding_rates_1h b
    WHERE p_window < interval '2 days'
      AND b.bucket >= public.time_bucket(interval '1 hour', now()) - p_window
      AND b.bucket < public.time_bucket(interval '1 hour', now())
      AND b.volume_24h_usd_count > 0
    GROUP BY b.market_id
    UNION ALL
    SELECT b.market_id, sum(b.volume_24h_usd_avg * b.volume_24h_usd_count) / nullif(sum(b.volume_24h_usd_count), 0),
           min(b.bucket)
    FROM public.funding_rates_1d b
    WHERE p_window >= interval '2 days'
      AND b.bucket >= public.time_bucket(interval '1 day', now()) - p_window
      AND b.bucket < public.time_bucket(interval '1 day', now())
      AND b.volume_24h_usd_count > 0
    GROUP BY b.market_id
)
SELECT v.market_id, v.volume_24h_usd / b.avg_usd, NULL::text, b.since,
       jsonb_build_object('volume_baseline_usd', b.avg_usd)
FROM public.latest_funding_rates v
JOIN baseline b ON b.market_id = v.market_id
WHERE v.volume_24h_usd IS NOT NULL AND b.avg_usd > 0
$$;

COMMENT ON FUNCTION leaderboard_metric_volume_surge(interval) IS
    'Board volume_surge: value = latest trailing 24 h volume / its mean over the window (ratio; 2 = twice the usual). Window 24h: mean over the 24 completed hours before the current hour (funding_rates_1h); 7d: over the 7 completed UTC days before today (funding_rates_1d); means weighted by volume_24h_usd_count. reference_time = first bucket used; metrics: volume_baseline_usd. Samples carry the venue''s trailing 24 h volume only, so "last hour vs average hour" needs trades (not collected).';

CREATE FUNCTION leaderboard_metric_open_interest(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT l.market_id, l.open_interest_usd, NULL::text, NULL::timestamptz, '{}'::jsonb
FROM public.market_latest l
WHERE l.open_interest_usd IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_open_interest(interval) IS
    'Board oi_leaders: value = the latest open interest, USD (no window; the argument is ignored).';

CREATE FUNCTION leaderboard_metric_oi_change(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT c.market_id, c.oi_change_pct, NULL::text, c.reference_time,
       jsonb_build_object('oi_change_usd', c.oi_change_usd, 'oi_reference_usd', c.oi_reference_usd,
                          'price_change_pct', c.price_change_pct, 'hours', c.hours)
FROM public.leaderboard_changes(p_window) c
WHERE c.oi_change_pct IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_oi_change(interval) IS
    'Board oi_change: value = (OI now / OI at the reference sample - 1) x 100, percent; metrics: oi_change_usd (USD, now - reference), oi_reference_usd, price_change_pct, hours.';

CREATE FUNCTION leaderboard_metric_oi_volume_ratio(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT l.market_id, l.open_interest_usd / l.volume_24h_usd, NULL::text, NULL::timestamptz, '{}'::jsonb
FROM public.market_latest l
WHERE l.open_interest_usd IS NOT NULL AND l.volume_24h_usd > 0
$$;

COMMENT ON FUNCTION leaderboard_metric_oi_volume_ratio(interval) IS
    'Board oi_volume_ratio: value = latest open interest USD / latest trailing 24 h volume USD (ratio; high = positions held rather than traded). Markets without a positive volume are left out.';

CREATE FUNCTION leaderboard_metric_funding(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT v.market_id, v.apr, NULL::text, NULL::timestamptz,
       jsonb_build_object('funding_rate', v.funding_rate, 'funding_interval_hours', v.funding_interval_hours,
                          'rate_8h', v.rate_8h)
FROM public.latest_funding_rates v
WHERE v.apr IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_funding(interval) IS
    'Boards funding_highest / funding_lowest: value = latest funding apr, percent (rate_1h x 8760 x 100), the column funding_rankings() ranks by; metrics: funding_rate (fraction per interval), funding_interval_hours, rate_8h.';

CREATE FUNCTION leaderboard_metric_funding_change(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT c.market_id, c.apr_change, NULL::text, c.reference_time,
       jsonb_build_object('apr_reference', c.apr_reference, 'hours', c.hours)
FROM public.leaderboard_changes(p_window) c
WHERE c.apr_change IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_funding_change(interval) IS
    'Board funding_change: value = funding apr now - apr at the reference sample, percentage points (each rate / its interval x 876000); metrics: apr_reference (percent), hours.';

CREATE FUNCTION leaderboard_metric_spread(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT l.market_id, (l.best_ask - l.best_bid) / ((l.best_ask + l.best_bid) / 2) * 10000, NULL::text,
       NULL::timestamptz, jsonb_build_object('best_bid', l.best_bid / m.multiplier, 'best_ask', l.best_ask / m.multiplier)
FROM public.market_latest l
JOIN public.markets m ON m.id = l.market_id
WHERE l.best_bid > 0 AND l.best_ask > 0
$$;

COMMENT ON FUNCTION leaderboard_metric_spread(interval) IS
    'Boards spread_widest / spread_tightest: value = latest (ask - bid) / mid x 10^4, basis points (markets with a positive bid and ask); metrics: best_bid, best_ask (per unit).';

-- Realised volatility from rollup closes: hourly closes (mark_price_last of the completed 1h buckets) for windows up
-- to a day, daily closes (completed 1d buckets) beyond: 7 days of hourly returns are 840k rows at 5,000 markets and
-- took seconds (measured, bench/leaderboards.sh), 7 daily returns are 40k. A return is taken only between adjacent
-- buckets (a gap is skipped, not stretched); at least half the window's returns are required.
CREATE FUNCTION leaderboard_metric_volatility(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH closes AS (
    SELECT b.market_id, b.bucket, b.mark_price_last AS close, interval '1 hour' AS step
    FROM public.funding_rates_1h b
    WHERE p_window <= interval '1 day'
      AND b.bucket >= public.time_bucket(interval '1 hour', now()) - p_window - interval '1 hour'
      AND b.bucket < public.time_bucket(interval '1 hour', now())
    UNION ALL
    SELECT b.market_id, b.bucket, b.mark_price_last, interval '1 day'
    FROM public.funding_rates_1d b
    WHERE p_window > interval '1 day'
      AND b.bucket >= public.time_bucket(interval '1 day', now()) - p_window - interval '1 day'
      AND b.bucket < public.time_bucket(interval '1 day', now())
), pairs AS (
    SELECT c.market_id, c.bucket, c.step, c.close,
           lag(c.close) OVER w AS prev_close, lag(c.bucket) OVER w AS prev_bucket
    FROM closes c
    WINDOW w AS (PARTITION BY c.market_id ORDER BY c.bucket)
), returns AS (
    SELECT p.market_id, p.step, stddev_samp(ln(p.close / p.prev_close)) AS sd, count(*) AS n, min(p.prev_bucket) AS since
    FROM pairs p
    WHERE p.prev_bucket = p.bucket - p.step AND p.close > 0 AND p.prev_close > 0
    GROUP BY p.market_id, p.step
)
SELECT r.market_id, r.sd * sqrt(31536000 / extract(epoch FROM r.step)) * 100, NULL::text,   -- 31,536,000 s = 365 days
       r.since,
       jsonb_build_object('stddev_per_step_pct', r.sd * 100, 'step_hours', extract(epoch FROM r.step) / 3600,
                          'returns', r.n)
FROM returns r
WHERE r.n >= greatest(2, extract(epoch FROM p_window) / extract(epoch FROM r.step) / 2) AND r.sd IS NOT NULL
$$;

COMMENT ON FUNCTION leaderboard_metric_volatility(interval) IS
    'Board volatility: value = realised volatility, annualised percent = stddev_samp of log returns x sqrt(steps per 365 days) x 100. Window 24h: hourly returns ln(close_h / close_h-1) between adjacent completed hours of funding_rates_1h (mark_price_last; 24 returns from 25 closes, x sqrt(8760)); 7d: daily returns between adjacent completed UTC days of funding_rates_1d (7 returns, x sqrt(365)). At least half the window''s returns needed. reference_time = first close used; metrics: stddev_per_step_pct, step_hours, returns.';

-- Signals: documented rules over the window changes. Each fires independently; value = the OI change that defines it.
--   oi_up_price_down     4 h: OI >= +5 % while price <= -2 %  (new positions against a falling price: shorts pressing
--                        or longs averaging down)
--   oi_down_price_down   4 h: OI <= -5 % while price <= -2 %  (positions closed into a fall: long liquidation /
--                        capitulation)
--   oi_up_price_up       4 h: OI >= +5 % while price >= +2 %  (new positions with the move: a leveraged long push)
--   funding_extreme_oi_spike  |funding apr| >= 50 % and OI >= +5 % in 1 h (crowded side still adding)
CREATE FUNCTION leaderboard_metric_signals(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT c.market_id, c.oi_change_pct, s.name, c.reference_time,
       jsonb_build_object('oi_change_pct', c.oi_change_pct, 'price_change_pct', c.price_change_pct,
                          'apr', c.apr, 'hours', c.hours)
FROM public.leaderboard_changes(interval '4 hours') c
CROSS JOIN LATERAL (VALUES
    (CASE WHEN c.oi_change_pct >= 5 AND c.price_change_pct <= -2 THEN 'oi_up_price_down' END),
    (CASE WHEN c.oi_change_pct <= -5 AND c.price_change_pct <= -2 THEN 'oi_down_price_down' END),
    (CASE WHEN c.oi_change_pct >= 5 AND c.price_change_pct >= 2 THEN 'oi_up_price_up' END)) AS s(name)
WHERE s.name IS NOT NULL
UNION ALL
SELECT c.market_id, c.oi_change_pct, 'funding_extreme_oi_spike', c.reference_time,
       jsonb_build_object('oi_change_pct', c.oi_change_pct, 'price_change_pct', c.price_change_pct,
                          'apr', c.apr, 'hours', c.hours)
FROM public.leaderboard_changes(interval '1 hour') c
WHERE abs(c.apr) >= 50 AND c.oi_change_pct >= 5
$$;

COMMENT ON FUNCTION leaderboard_metric_signals(interval) IS
    'Board signals (fixed windows; the argument is ignored): one row per market and rule that fires. oi_up_price_down: over 4 h OI >= +5 % and price <= -2 %; oi_down_price_down: OI <= -5 % and price <= -2 % (4 h); oi_up_price_up: OI >= +5 % and price >= +2 % (4 h); funding_extreme_oi_spike: |funding apr| >= 50 % and OI >= +5 % over 1 h. value = the rule''s OI change, percent; metrics: oi_change_pct, price_change_pct, apr, hours.';

INSERT INTO leaderboards (name, position, description, value_unit, metric_function, order_by, qualifies, windows, default_window) VALUES
    ('gainers', 1, 'Largest price rise over the window: (mark now / mark at the reference sample - 1) x 100. Only rising markets.',
     'percent', 'leaderboard_metric_price_change', 'm.value DESC', 'm.value > 0', '{1h,4h,24h}', '24h'),
    ('losers', 2, 'Largest price fall over the window: (mark now / mark at the reference sample - 1) x 100. Only falling markets.',
     'percent', 'leaderboard_metric_price_change', 'm.value ASC', 'm.value < 0', '{1h,4h,24h}', '24h'),
    ('momentum', 3, 'Price velocity: change over the window per hour, largest magnitude first (sign kept); metrics carry the velocity of each half of the window and the acceleration (percent per hour per hour).',
     'percent per hour', 'leaderboard_metric_momentum', 'abs(m.value) DESC', NULL, '{1h,4h,24h}', '1h'),
    ('volume_24h', 4, 'Highest trailing 24 h volume.',
     'USD', 'leaderboard_metric_volume_24h', 'm.value DESC', NULL, NULL, NULL),
    ('volume_surge', 5, 'Trailing 24 h volume against its own mean over the window (24h: the previous 24 whole hours; 7d: the previous 7 whole UTC days). A ratio, highest first.',
     'ratio', 'leaderboard_metric_volume_surge', 'm.value DESC', NULL, '{24h,7d}', '24h'),
    ('oi_leaders', 6, 'Highest open interest.',
     'USD', 'leaderboard_metric_open_interest', 'm.value DESC', NULL, NULL, NULL),
    ('oi_change', 7, 'Open interest change over the window in percent, largest magnitude first (sign kept); metrics carry the change in USD.',
     'percent', 'leaderboard_metric_oi_change', 'abs(m.value) DESC', NULL, '{1h,4h,24h}', '24h'),
    ('oi_volume_ratio', 8, 'Open interest / trailing 24 h volume, highest first (positions held rather than traded).',
     'ratio', 'leaderboard_metric_oi_volume_ratio', 'm.value DESC', NULL, NULL, NULL),
    ('funding_highest', 9, 'Highest funding apr (same ranking as funding_rankings()).',
     'percent per year', 'leaderboard_metric_funding', 'm.value DESC', NULL, NULL, NULL),
    ('funding_lowest', 10, 'Lowest (most negative) funding apr (same ranking as funding_rankings(order => asc)).',
     'percent per year', 'leaderboard_metric_funding', 'm.value ASC', NULL, NULL, NULL),
    ('funding_change', 11, 'Change of the funding apr over the window, largest magnitude first (sign kept).',
     'percentage points per year', 'leaderboard_metric_funding_change', 'abs(m.value) DESC', NULL, '{1h,4h,24h}', '24h'),
    ('spread_widest', 12, 'Widest bid/ask spread, (ask - bid) / mid x 10^4.',
     'basis points', 'leaderboard_metric_spread', 'm.value DESC', NULL, NULL, NULL),
    ('spread_tightest', 13, 'Tightest bid/ask spread, (ask - bid) / mid x 10^4 (markets with a bid and an ask).',
     'basis points', 'leaderboard_metric_spread', 'm.value ASC', NULL, NULL, NULL),
    ('volatility', 14, 'Realised volatility over the window, annualised, highest first: 24h from hourly log returns (x sqrt(8760)), 7d from daily log returns (x sqrt(365)).',
     'percent per year', 'leaderboard_metric_volatility', 'm.value DESC', NULL, '{24h,7d}', '24h'),
    ('signals', 15, 'Rules that fired: oi_up_price_down (4 h: OI >= +5 %, price <= -2 %), oi_down_price_down (4 h: OI <= -5 %, price <= -2 %), oi_up_price_up (4 h: OI >= +5 %, price >= +2 %), funding_extreme_oi_spike (|apr| >= 50 % and OI >= +5 % in 1 h). value = the rule''s OI change; largest magnitude first.',
     'percent', 'leaderboard_metric_signals', 'abs(m.value) DESC', NULL, NULL, NULL);

-- The one entry point: validates, filters, ranks. Dynamic SQL because the metric function and ordering come from
-- the registry (owner-written rows, identifiers quoted with %I, the window as a validated interval literal so the
-- planner sees constants and excludes chunks at plan time); the filters are bound parameters.
CREATE FUNCTION leaderboard(
    name           text,
    time_window    text     DEFAULT NULL,
    dexes          text[]   DEFAULT NULL,
    quote          text     DEFAULT NULL,
    min_volume_24h float8   DEFAULT NULL,
    min_oi_usd     float8   DEFAULT NULL,
    limit_rows     integer  DEFAULT 50,
    max_age        interval DEFAULT NULL)
RETURNS SETOF leaderboard_entry
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public
SET work_mem = '32MB'   -- the reference samples' DISTINCT ON sorts ~75k rows at 5,000 markets: no spill to disk
AS $$
DECLARE
    b public.leaderboards;
    w text;
BEGIN
    SELECT * INTO b FROM public.leaderboards l WHERE l.name = leaderboard.name;
    IF NOT FOUND THEN
        PERFORM public.require_parameter(false, 'name',
            format('unknown leaderboard %L; known: %s', leaderboard.name,
                   (SELECT string_agg(l.name, ', ' ORDER BY l.position) FROM public.leaderboards l)));
    END IF;
    IF b.windows IS NULL THEN
        PERFORM public.require_parameter(time_window IS NULL, 'time_window',
            format('leaderboard %s has no window', b.name));
    ELSE
        w := coalesce(lower(time_window), b.default_window);
        PERFORM public.require_parameter(w = ANY (b.windows), 'time_window',
            format('must be one of %s', array_to_string(b.windows, ', ')));
    END IF;
    PERFORM public.require_parameter(limit_rows >= 0, 'limit_rows', 'must be >= 0');
    PERFORM public.require_parameter(min_volume_24h >= 0, 'min_volume_24h', 'must be >= 0');
    PERFORM public.require_parameter(min_oi_usd >= 0, 'min_oi_usd', 'must be >= 0');
    PERFORM public.require_parameter(max_age > interval '0', 'max_age', 'must be positive');

    RETURN QUERY EXECUTE format($q$
        SELECT rank() OVER (ORDER BY %2$s), v.dex, v.symbol, v.dex_symbol, v.quote, m.value, m.signal,
               v.mark_price, v.open_interest_usd, v.volume_24h_usd, v.apr, v.spread_bps, v.time, m.reference_time,
               m.metrics
        FROM public.%1$I(%3$L::interval) m
        JOIN public.latest_funding_rates v ON v.market_id = m.market_id
        WHERE m.value IS NOT NULL AND (%4$s)
          AND ($1 IS NULL OR v.dex = ANY ($1))
          AND ($2 IS NULL OR v.quote = $2)
          AND ($3 IS NULL OR v.volume_24h_usd >= $3)
          AND ($4 IS NULL OR v.open_interest_usd >= $4)
          AND ($6 IS NULL OR v.time >= now() - $6)
        ORDER BY %2$s, v.dex, v.dex_symbol, m.signal
        LIMIT $5$q$,
        b.metric_function, b.order_by, w, coalesce(b.qualifies, 'true'))
    USING dexes, upper(quote), min_volume_24h, min_oi_usd, limit_rows, max_age;
END
$$;

COMMENT ON FUNCTION leaderboard(text, text, text[], text, float8, float8, integer, interval) IS
$c$A screener leaderboard (names, descriptions and windows in the leaderboards table), ranked inside the filters. Parameters: name (a leaderboards.name); time_window ('1h', '4h', '24h', '7d' as the board accepts; NULL = its default_window; must be NULL for boards without one); dexes (text[], market's dex in the list); quote (exact, case-insensitive); min_volume_24h (USD); min_oi_usd (USD); limit_rows (default 50, NULL = all); max_age (only markets whose newest sample is within it). A market with a NULL volume / OI fails a filter on it. Windowed boards compare the newest sample with the newest sample at or before now() - window (within leaderboard_reference_tolerance); markets without one are not ranked. Invalid parameters raise invalid_parameter_value with the parameter name as HINT.$c$;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE NOTICE 'role % does not exist: no grants for it', r;
            CONTINUE;
        END IF;
        EXECUTE format('GRANT SELECT ON public.leaderboards TO %I', r);
        EXECUTE format('GRANT USAGE ON TYPE public.leaderboard_metric, public.leaderboard_entry TO %I', r);
    END LOOP;
END
$$;
