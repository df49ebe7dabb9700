-- 0093 live prices: the latest top of book per market from the venues' WebSocket streams, per-second samples and a
-- 1-minute rollup, and cross-venue price-spread arbitrage computed from them.
--
-- The stream workers keep the latest state per market in memory and flush the markets that changed every
-- FUNDINGD_PRICE_FLUSH_MS (default 1000) through one prices_apply() call. Nothing else is computed in Swift: spreads,
-- their history and their persistence are the functions below.
--
-- Volume at the issue's scale (5,000 markets, every one changing every second): 432M price_samples rows a day at
-- most, ~80 bytes each with its key, so 1-hour chunks and a short retention (price_sample_retention, 2 days);
-- price_samples_1m holds one row per market and minute (7.2M a day) and is kept price_rollup_retention (30 days).

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('price_sample_retention', '2 days',
     'interval: price_samples chunks (1 hour) entirely older than now() - this are dropped by apply_retention().'),
    ('price_rollup_retention', '30 days',
     'interval: price_samples_1m chunks (1 day) entirely older than now() - this are dropped by apply_retention().');

CREATE TABLE price_latest (
    market_id   integer PRIMARY KEY REFERENCES markets (id) ON DELETE CASCADE,
    time        timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    bid         float8,
    bid_size    float8,
    ask         float8,
    ask_size    float8,
    last        float8,
    mark        float8
) WITH (fillfactor = 50,
        autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0,
        autovacuum_analyze_scale_factor = 0.0, autovacuum_analyze_threshold = 50000);

COMMENT ON TABLE price_latest IS 'Latest streamed top of book and last / mark price per market (one row per market, updated by prices_apply() on every flush in which the market changed). Prices per contract unit as the venue quotes them: divide by markets.multiplier for per-unit prices.';
COMMENT ON COLUMN price_latest.market_id IS 'markets.id.';
COMMENT ON COLUMN price_latest.time IS 'The venue''s event time of the newest update (venue clock).';
COMMENT ON COLUMN price_latest.received_at IS 'When fundingd received the newest update (this machine''s clock); ages are measured from it, so a venue clock that is off does not make a leg look fresh or stale.';
COMMENT ON COLUMN price_latest.bid IS 'Best bid, per contract unit, quote currency.';
COMMENT ON COLUMN price_latest.bid_size IS 'Size at the best bid in the venue''s size unit (contracts where the venue counts contracts; see docs/venues.md).';
COMMENT ON COLUMN price_latest.ask IS 'Best ask, per contract unit, quote currency.';
COMMENT ON COLUMN price_latest.ask_size IS 'Size at the best ask in the venue''s size unit.';
COMMENT ON COLUMN price_latest.last IS 'Last traded price per contract unit, where the venue streams it.';
COMMENT ON COLUMN price_latest.mark IS 'Mark price per contract unit, where the venue streams it.';

CREATE TABLE price_samples (
    time      timestamptz NOT NULL,
    market_id integer NOT NULL,
    bid       float8,
    ask       float8,
    last      float8,
    mark      float8,
    CONSTRAINT price_samples_market_time_key UNIQUE (market_id, time)
);

SELECT create_hypertable('price_samples', by_range('time', INTERVAL '1 hour'));

COMMENT ON TABLE price_samples IS 'Streamed prices per market and second (hypertable, 1-hour chunks, kept price_sample_retention): the market''s state at the end of each second in which it changed. Written only by prices_apply().';
COMMENT ON COLUMN price_samples.time IS 'The second (received_at truncated to the second, UTC).';
COMMENT ON COLUMN price_samples.market_id IS 'markets.id.';
COMMENT ON COLUMN price_samples.bid IS 'Best bid per contract unit at the end of the second.';
COMMENT ON COLUMN price_samples.ask IS 'Best ask per contract unit at the end of the second.';
COMMENT ON COLUMN price_samples.last IS 'Last traded price per contract unit, where streamed.';
COMMENT ON COLUMN price_samples.mark IS 'Mark price per contract unit, where streamed.';

CREATE TABLE price_samples_1m (
    bucket    timestamptz NOT NULL,
    market_id integer NOT NULL,
    samples   integer NOT NULL,
    mid_open  float8,
    mid_high  float8,
    mid_low   float8,
    mid_close float8,
    bid_close float8,
    ask_close float8,
    last_time timestamptz NOT NULL,
    CONSTRAINT price_samples_1m_market_bucket_key UNIQUE (market_id, bucket)
);

SELECT create_hypertable('price_samples_1m', by_range('bucket', INTERVAL '1 day'));

COMMENT ON TABLE price_samples_1m IS 'Streamed prices per market and UTC minute (hypertable, 1-day chunks, kept price_rollup_retention), maintained by prices_apply() as it writes price_samples: mid = (bid + ask) / 2 per contract unit.';
COMMENT ON COLUMN price_samples_1m.bucket IS 'Start of the minute (UTC).';
COMMENT ON COLUMN price_samples_1m.market_id IS 'markets.id.';
COMMENT ON COLUMN price_samples_1m.samples IS 'Flushed updates folded into the minute (a market changing every second of a 1 s flush gives 60).';
COMMENT ON COLUMN price_samples_1m.mid_open IS 'First mid of the minute.';
COMMENT ON COLUMN price_samples_1m.mid_high IS 'Highest mid of the minute.';
COMMENT ON COLUMN price_samples_1m.mid_low IS 'Lowest mid of the minute.';
COMMENT ON COLUMN price_samples_1m.mid_close IS 'Last mid of the minute.';
COMMENT ON COLUMN price_samples_1m.bid_close IS 'Last best bid of the minute.';
COMMENT ON COLUMN price_samples_1m.ask_close IS 'Last best ask of the minute.';
COMMENT ON COLUMN price_samples_1m.last_time IS 'received_at of the last update folded in.';

INSERT INTO retention_targets (relation, setting) VALUES
    ('public.price_samples', 'price_sample_retention'),
    ('public.price_samples_1m', 'price_rollup_retention');

DO $$
BEGIN
    IF current_setting('timescaledb.license', true) = 'timescale' THEN
        EXECUTE 'SELECT add_retention_policy(''public.price_samples'', $1, if_not_exists => true)'
            USING coalesce(public.setting_interval('price_sample_retention'), INTERVAL '2 days');
        EXECUTE 'SELECT add_retention_policy(''public.price_samples_1m'', $1, if_not_exists => true)'
            USING coalesce(public.setting_interval('price_rollup_retention'), INTERVAL '30 days');
    END IF;
END
$$;

-- A streamed price or size: NULL when absent (-Infinity, the writer's marker: arrays carry no NULL through the
-- daemon's client), when not finite or outside (0, 1e15] (sizes may be 0). No SET clause, so it is inlined.
CREATE FUNCTION price_number(p_value float8, p_allow_zero boolean) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE WHEN p_value > 0 AND p_value <= 1e15 THEN p_value
            WHEN p_allow_zero AND p_value = 0 THEN 0::float8
       END
$$;

COMMENT ON FUNCTION price_number(float8, boolean) IS
    'prices_apply() helper: the value when it is a finite number in (0, 1e15] (or 0 when p_allow_zero); NULL otherwise (absent = -Infinity, NaN, infinite, negative). NaN compares above every number in PostgreSQL, so the upper bound excludes it.';

-- The one write of a flush. One array per field (PostgresNIO arrays carry no NULL: an absent number is '').
CREATE FUNCTION prices_apply(
    p_dex         text[],
    p_dex_symbol  text[],
    p_time_us     bigint[],
    p_received_us bigint[],
    p_bid         float8[],
    p_bid_size    float8[],
    p_ask         float8[],
    p_ask_size    float8[],
    p_last        float8[],
    p_mark        float8[])
RETURNS TABLE (rows_in integer, rows_applied integer, rows_unknown_market integer, rows_rejected integer)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_epoch constant timestamptz := timestamptz '1970-01-01 00:00:00+00';
    v_absent constant float8 := '-Infinity';
    v_in integer := coalesce(cardinality(p_dex), 0);
    v_applied integer;
    v_known integer;
    v_unknown integer;
    v_flush timestamptz;
    -- Read once: a function call in the statements' WHERE would be evaluated for every row.
    v_sample_cutoff constant timestamptz := now() - coalesce(setting_interval('price_sample_retention'), INTERVAL '2 days');
    v_rollup_cutoff constant timestamptz := now() - coalesce(setting_interval('price_rollup_retention'), INTERVAL '30 days');
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS prices_flush (
        market_id integer, time timestamptz, received_at timestamptz, bid float8, bid_size float8, ask float8,
        ask_size float8, last float8, mark float8, bad boolean
    ) ON COMMIT DELETE ROWS;
    DELETE FROM pg_temp.prices_flush;

    -- Every row with its market (NULL: a market the snapshot collector has not created; streams never create
    -- markets, so a typo in a venue symbol cannot invent one).
    INSERT INTO pg_temp.prices_flush
    SELECT m.id, v_epoch + u.time_us * interval '1 microsecond', v_epoch + u.received_us * interval '1 microsecond',
           n.bid, n.bid_size, n.ask, n.ask_size, n.last, n.mark,
           -- rejected: a field sent but unusable, a crossed book, or nothing usable at all
           (u.bid <> v_absent AND n.bid IS NULL) OR (u.ask <> v_absent AND n.ask IS NULL)
           OR (u.bid_size <> v_absent AND n.bid_size IS NULL) OR (u.ask_size <> v_absent AND n.ask_size IS NULL)
           OR (u.last <> v_absent AND n.last IS NULL) OR (u.mark <> v_absent AND n.mark IS NULL)
           OR n.bid > n.ask
           OR (u.bid = v_absent AND u.ask = v_absent AND u.last = v_absent AND u.mark = v_absent)
    FROM unnest(p_dex, p_dex_symbol, p_time_us, p_received_us, p_bid, p_bid_size, p_ask, p_ask_size, p_last, p_mark)
         AS u(dex, dex_symbol, time_us, received_us, bid, bid_size, ask, ask_size, last, mark)
    CROSS JOIN LATERAL (
        SELECT price_number(u.bid, false) AS bid, price_number(u.bid_size, true) AS bid_size,
               price_number(u.ask, false) AS ask, price_number(u.ask_size, true) AS ask_size,
               price_number(u.last, false) AS last, price_number(u.mark, false) AS mark) AS n
    LEFT JOIN dexes d ON d.name = u.dex
    LEFT JOIN markets m ON m.dex_id = d.id AND m.dex_symbol = u.dex_symbol;

    DELETE FROM pg_temp.prices_flush WHERE market_id IS NULL;
    GET DIAGNOSTICS v_unknown = ROW_COUNT;
    -- Several rows of one market: the newest received is the one applied.
    DELETE FROM pg_temp.prices_flush
    WHERE ctid IN (SELECT x.ctid FROM (
                       SELECT f.ctid, row_number() OVER (PARTITION BY f.market_id ORDER BY f.received_at DESC) AS n
                       FROM pg_temp.prices_flush f) AS x
                   WHERE x.n > 1);
    SELECT count(*) INTO v_known FROM pg_temp.prices_flush;
    DELETE FROM pg_temp.prices_flush WHERE bad;
    GET DIAGNOSTICS v_applied = ROW_COUNT;
    v_applied := v_known - v_applied;

    -- One statement: upsert the latest state (newer wins; a field the update did not carry keeps its value), then
    -- from the rows it returned (the merged state, so a sample always has the bid and ask in force) the per-second
    -- sample and the minute's rollup, without reading price_latest again.
    WITH latest AS (
        INSERT INTO price_latest AS p (market_id, time, received_at, bid, bid_size, ask, ask_size, last, mark)
        SELECT market_id, time, received_at, bid, bid_size, ask, ask_size, last, mark FROM pg_temp.prices_flush
        ON CONFLICT (market_id) DO UPDATE SET
            time = EXCLUDED.time, received_at = EXCLUDED.received_at,
            bid = coalesce(EXCLUDED.bid, p.bid), bid_size = coalesce(EXCLUDED.bid_size, p.bid_size),
            ask = coalesce(EXCLUDED.ask, p.ask), ask_size = coalesce(EXCLUDED.ask_size, p.ask_size),
            last = coalesce(EXCLUDED.last, p.last), mark = coalesce(EXCLUDED.mark, p.mark)
        WHERE EXCLUDED.received_at >= p.received_at
        RETURNING p.market_id, p.received_at, p.bid, p.ask, p.last, p.mark
    ), samples AS (
        INSERT INTO price_samples AS s (time, market_id, bid, ask, last, mark)
        SELECT date_trunc('second', l.received_at), l.market_id, l.bid, l.ask, l.last, l.mark
        FROM latest l
        WHERE l.received_at > v_sample_cutoff
        ON CONFLICT (market_id, time) DO UPDATE SET
            bid = EXCLUDED.bid, ask = EXCLUDED.ask, last = EXCLUDED.last, mark = EXCLUDED.mark
    )
    INSERT INTO price_samples_1m AS r
        (bucket, market_id, samples, mid_open, mid_high, mid_low, mid_close, bid_close, ask_close, last_time)
    SELECT date_trunc('minute', l.received_at), l.market_id, 1, (l.bid + l.ask) / 2, (l.bid + l.ask) / 2,
           (l.bid + l.ask) / 2, (l.bid + l.ask) / 2, l.bid, l.ask, l.received_at
    FROM latest l
    WHERE l.received_at > v_rollup_cutoff
    ON CONFLICT (market_id, bucket) DO UPDATE SET
        samples = r.samples + 1,
        mid_open = coalesce(r.mid_open, EXCLUDED.mid_open),
        mid_high = greatest(r.mid_high, EXCLUDED.mid_high),
        mid_low = least(r.mid_low, EXCLUDED.mid_low),
        mid_close = CASE WHEN EXCLUDED.last_time >= r.last_time THEN coalesce(EXCLUDED.mid_close, r.mid_close) ELSE r.mid_close END,
        bid_close = CASE WHEN EXCLUDED.last_time >= r.last_time THEN EXCLUDED.bid_close ELSE r.bid_close END,
        ask_close = CASE WHEN EXCLUDED.last_time >= r.last_time THEN EXCLUDED.ask_close ELSE r.ask_close END,
        last_time = greatest(r.last_time, EXCLUDED.last_time);

    SELECT max(received_at) INTO v_flush FROM pg_temp.prices_flush;
    IF v_applied > 0 THEN
        -- Advisory: anyone may NOTIFY this channel, so listeners only re-read the tables on it.
        PERFORM pg_notify('fundingd_prices', jsonb_build_object(
            'flush_time', to_char(v_flush AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'markets', v_applied)::text);
    END IF;

    RETURN QUERY SELECT v_in, v_applied, v_unknown, v_known - v_applied;
END
$$;

COMMENT ON FUNCTION prices_apply(text[], text[], bigint[], bigint[], float8[], float8[], float8[], float8[], float8[], float8[]) IS
    'Write path of the live streams: one call per flush with one array per field (dex, dex_symbol, venue event time and receive time in microseconds since 1970, bid, bid_size, ask, ask_size, last, mark as float8, -Infinity = not in the update). Upserts price_latest (newer receive time wins, absent fields keep their value), the per-second price_samples and the per-minute price_samples_1m, then NOTIFY fundingd_prices {flush_time, markets}. Markets not yet created by the snapshot collector are skipped and counted (rows_unknown_market); a row with a non-finite, non-positive or crossed price is rejected (rows_rejected) and costs only itself. Several rows for one market in one call: the newest receive time is the one applied.';

REVOKE ALL ON FUNCTION prices_apply(text[], text[], bigint[], bigint[], float8[], float8[], float8[], float8[], float8[], float8[]) FROM PUBLIC;

-- The latest streamed prices, named and per unit: what /api/v1/prices and dashboards read.
CREATE VIEW live_prices AS
SELECT y.symbol, d.name AS dex, m.dex_symbol, m.quote, m.multiplier,
       p.bid / m.multiplier AS bid, p.ask / m.multiplier AS ask,
       (p.bid + p.ask) / 2 / m.multiplier AS mid,
       (p.ask - p.bid) / ((p.ask + p.bid) / 2) * 1e4 AS spread_bps,
       p.last / m.multiplier AS last, p.mark / m.multiplier AS mark,
       p.bid_size, p.ask_size, p.time, p.received_at,
       extract(epoch FROM now() - p.received_at)::float8 AS age_seconds
FROM price_latest p
JOIN markets m ON m.id = p.market_id
JOIN dexes d ON d.id = m.dex_id
JOIN symbols y ON y.id = m.symbol_id
WHERE m.is_active;

COMMENT ON VIEW live_prices IS 'The latest streamed prices of every active market, per unit of the symbol (venue prices divided by the market''s multiplier): bid, ask, mid, the book spread in bps ((ask - bid) / mid x 1e4), last and mark where streamed; sizes in the venue''s size unit; time (venue clock), received_at and age_seconds (now() - received_at).';
COMMENT ON COLUMN live_prices.symbol IS 'Normalised base asset (symbols.symbol).';
COMMENT ON COLUMN live_prices.dex IS 'The venue (dexes.name).';
COMMENT ON COLUMN live_prices.dex_symbol IS 'The venue''s own contract symbol.';
COMMENT ON COLUMN live_prices.quote IS 'Quote / settlement asset of the market.';
COMMENT ON COLUMN live_prices.multiplier IS 'Units of the symbol per contract unit (prices here are already divided by it).';
COMMENT ON COLUMN live_prices.bid IS 'Best bid per unit of the symbol, quote currency.';
COMMENT ON COLUMN live_prices.ask IS 'Best ask per unit of the symbol, quote currency.';
COMMENT ON COLUMN live_prices.mid IS '(bid + ask) / 2 per unit of the symbol.';
COMMENT ON COLUMN live_prices.spread_bps IS 'Book spread (ask - bid) / mid x 1e4, basis points.';
COMMENT ON COLUMN live_prices.last IS 'Last traded price per unit, where streamed.';
COMMENT ON COLUMN live_prices.mark IS 'Mark price per unit, where streamed.';
COMMENT ON COLUMN live_prices.bid_size IS 'Size at the best bid in the venue''s size unit (contracts where the venue counts contracts).';
COMMENT ON COLUMN live_prices.ask_size IS 'Size at the best ask in the venue''s size unit.';
COMMENT ON COLUMN live_prices.time IS 'The venue''s event time of the newest update (venue clock).';
COMMENT ON COLUMN live_prices.received_at IS 'When fundingd received the newest update (its clock).';
COMMENT ON COLUMN live_prices.age_seconds IS 'now() - received_at, seconds.';

-- The markets a venue's streams subscribe to, with their last polled book and mark (the demo's starting prices).
CREATE FUNCTION stream_markets(p_dex text)
RETURNS TABLE (dex_symbol text, best_bid float8, best_ask float8, mark_price float8, symbol text, multiplier float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
SELECT m.dex_symbol, l.best_bid, l.best_ask, l.mark_price, y.symbol, m.multiplier
FROM markets m JOIN dexes d ON d.id = m.dex_id JOIN symbols y ON y.id = m.symbol_id
LEFT JOIN market_latest l ON l.market_id = m.id
WHERE d.name = p_dex AND m.is_active
ORDER BY m.dex_symbol
$$;

COMMENT ON FUNCTION stream_markets(text) IS
    'The venue symbols of p_dex''s active markets (created by the snapshot collector): what its live streams subscribe to, with the best bid, best ask and mark price of the latest polled snapshot (per contract unit; NULL when not reported), its symbol and multiplier.';

-- Cross-venue price spreads: buy on the long leg L at L.ask, sell on the short leg S at S.bid, per-unit prices.
CREATE TYPE price_spread AS (
    symbol               text,
    long_dex             text,
    long_dex_symbol      text,
    short_dex            text,
    short_dex_symbol     text,
    buy_price            float8,
    sell_price           float8,
    gross_spread_bps     float8,
    fees_bps             float8,
    net_spread_bps       float8,
    long_ask_size        float8,
    short_bid_size       float8,
    long_volume_24h_usd  float8,
    short_volume_24h_usd float8,
    long_age_seconds     float8,
    short_age_seconds    float8,
    long_time            timestamptz,
    short_time           timestamptz);

COMMENT ON TYPE price_spread IS 'One cross-venue price spread (a row of price_spreads() and best_price_spreads()).';
COMMENT ON COLUMN price_spread.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN price_spread.long_dex IS 'The venue bought (at its ask).';
COMMENT ON COLUMN price_spread.long_dex_symbol IS 'The long venue''s contract symbol.';
COMMENT ON COLUMN price_spread.short_dex IS 'The venue sold (at its bid).';
COMMENT ON COLUMN price_spread.short_dex_symbol IS 'The short venue''s contract symbol.';
COMMENT ON COLUMN price_spread.buy_price IS 'The long leg''s ask per unit of the symbol.';
COMMENT ON COLUMN price_spread.sell_price IS 'The short leg''s bid per unit of the symbol.';
COMMENT ON COLUMN price_spread.gross_spread_bps IS '(sell_price - buy_price) / ((sell_price + buy_price) / 2) x 1e4, basis points.';
COMMENT ON COLUMN price_spread.fees_bps IS '(2 x taker fee of the long venue + 2 x taker fee of the short venue) x 1e4: opening and closing both legs, basis points.';
COMMENT ON COLUMN price_spread.net_spread_bps IS 'gross_spread_bps - fees_bps, basis points.';
COMMENT ON COLUMN price_spread.long_ask_size IS 'Size at the long leg''s ask, venue size unit.';
COMMENT ON COLUMN price_spread.short_bid_size IS 'Size at the short leg''s bid, venue size unit.';
COMMENT ON COLUMN price_spread.long_volume_24h_usd IS 'The long market''s 24 h volume, USD (latest snapshot).';
COMMENT ON COLUMN price_spread.short_volume_24h_usd IS 'The short market''s 24 h volume, USD (latest snapshot).';
COMMENT ON COLUMN price_spread.long_age_seconds IS 'now() - when fundingd received the long leg''s newest update, seconds.';
COMMENT ON COLUMN price_spread.short_age_seconds IS 'now() - when fundingd received the short leg''s newest update, seconds.';
COMMENT ON COLUMN price_spread.long_time IS 'The long leg''s venue event time.';
COMMENT ON COLUMN price_spread.short_time IS 'The short leg''s venue event time.';

CREATE FUNCTION price_spreads(
    p_symbols        text[]   DEFAULT NULL,
    p_dexes          text[]   DEFAULT NULL,
    p_min_spread_bps float8   DEFAULT NULL,
    p_min_volume_usd float8   DEFAULT NULL,
    p_max_age        interval DEFAULT INTERVAL '60 seconds',
    p_limit          integer  DEFAULT NULL)
RETURNS SETOF price_spread
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
WITH leg AS (
    SELECT y.symbol, d.name AS dex, m.dex_symbol,
           p.bid / m.multiplier AS bid, p.ask / m.multiplier AS ask, p.bid_size, p.ask_size,
           l.volume_24h_usd, p.time, extract(epoch FROM now() - p.received_at)::float8 AS age,
           dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, 'taker') AS taker
    FROM price_latest p
    JOIN markets m ON m.id = p.market_id
    JOIN dexes d ON d.id = m.dex_id
    JOIN symbols y ON y.id = m.symbol_id
    LEFT JOIN market_latest l ON l.market_id = p.market_id
    WHERE m.is_active
      AND (p_symbols IS NULL OR y.symbol = ANY (p_symbols))
      AND (p_dexes IS NULL OR d.name = ANY (p_dexes))
      AND (p_max_age IS NULL OR p.received_at >= now() - p_max_age)
      AND (p_min_volume_usd IS NULL OR l.volume_24h_usd >= p_min_volume_usd)
), pair AS (
    SELECT lo.symbol, lo.dex AS long_dex, lo.dex_symbol AS long_dex_symbol, sh.dex AS short_dex,
           sh.dex_symbol AS short_dex_symbol, lo.ask AS buy_price, sh.bid AS sell_price,
           (sh.bid - lo.ask) / ((sh.bid + lo.ask) / 2) * 1e4 AS gross_spread_bps,
           (2 * lo.taker + 2 * sh.taker) * 1e4 AS fees_bps,
           lo.ask_size AS long_ask_size, sh.bid_size AS short_bid_size,
           lo.volume_24h_usd AS long_volume_24h_usd, sh.volume_24h_usd AS short_volume_24h_usd,
           lo.age AS long_age_seconds, sh.age AS short_age_seconds, lo.time AS long_time, sh.time AS short_time
    FROM leg lo
    JOIN leg sh ON sh.symbol = lo.symbol AND sh.dex <> lo.dex
    WHERE lo.ask IS NOT NULL AND sh.bid IS NOT NULL AND lo.taker IS NOT NULL AND sh.taker IS NOT NULL
)
SELECT symbol, long_dex, long_dex_symbol, short_dex, short_dex_symbol, buy_price, sell_price, gross_spread_bps,
       fees_bps, gross_spread_bps - fees_bps, long_ask_size, short_bid_size, long_volume_24h_usd,
       short_volume_24h_usd, long_age_seconds, short_age_seconds, long_time, short_time
FROM pair
WHERE p_min_spread_bps IS NULL OR gross_spread_bps - fees_bps >= p_min_spread_bps
ORDER BY gross_spread_bps - fees_bps DESC, symbol, long_dex, short_dex
LIMIT p_limit
$$;

COMMENT ON FUNCTION price_spreads(text[], text[], float8, float8, interval, integer) IS
    'Cross-venue price-spread arbitrage from price_latest, best first: for each symbol and ordered pair of venues, buy on the long leg at its ask and sell on the short leg at its bid, on per-unit prices (price / multiplier). gross_spread_bps = (sell - buy) / ((sell + buy) / 2) x 1e4; fees_bps = (2 x taker(long) + 2 x taker(short)) x 1e4 (open and close both legs, base-tier taker fees; venues with no known taker fee are left out); net = gross - fees. Filters: symbols, dexes (both legs among them), p_min_spread_bps on the net spread, p_min_volume_usd on both legs'' 24 h volume (market_latest), p_max_age on both legs'' age (now() - received_at; default 60 s, NULL = any age), p_limit rows. Each leg reports its age in seconds and its venue time.';

CREATE FUNCTION best_price_spreads(
    p_symbols        text[]   DEFAULT NULL,
    p_dexes          text[]   DEFAULT NULL,
    p_min_spread_bps float8   DEFAULT NULL,
    p_min_volume_usd float8   DEFAULT NULL,
    p_max_age        interval DEFAULT INTERVAL '60 seconds',
    p_limit          integer  DEFAULT NULL)
RETURNS SETOF price_spread
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
SELECT b.* FROM (
    SELECT DISTINCT ON (s.symbol) s.*
    FROM price_spreads(p_symbols, p_dexes, p_min_spread_bps, p_min_volume_usd, p_max_age) AS s
    ORDER BY s.symbol, s.net_spread_bps DESC, s.long_dex, s.short_dex
) AS b
ORDER BY b.net_spread_bps DESC, b.symbol
LIMIT p_limit
$$;

COMMENT ON FUNCTION best_price_spreads(text[], text[], float8, float8, interval, integer) IS
    'The best pair per symbol of price_spreads() (highest net spread; ties by venue names), best first, with the same filters.';

-- The market of one leg of a pair: the venue's market of the symbol with the most recent price (a venue may list
-- BTCUSDT and BTCUSDC).
CREATE FUNCTION price_leg(p_symbol text, p_dex text) RETURNS TABLE (market_id integer, multiplier float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
SELECT m.id, m.multiplier
FROM markets m JOIN dexes d ON d.id = m.dex_id JOIN symbols y ON y.id = m.symbol_id
LEFT JOIN price_latest p ON p.market_id = m.id
WHERE y.symbol = p_symbol AND d.name = p_dex
ORDER BY p.received_at DESC NULLS LAST, m.id
LIMIT 1
$$;

COMMENT ON FUNCTION price_leg(text, text) IS
    'price_spread_history() helper: the market (id, multiplier) of p_symbol on p_dex with the most recently received price; none when the venue has no market of the symbol.';

-- A pair's spread over time from the per-second samples (or the 1-minute closes), each leg carried forward.
CREATE FUNCTION price_spread_history(
    p_symbol     text,
    p_long_dex   text,
    p_short_dex  text,
    p_from       timestamptz DEFAULT now() - INTERVAL '1 hour',
    p_to         timestamptz DEFAULT now(),
    p_resolution text        DEFAULT 'second')
RETURNS TABLE (sample_time timestamptz, buy_price float8, sell_price float8, gross_spread_bps float8, fees_bps float8,
               net_spread_bps float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
DECLARE
    v_long integer;
    v_short integer;
    v_long_mult float8;
    v_short_mult float8;
    v_fees float8;
BEGIN
    IF p_resolution NOT IN ('second', 'minute') THEN
        RAISE EXCEPTION 'p_resolution must be second or minute, not %', p_resolution USING ERRCODE = '22023';
    END IF;
    SELECT l.market_id, l.multiplier, s.market_id, s.multiplier INTO v_long, v_long_mult, v_short, v_short_mult
    FROM price_leg(p_symbol, p_long_dex) l, price_leg(p_symbol, p_short_dex) s;
    SELECT (2 * dex_fee(l.maker_fee, l.taker_fee, l.fee_tiers, 'taker')
          + 2 * dex_fee(s.maker_fee, s.taker_fee, s.fee_tiers, 'taker')) * 1e4 INTO v_fees
    FROM dexes l, dexes s WHERE l.name = p_long_dex AND s.name = p_short_dex;
    IF v_long IS NULL OR v_short IS NULL THEN
        RETURN;
    END IF;

    -- Both legs' points in one ordered series; each leg carried forward with the running-count trick (a leg's
    -- value group = the number of its points so far), one sort instead of a lookup per point.
    RETURN QUERY
    WITH points AS (
        SELECT x.time AS t, x.market_id, x.bid, x.ask FROM price_samples x
        WHERE p_resolution = 'second' AND x.market_id IN (v_long, v_short)
          AND x.time > p_from - INTERVAL '1 hour' AND x.time <= p_to
        UNION ALL
        SELECT x.bucket, x.market_id, x.bid_close, x.ask_close FROM price_samples_1m x
        WHERE p_resolution = 'minute' AND x.market_id IN (v_long, v_short)
          AND x.bucket > p_from - INTERVAL '1 day' AND x.bucket <= p_to
    ), series AS (
        SELECT pt.t,
               CASE WHEN pt.market_id = v_long THEN pt.ask / v_long_mult END AS buy,
               CASE WHEN pt.market_id = v_short THEN pt.bid / v_short_mult END AS sell
        FROM points pt
    ), grouped AS (
        SELECT sr.t, sr.buy, sr.sell,
               count(sr.buy) OVER (ORDER BY sr.t) AS buy_group, count(sr.sell) OVER (ORDER BY sr.t) AS sell_group
        FROM series sr
    ), filled AS (
        SELECT g.t,
               max(g.buy) OVER (PARTITION BY g.buy_group) AS buy,
               max(g.sell) OVER (PARTITION BY g.sell_group) AS sell
        FROM grouped g
    ), per_time AS (
        SELECT DISTINCT ON (f.t) f.t, f.buy, f.sell FROM filled f ORDER BY f.t, f.buy IS NULL, f.sell IS NULL
    )
    SELECT b.t, b.buy, b.sell, (b.sell - b.buy) / ((b.sell + b.buy) / 2) * 1e4, v_fees,
           (b.sell - b.buy) / ((b.sell + b.buy) / 2) * 1e4 - v_fees
    FROM per_time b
    WHERE b.t >= p_from AND b.buy IS NOT NULL AND b.sell IS NOT NULL
    ORDER BY b.t;
END
$$;

COMMENT ON FUNCTION price_spread_history(text, text, text, timestamptz, timestamptz, text) IS
    'The spread of one pair (symbol, long dex bought at its ask, short dex sold at its bid) at every second in [p_from, p_to] in which either leg changed (p_resolution = second, from price_samples, each leg carried forward from its latest sample up to an hour back), or at every minute from the 1-minute closes (p_resolution = minute, price_samples_1m). Per-unit prices; fees_bps as in price_spreads() (base-tier taker fees now). Where a venue lists several markets of the symbol, the one with the newest price is used.';

-- How long a pair's net spread has stayed at or above a threshold, from the per-second history.
CREATE FUNCTION price_spread_persistence(
    p_symbol        text,
    p_long_dex      text,
    p_short_dex     text,
    p_threshold_bps float8,
    p_lookback      interval DEFAULT INTERVAL '1 hour')
RETURNS TABLE (above_now boolean, above_since timestamptz, seconds_above float8, share_above float8,
               samples integer, net_spread_bps float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
WITH h AS (
    SELECT x.sample_time AS time, x.net_spread_bps, lead(x.sample_time, 1, now()) OVER (ORDER BY x.sample_time) AS until
    FROM price_spread_history(p_symbol, p_long_dex, p_short_dex, now() - p_lookback, now(), 'second') AS x
), last_below AS (
    SELECT max(h.until) AS t FROM h WHERE h.net_spread_bps < p_threshold_bps
), latest AS (
    SELECT h.time, h.net_spread_bps FROM h ORDER BY h.time DESC LIMIT 1
)
SELECT l.net_spread_bps >= p_threshold_bps,
       CASE WHEN l.net_spread_bps >= p_threshold_bps
            THEN coalesce((SELECT t FROM last_below), (SELECT min(h.time) FROM h)) END,
       CASE WHEN l.net_spread_bps >= p_threshold_bps
            THEN extract(epoch FROM now() - coalesce((SELECT t FROM last_below), (SELECT min(h.time) FROM h)))::float8
            ELSE 0 END,
       (SELECT sum(extract(epoch FROM h.until - h.time)) FILTER (WHERE h.net_spread_bps >= p_threshold_bps)
               / nullif(sum(extract(epoch FROM h.until - h.time)), 0) FROM h)::float8,
       (SELECT count(*) FROM h)::integer,
       l.net_spread_bps
FROM latest l
$$;

COMMENT ON FUNCTION price_spread_persistence(text, text, text, float8, interval) IS
    'Persistence of one pair''s net spread over p_lookback (default 1 hour) from price_spread_history(): whether it is at or above p_threshold_bps now, since when (the end of the last second it was below; the start of the lookback''s history if never), for how many seconds, the share of the lookback''s covered time it spent at or above the threshold, the number of history points and the latest net spread. No row when the pair has no history in the lookback.';

DO $$
DECLARE
    r text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION prices_apply(text[], text[], bigint[], bigint[], float8[], float8[], float8[], float8[], float8[], float8[]) TO fundingd_writer;
    END IF;
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.price_latest, public.price_samples, public.price_samples_1m, public.live_prices TO %I', r);
            EXECUTE format('GRANT USAGE ON TYPE public.price_spread TO %I', r);
        END IF;
    END LOOP;
END
$$;
