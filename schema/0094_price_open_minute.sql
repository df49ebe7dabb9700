-- 0094 a cheaper flush: the second and the minute in progress live in price_latest; price_samples and
-- price_samples_1m receive a market's second or minute once, when the market's first update of a later one arrives.
--
-- Measured at 5,000 changed markets (bench/streams.sh): the 0093 flush spent ~60 of ~130 ms in SQL re-writing every
-- market's price_samples_1m row on every flush (a non-HOT update of a hypertable row and its index), ~10 ms in the
-- ON CONFLICT path of price_samples, ~20 ms staging the arrays through a temporary table and ~10 ms waiting for the
-- commit's WAL flush. Here a closed second or minute is one plain insert, price_latest takes a plain UPDATE (HOT:
-- fillfactor 50), the flush is one statement whose data-modifying CTEs all read the same snapshot (so the state a
-- second or minute closes with is price_latest as it was before this flush), and the commit is asynchronous.
--
-- Readers: the view price_minutes adds each market's minute in progress to price_samples_1m; price_spread_history
-- adds the second in progress to price_samples.

ALTER TABLE price_latest
    ADD COLUMN minute         timestamptz,
    ADD COLUMN minute_samples integer,
    ADD COLUMN minute_open    float8,
    ADD COLUMN minute_high    float8,
    ADD COLUMN minute_low     float8;

COMMENT ON COLUMN price_latest.minute IS 'The UTC minute in progress for this market (received_at truncated to the minute); it moves to price_samples_1m when an update of a later minute arrives (as the second in progress, the state of received_at''s second, moves to price_samples).';
COMMENT ON COLUMN price_latest.minute_samples IS 'Flushed updates folded into the minute in progress.';
COMMENT ON COLUMN price_latest.minute_open IS 'First mid ((bid + ask) / 2 per contract unit) of the minute in progress.';
COMMENT ON COLUMN price_latest.minute_high IS 'Highest mid of the minute in progress.';
COMMENT ON COLUMN price_latest.minute_low IS 'Lowest mid of the minute in progress.';

-- Rows written by 0093's prices_apply: their second and minute in progress were already written to price_samples
-- and price_samples_1m. They move into price_latest here, so that those tables hold closed seconds and minutes only
-- (what prices_apply relies on: a second or minute it closes is inserted once). Without this, a daemon streaming
-- across the upgrade would close a minute that 0093 had already stored, and every flush would fail on its key.
UPDATE price_latest p SET
    minute = date_trunc('minute', p.received_at),
    minute_samples = coalesce(r.samples, 1),
    minute_open = coalesce(r.mid_open, (p.bid + p.ask) / 2),
    minute_high = coalesce(r.mid_high, (p.bid + p.ask) / 2),
    minute_low = coalesce(r.mid_low, (p.bid + p.ask) / 2)
FROM price_latest q
LEFT JOIN price_samples_1m r ON r.market_id = q.market_id AND r.bucket = date_trunc('minute', q.received_at)
WHERE q.market_id = p.market_id;

DELETE FROM price_samples_1m r USING price_latest p WHERE r.market_id = p.market_id AND r.bucket = p.minute;
DELETE FROM price_samples s USING price_latest p
WHERE s.market_id = p.market_id AND s.time = date_trunc('second', p.received_at);

COMMENT ON TABLE price_samples_1m IS 'Streamed prices per market and closed UTC minute (hypertable, 1-day chunks, kept price_rollup_retention): prices_apply() inserts a market''s minute when the market''s first update of a later minute arrives; the minute in progress is in price_latest (the view price_minutes shows both). mid = (bid + ask) / 2 per contract unit.';

COMMENT ON TABLE price_samples IS 'Streamed prices per market and second (hypertable, 1-hour chunks, kept price_sample_retention): the market''s state at the end of each second in which it changed, inserted by prices_apply() when the market''s first update of a later second arrives (the second in progress is the market''s price_latest row; price_spread_history() reads both).';

CREATE OR REPLACE FUNCTION prices_apply(
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
    v_known integer;
    v_rejected integer;
    v_unknown integer;
    v_flush timestamptz;
    -- Read once: a function call in the statements' WHERE would be evaluated for every row.
    v_sample_cutoff constant timestamptz := now() - coalesce(setting_interval('price_sample_retention'), INTERVAL '2 days');
    v_rollup_cutoff constant timestamptz := now() - coalesce(setting_interval('price_rollup_retention'), INTERVAL '30 days');
BEGIN
    -- A flush is replaced by the next one within a second: waiting for its WAL to reach the disk (~10 ms here) buys
    -- nothing worth that. A crash of the database server can lose the last few hundred milliseconds of flushes
    -- (never a torn one); the daemon's next flush rewrites every market's latest state anyway.
    PERFORM set_config('synchronous_commit', 'off', true);

    WITH input AS (
        -- Every row with its market (NULL: a market the snapshot collector has not created; streams never create
        -- markets, so a typo in a venue symbol cannot invent one), its rank among the rows of its market (newest
        -- received first) and whether it is rejected: a field sent but unusable, a crossed book, or nothing usable.
        SELECT m.id AS market_id,
               v_epoch + u.time_us * interval '1 microsecond' AS time,
               v_epoch + u.received_us * interval '1 microsecond' AS received_at,
               n.bid, n.bid_size, n.ask, n.ask_size, n.last, n.mark,
               coalesce((u.bid <> v_absent AND n.bid IS NULL) OR (u.ask <> v_absent AND n.ask IS NULL)
                        OR (u.bid_size <> v_absent AND n.bid_size IS NULL)
                        OR (u.ask_size <> v_absent AND n.ask_size IS NULL)
                        OR (u.last <> v_absent AND n.last IS NULL) OR (u.mark <> v_absent AND n.mark IS NULL)
                        OR n.bid > n.ask
                        OR (u.bid = v_absent AND u.ask = v_absent AND u.last = v_absent AND u.mark = v_absent),
                        false) AS bad,
               row_number() OVER (PARTITION BY m.id ORDER BY u.received_us DESC) AS rank
        FROM unnest(p_dex, p_dex_symbol, p_time_us, p_received_us, p_bid, p_bid_size, p_ask, p_ask_size, p_last, p_mark)
             AS u(dex, dex_symbol, time_us, received_us, bid, bid_size, ask, ask_size, last, mark)
        CROSS JOIN LATERAL (
            SELECT price_number(u.bid, false) AS bid, price_number(u.bid_size, true) AS bid_size,
                   price_number(u.ask, false) AS ask, price_number(u.ask_size, true) AS ask_size,
                   price_number(u.last, false) AS last, price_number(u.mark, false) AS mark) AS n
        LEFT JOIN dexes d ON d.name = u.dex
        LEFT JOIN markets m ON m.dex_id = d.id AND m.dex_symbol = u.dex_symbol
    ), good AS (
        SELECT i.*, date_trunc('second', i.received_at) AS second, date_trunc('minute', i.received_at) AS minute,
               (i.bid + i.ask) / 2 AS mid
        FROM input i
        WHERE i.market_id IS NOT NULL AND i.rank = 1 AND NOT i.bad
    ), old AS (
        -- Each update beside its market's state before this flush (every CTE of the statement reads the same
        -- snapshot, so this is price_latest as it was, whatever the UPDATE below does).
        SELECT g.market_id, g.second, g.minute, g.received_at AS new_received_at, g.time AS new_time,
               g.bid AS new_bid, g.bid_size AS new_bid_size, g.ask AS new_ask, g.ask_size AS new_ask_size,
               g.last AS new_last, g.mark AS new_mark, g.mid AS new_mid,
               p.market_id AS known, p.received_at, p.bid, p.ask, p.last, p.mark,
               p.minute AS old_minute, p.minute_samples, p.minute_open, p.minute_high, p.minute_low
        FROM good g
        LEFT JOIN price_latest p ON p.market_id = g.market_id
    ), seconds AS (
        -- A market's second in progress ends with its first update of a later second: its state then is the
        -- state at the end of that second. Each second is closed once, so a plain insert (two writers racing on
        -- one market: one flush fails on the key and its markets are written by its next flush).
        INSERT INTO price_samples (time, market_id, bid, ask, last, mark)
        SELECT date_trunc('second', o.received_at), o.market_id, o.bid, o.ask, o.last, o.mark
        FROM old o
        WHERE o.known IS NOT NULL AND o.new_received_at >= o.received_at
          AND date_trunc('second', o.received_at) < o.second AND o.received_at > v_sample_cutoff
    ), minutes AS (
        -- The same for the minute in progress.
        INSERT INTO price_samples_1m
            (bucket, market_id, samples, mid_open, mid_high, mid_low, mid_close, bid_close, ask_close, last_time)
        SELECT o.old_minute, o.market_id, o.minute_samples, o.minute_open, o.minute_high, o.minute_low,
               (o.bid + o.ask) / 2, o.bid, o.ask, o.received_at
        FROM old o
        WHERE o.old_minute < o.minute AND o.new_received_at >= o.received_at AND o.old_minute > v_rollup_cutoff
    ), updated AS (
        -- Newer wins; a field the update did not carry keeps its value; the minute's open / high / low follow
        -- the merged mid.
        UPDATE price_latest p SET
            time = g.time, received_at = g.received_at,
            bid = coalesce(g.bid, p.bid), bid_size = coalesce(g.bid_size, p.bid_size),
            ask = coalesce(g.ask, p.ask), ask_size = coalesce(g.ask_size, p.ask_size),
            last = coalesce(g.last, p.last), mark = coalesce(g.mark, p.mark),
            minute = g.minute,
            minute_samples = CASE WHEN p.minute = g.minute THEN p.minute_samples + 1 ELSE 1 END,
            minute_open = CASE WHEN p.minute = g.minute AND p.minute_open IS NOT NULL THEN p.minute_open
                               ELSE (coalesce(g.bid, p.bid) + coalesce(g.ask, p.ask)) / 2 END,
            minute_high = CASE WHEN p.minute = g.minute
                               THEN greatest(p.minute_high, (coalesce(g.bid, p.bid) + coalesce(g.ask, p.ask)) / 2)
                               ELSE (coalesce(g.bid, p.bid) + coalesce(g.ask, p.ask)) / 2 END,
            minute_low = CASE WHEN p.minute = g.minute
                              THEN least(p.minute_low, (coalesce(g.bid, p.bid) + coalesce(g.ask, p.ask)) / 2)
                              ELSE (coalesce(g.bid, p.bid) + coalesce(g.ask, p.ask)) / 2 END
        FROM good g
        WHERE p.market_id = g.market_id AND g.received_at >= p.received_at
    ), inserted AS (
        -- A market's first streamed price (DO NOTHING: a concurrent flush may have written it first).
        INSERT INTO price_latest (market_id, time, received_at, bid, bid_size, ask, ask_size, last, mark,
                                  minute, minute_samples, minute_open, minute_high, minute_low)
        SELECT o.market_id, o.new_time, o.new_received_at, o.new_bid, o.new_bid_size, o.new_ask, o.new_ask_size,
               o.new_last, o.new_mark, o.minute, 1, o.new_mid, o.new_mid, o.new_mid
        FROM old o
        WHERE o.known IS NULL
        ON CONFLICT (market_id) DO NOTHING
    )
    SELECT count(*) FILTER (WHERE market_id IS NULL),
           count(*) FILTER (WHERE market_id IS NOT NULL AND rank = 1),
           count(*) FILTER (WHERE market_id IS NOT NULL AND rank = 1 AND bad),
           max(received_at) FILTER (WHERE market_id IS NOT NULL AND rank = 1 AND NOT bad)
    INTO v_unknown, v_known, v_rejected, v_flush
    FROM input;

    IF v_known > v_rejected THEN
        -- Advisory: anyone may NOTIFY this channel, so listeners only re-read the tables on it.
        PERFORM pg_notify('fundingd_prices', jsonb_build_object(
            'flush_time', to_char(v_flush AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'markets', v_known - v_rejected)::text);
    END IF;

    RETURN QUERY SELECT v_in, v_known - v_rejected, v_unknown, v_rejected;
END
$$;

COMMENT ON FUNCTION prices_apply(text[], text[], bigint[], bigint[], float8[], float8[], float8[], float8[], float8[], float8[]) IS
    'Write path of the live streams: one call per flush with one array per field (dex, dex_symbol, venue event time and receive time in microseconds since 1970, bid, bid_size, ask, ask_size, last, mark as float8, -Infinity = not in the update). Updates price_latest (newer receive time wins, absent fields keep their value; inserts a market''s first row) with its minute in progress; for a market whose update starts a later second or minute, inserts the second it leaves into price_samples and the minute it leaves into price_samples_1m; then NOTIFY fundingd_prices {flush_time, markets}. Markets not yet created by the snapshot collector are skipped and counted (rows_unknown_market); a row with a non-finite, non-positive or crossed price is rejected (rows_rejected) and costs only itself. Several rows for one market in one call: the newest receive time is the one applied. Commits asynchronously (synchronous_commit off for its transaction): a database crash may lose the last few hundred milliseconds of flushes.';

-- Every minute of every market: the closed ones and the one in progress.
CREATE VIEW price_minutes AS
SELECT r.bucket, r.market_id, r.samples, r.mid_open, r.mid_high, r.mid_low, r.mid_close, r.bid_close, r.ask_close,
       r.last_time, false AS in_progress
FROM price_samples_1m r
UNION ALL
SELECT p.minute, p.market_id, p.minute_samples, p.minute_open, p.minute_high, p.minute_low, (p.bid + p.ask) / 2,
       p.bid, p.ask, p.received_at, true
FROM price_latest p
WHERE p.minute IS NOT NULL;

COMMENT ON VIEW price_minutes IS 'Streamed prices per market and UTC minute: the closed minutes of price_samples_1m and each market''s minute in progress from price_latest (in_progress = true). Prices per contract unit; mid = (bid + ask) / 2.';
COMMENT ON COLUMN price_minutes.bucket IS 'Start of the minute (UTC).';
COMMENT ON COLUMN price_minutes.market_id IS 'markets.id.';
COMMENT ON COLUMN price_minutes.samples IS 'Flushed updates folded into the minute.';
COMMENT ON COLUMN price_minutes.mid_open IS 'First mid of the minute.';
COMMENT ON COLUMN price_minutes.mid_high IS 'Highest mid of the minute.';
COMMENT ON COLUMN price_minutes.mid_low IS 'Lowest mid of the minute.';
COMMENT ON COLUMN price_minutes.mid_close IS 'Last mid of the minute (so far, for the minute in progress).';
COMMENT ON COLUMN price_minutes.bid_close IS 'Last best bid of the minute.';
COMMENT ON COLUMN price_minutes.ask_close IS 'Last best ask of the minute.';
COMMENT ON COLUMN price_minutes.last_time IS 'received_at of the last update folded in.';
COMMENT ON COLUMN price_minutes.in_progress IS 'true for the minute still being written (from price_latest).';

-- The pair history reads the second and the minute in progress too.
CREATE OR REPLACE FUNCTION price_spread_history(
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
        -- The second in progress (price_samples receives it when it is over).
        SELECT date_trunc('second', x.received_at), x.market_id, x.bid, x.ask FROM price_latest x
        WHERE p_resolution = 'second' AND x.market_id IN (v_long, v_short) AND x.minute IS NOT NULL
          AND date_trunc('second', x.received_at) > p_from - INTERVAL '1 hour'
          AND date_trunc('second', x.received_at) <= p_to
        UNION ALL
        SELECT x.bucket, x.market_id, x.bid_close, x.ask_close FROM price_minutes x
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
    'The spread of one pair (symbol, long dex bought at its ask, short dex sold at its bid) at every second in [p_from, p_to] in which either leg changed (p_resolution = second, from price_samples and the second in progress in price_latest, each leg carried forward from its latest sample up to an hour back), or at every minute from the 1-minute closes (p_resolution = minute, price_minutes: price_samples_1m and the minute in progress). Per-unit prices; fees_bps as in price_spreads() (base-tier taker fees now). Where a venue lists several markets of the symbol, the one with the newest price is used.';

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.price_minutes TO %I', r);
        END IF;
    END LOOP;
END
$$;
