-- 0091 trade flow: taker (aggressor-side) volume per market per minute, and the boards that read it (CVD, taker
-- buy ratio).
--
-- The service does not collect trades yet (the live streams are a separate piece of work). This migration fixes
-- the contract they will write to: trade_flow_apply(jsonb), one call per flush, in the same transaction as the
-- price cycle's ingest_apply() when both are flushed together. Until then the two boards are empty.
--
-- Volume: 5,000 markets x 1,440 minutes = 7.2M rows/day at most (only minutes with trades are written); ~100 bytes
-- per row with its key: < 1 GB/day, 1-day chunks, kept trade_flow_retention (7 days).

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('trade_flow_retention', '7 days',
     'interval: trade_flow_1m chunks (1 day) entirely older than now() - this are dropped by apply_retention() (Community edition: also by a retention policy).');

CREATE TABLE trade_flow_1m (
    bucket           timestamptz NOT NULL,
    market_id        integer NOT NULL,
    buy_volume_base  float8 NOT NULL DEFAULT 0,
    sell_volume_base float8 NOT NULL DEFAULT 0,
    buy_volume_usd   float8 NOT NULL DEFAULT 0,
    sell_volume_usd  float8 NOT NULL DEFAULT 0,
    buy_trades       integer NOT NULL DEFAULT 0,
    sell_trades      integer NOT NULL DEFAULT 0,
    CONSTRAINT trade_flow_1m_market_bucket_key UNIQUE (market_id, bucket)
);

SELECT create_hypertable('trade_flow_1m', by_range('bucket', INTERVAL '1 day'));

COMMENT ON TABLE trade_flow_1m IS 'Taker trade flow per market per UTC minute (hypertable, 1-day chunks, kept trade_flow_retention). Written only by trade_flow_apply(); buys are trades whose aggressor (taker) bought.';
COMMENT ON COLUMN trade_flow_1m.bucket IS 'Start of the minute (timestamptz, UTC-aligned).';
COMMENT ON COLUMN trade_flow_1m.market_id IS 'markets.id.';
COMMENT ON COLUMN trade_flow_1m.buy_volume_base IS 'Volume of taker-buy trades in the minute, units of the symbol (contracts x multiplier).';
COMMENT ON COLUMN trade_flow_1m.sell_volume_base IS 'Volume of taker-sell trades in the minute, units of the symbol.';
COMMENT ON COLUMN trade_flow_1m.buy_volume_usd IS 'Notional of taker-buy trades in the minute, USD (sum of size x price).';
COMMENT ON COLUMN trade_flow_1m.sell_volume_usd IS 'Notional of taker-sell trades in the minute, USD.';
COMMENT ON COLUMN trade_flow_1m.buy_trades IS 'Number of taker-buy trades in the minute.';
COMMENT ON COLUMN trade_flow_1m.sell_trades IS 'Number of taker-sell trades in the minute.';

-- Input helpers of trade_flow_apply(): a malformed value marks its row, never fails the flush.
-- A JSON number in [0, p_max] as float8; 0 when absent or null; -1 (rejected as bad_number) otherwise.
CREATE FUNCTION trade_flow_number(p_value jsonb, p_max numeric) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE WHEN p_value IS NULL OR p_value = 'null'::jsonb THEN 0
            WHEN jsonb_typeof(p_value) = 'number' AND (p_value #>> '{}')::numeric BETWEEN 0 AND p_max
                THEN (p_value #>> '{}')::float8
            ELSE -1 END
$$;

COMMENT ON FUNCTION trade_flow_number(jsonb, numeric) IS
    'trade_flow_apply() helper: a JSON number within [0, p_max] as float8, 0 when absent or JSON null, -1 (a rejected row) for anything else.';

-- An ISO 8601 time as timestamptz; NULL when the text is not one (2026-02-30, "yesterday", ...).
CREATE FUNCTION trade_flow_time(p_value jsonb) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
BEGIN
    IF jsonb_typeof(p_value) IS DISTINCT FROM 'string' THEN
        RETURN NULL;
    END IF;
    RETURN (p_value #>> '{}')::timestamptz;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trade_flow_time(jsonb) IS
    'trade_flow_apply() helper: a JSON string holding a valid time as timestamptz, NULL otherwise (never an error).';

-- One flush of minute buckets. Rows: [{"dex", "dex_symbol", "bucket" (any time inside the minute), "buy_base",
-- "sell_base", "buy_usd", "sell_usd", "buy_trades", "sell_trades"}]; absent numbers count as 0. A row for a minute
-- already stored is added to it (a stream flushes a minute in parts). A row is rejected (counted, never written)
-- when its market is unknown or a number is negative, not finite or not a number; the rest are applied.
CREATE FUNCTION trade_flow_apply(p_rows jsonb) RETURNS TABLE (rows_applied integer, rows_rejected integer, rejected jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    IF jsonb_typeof(p_rows) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'trade_flow_apply: p_rows must be a JSON array' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One statement, no staging table: a temp relation the caller created could run its code with the owner's rights.
    RETURN QUERY
    WITH staged AS (
        SELECT m.id AS market_id, date_trunc('minute', x.bucket) AS bucket, x.buy_base, x.sell_base, x.buy_usd,
               x.sell_usd, x.buy_trades, x.sell_trades,
               CASE WHEN m.id IS NULL THEN 'unknown_market'
                    WHEN x.bucket IS NULL OR NOT isfinite(x.bucket) THEN 'bad_bucket'
                    WHEN least(x.buy_base, x.sell_base, x.buy_usd, x.sell_usd, x.buy_trades, x.sell_trades) < 0
                         OR x.buy_trades <> trunc(x.buy_trades) OR x.sell_trades <> trunc(x.sell_trades) THEN 'bad_number'
               END AS reason
        FROM (
            SELECT r ->> 'dex' AS dex, r ->> 'dex_symbol' AS dex_symbol,
                   public.trade_flow_time(r -> 'bucket') AS bucket,
                   public.trade_flow_number(r -> 'buy_base', 1e18) AS buy_base,
                   public.trade_flow_number(r -> 'sell_base', 1e18) AS sell_base,
                   public.trade_flow_number(r -> 'buy_usd', 1e18) AS buy_usd,
                   public.trade_flow_number(r -> 'sell_usd', 1e18) AS sell_usd,
                   public.trade_flow_number(r -> 'buy_trades', 1e9) AS buy_trades,
                   public.trade_flow_number(r -> 'sell_trades', 1e9) AS sell_trades
            FROM jsonb_array_elements(p_rows) AS r
        ) x
        LEFT JOIN public.dexes d ON d.name = x.dex
        LEFT JOIN public.markets m ON m.dex_id = d.id AND m.dex_symbol = x.dex_symbol
    ), written AS (
        INSERT INTO public.trade_flow_1m AS t (bucket, market_id, buy_volume_base, sell_volume_base, buy_volume_usd,
                                               sell_volume_usd, buy_trades, sell_trades)
        SELECT s.bucket, s.market_id, sum(s.buy_base), sum(s.sell_base), sum(s.buy_usd), sum(s.sell_usd),
               sum(s.buy_trades)::integer, sum(s.sell_trades)::integer
        FROM staged s
        WHERE s.reason IS NULL
        GROUP BY s.market_id, s.bucket
        ORDER BY s.market_id, s.bucket
        ON CONFLICT (market_id, bucket) DO UPDATE SET
            buy_volume_base = t.buy_volume_base + excluded.buy_volume_base,
            sell_volume_base = t.sell_volume_base + excluded.sell_volume_base,
            buy_volume_usd = t.buy_volume_usd + excluded.buy_volume_usd,
            sell_volume_usd = t.sell_volume_usd + excluded.sell_volume_usd,
            buy_trades = t.buy_trades + excluded.buy_trades,
            sell_trades = t.sell_trades + excluded.sell_trades
    )
    SELECT (count(*) FILTER (WHERE s.reason IS NULL))::integer,
           (count(*) FILTER (WHERE s.reason IS NOT NULL))::integer,
           coalesce((SELECT jsonb_object_agg(r.reason, r.n) FROM (
                        SELECT s2.reason, count(*) AS n FROM staged s2 WHERE s2.reason IS NOT NULL GROUP BY s2.reason) r),
                    '{}'::jsonb)
    FROM staged s;   -- written runs to completion whether read or not
END
$$;

COMMENT ON FUNCTION trade_flow_apply(jsonb) IS
    'Writes one flush of taker trade flow: p_rows = [{"dex", "dex_symbol", "bucket" (ISO time inside the minute), "buy_base", "sell_base", "buy_usd", "sell_usd", "buy_trades", "sell_trades"}] (absent numbers = 0). Adds to a minute already stored. Rows of unknown markets (unknown_market), without a valid time (bad_bucket) or with a negative / non-finite / non-numeric number (bad_number) are counted in rejected and not written. Returns rows_applied, rows_rejected, rejected ({reason: count}). Writer only.';
REVOKE ALL ON FUNCTION trade_flow_apply(jsonb) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION trade_flow_apply(jsonb) TO fundingd_writer;
        GRANT SELECT ON trade_flow_1m TO fundingd_writer;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_reader') THEN
        GRANT SELECT ON trade_flow_1m TO fundingd_reader;
    END IF;
END
$$;

-- Window = the minute buckets starting at or after time_bucket('1 minute', now()) - window (the window's whole
-- minutes plus the current, partial one).
CREATE FUNCTION leaderboard_trade_flow(p_window interval)
RETURNS TABLE (market_id integer, since timestamptz, buy_volume_usd float8, sell_volume_usd float8,
               buy_volume_base float8, sell_volume_base float8, trades bigint)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT t.market_id, min(t.bucket), sum(t.buy_volume_usd), sum(t.sell_volume_usd), sum(t.buy_volume_base),
       sum(t.sell_volume_base), sum(t.buy_trades + t.sell_trades)
FROM public.trade_flow_1m t
WHERE t.bucket >= public.time_bucket(interval '1 minute', now()) - p_window
GROUP BY t.market_id
$$;

COMMENT ON FUNCTION leaderboard_trade_flow(interval) IS
    'Taker flow per market over the minute buckets starting at or after time_bucket(1 minute, now()) - p_window: first bucket (since), buy / sell notional (USD) and volume (units of the symbol), trade count.';

CREATE FUNCTION leaderboard_metric_cvd(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT f.market_id, f.buy_volume_usd - f.sell_volume_usd, NULL::text, f.since,
       jsonb_build_object('buy_volume_usd', f.buy_volume_usd, 'sell_volume_usd', f.sell_volume_usd,
                          'cvd_base', f.buy_volume_base - f.sell_volume_base, 'trades', f.trades)
FROM public.leaderboard_trade_flow(p_window) f
$$;

COMMENT ON FUNCTION leaderboard_metric_cvd(interval) IS
    'Board cvd: value = cumulative volume delta over the window = taker-buy notional - taker-sell notional, USD (trade_flow_1m); metrics: buy_volume_usd, sell_volume_usd, cvd_base (units of the symbol), trades.';

CREATE FUNCTION leaderboard_metric_taker_buy_ratio(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT f.market_id, f.buy_volume_usd / (f.buy_volume_usd + f.sell_volume_usd), NULL::text, f.since,
       jsonb_build_object('buy_volume_usd', f.buy_volume_usd, 'sell_volume_usd', f.sell_volume_usd, 'trades', f.trades)
FROM public.leaderboard_trade_flow(p_window) f
WHERE f.buy_volume_usd + f.sell_volume_usd > 0
$$;

COMMENT ON FUNCTION leaderboard_metric_taker_buy_ratio(interval) IS
    'Board taker_buy_ratio: value = taker-buy notional / all taker notional over the window (0..1; 0.5 = balanced), from trade_flow_1m; markets without trades in the window are left out. metrics: buy_volume_usd, sell_volume_usd, trades.';

INSERT INTO leaderboards (name, position, description, value_unit, metric_function, order_by, qualifies, windows, default_window) VALUES
    ('cvd', 16, 'Cumulative volume delta over the window: taker-buy minus taker-sell notional, largest magnitude first (sign kept). Needs trade flow (trade_flow_1m), which only the live trade streams write: empty without them.',
     'USD', 'leaderboard_metric_cvd', 'abs(m.value) DESC', NULL, '{1h,4h}', '1h'),
    ('taker_buy_ratio', 17, 'Share of taker-buy notional in all taker notional over the window, highest first (0.5 = balanced). Needs trade flow (trade_flow_1m), which only the live trade streams write: empty without them.',
     'ratio', 'leaderboard_metric_taker_buy_ratio', 'm.value DESC', NULL, '{1h,4h}', '1h');
-- No 24h window: a day of minutes is 7.2M rows at 5,000 markets (2.5 s measured); longer windows need an hourly
-- rollup of trade_flow_1m first.

-- Its retention (0079's retention_targets).
INSERT INTO retention_targets (relation, setting) VALUES ('public.trade_flow_1m', 'trade_flow_retention');

DO $$
BEGIN
    IF current_setting('timescaledb.license', true) = 'timescale' THEN
        EXECUTE 'SELECT add_retention_policy(''public.trade_flow_1m'', $1, if_not_exists => true)'
            USING coalesce(public.setting_interval('trade_flow_retention'), INTERVAL '7 days');
    END IF;
END
$$;
