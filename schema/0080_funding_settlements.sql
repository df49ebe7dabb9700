-- 0080 settled funding: funding_settlements (hypertable), backfill_progress, settlements_apply(...)
--
-- What each venue actually charged at each of its funding times, one row per (market, funding time). The sampled
-- rate in funding_rates is an estimate; settlements are the truth for realised returns and for grading a venue's
-- predicted rate. Written only by settlements_apply() (SECURITY DEFINER, granted to fundingd_writer), which also
-- records how far a market's history has been fetched, in the same transaction, so a killed backfill resumes.
--
-- Size: a market settles 1-24 times a day; 5,000 markets at 8h/4h/1h are at most ~120,000 rows a day, ~48M rows
-- in 400 days. 30-day chunks keep a 30-day window in one or two chunks and let retention drop whole months.

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('settlements_retention', '400 days',
     'interval: funding_settlements chunks (30 days) entirely older than now() - this are dropped by apply_retention() (Community edition: also by a retention policy); NULL keeps them forever.')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE funding_settlements (
    market_id              integer NOT NULL,
    funding_time           timestamptz NOT NULL,
    funding_rate           float8 NOT NULL,
    funding_interval_hours float8 NOT NULL CHECK (funding_interval_hours > 0),
    mark_price             float8,
    index_price            float8,
    recorded_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT funding_settlements_market_time_key UNIQUE (market_id, funding_time)
);

SELECT create_hypertable('funding_settlements', by_range('funding_time', INTERVAL '30 days'));
-- The unique index (market_id, funding_time) serves every per-market window; per-symbol windows join markets
-- (symbol_id is indexed there) and probe the same index per market.

COMMENT ON TABLE funding_settlements IS 'Settled funding: what a venue charged at each funding time, one row per (market, funding time) (hypertable, 30-day chunks, kept settlements_retention). Written only by settlements_apply(). See docs/units.md.';
COMMENT ON COLUMN funding_settlements.market_id IS 'markets.id.';
COMMENT ON COLUMN funding_settlements.funding_time IS 'The venue''s funding (settlement) time, timestamptz: data from the venue, not an observation time.';
COMMENT ON COLUMN funding_settlements.funding_rate IS 'Settled rate as a fraction per funding interval, as charged (0.0001 = 0.01% per interval); positive: longs pay shorts.';
COMMENT ON COLUMN funding_settlements.funding_interval_hours IS 'Hours this settlement covered (the venue''s interval, or the time since the previous settlement); rate_1h = funding_rate / funding_interval_hours.';
COMMENT ON COLUMN funding_settlements.mark_price IS 'Mark price at settlement in quote currency per contract unit, when the venue reports it (NULL otherwise).';
COMMENT ON COLUMN funding_settlements.index_price IS 'Index (oracle) price at settlement in quote currency per contract unit, when the venue reports it (NULL otherwise).';
COMMENT ON COLUMN funding_settlements.recorded_at IS 'When the row was first written or last changed (database time).';

-- How far each market's settled history has been fetched: one contiguous range per market. A backfill fetches only
-- what lies outside it; settlements_apply() widens it in the transaction that writes the rows.
CREATE TABLE backfill_progress (
    market_id    integer PRIMARY KEY REFERENCES markets (id) ON DELETE CASCADE,
    covered_from timestamptz NOT NULL,
    covered_to   timestamptz NOT NULL CHECK (covered_to >= covered_from),
    settlements  integer NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE backfill_progress IS 'Per market, the time range [covered_from, covered_to) whose settled funding has been fetched from the venue; fundingd backfill resumes from it. Written only by settlements_apply().';
COMMENT ON COLUMN backfill_progress.market_id IS 'markets.id.';
COMMENT ON COLUMN backfill_progress.covered_from IS 'Start of the fetched range (inclusive), timestamptz.';
COMMENT ON COLUMN backfill_progress.covered_to IS 'End of the fetched range (exclusive), timestamptz: settlements before it are stored.';
COMMENT ON COLUMN backfill_progress.settlements IS 'Settlements written or changed for this market by all backfill pages so far (count).';
COMMENT ON COLUMN backfill_progress.updated_at IS 'When the range last grew (database time).';

-- The rows of one settlements_apply() call from its column arrays. Times arrive as whole microseconds since 1970 and
-- optional prices as text ('' = absent), as in ingest_stage (0071): PostgresNIO arrays carry no NULL, and a NaN
-- sentinel would hide a NaN a venue sent.
CREATE FUNCTION settlement_rows(p_funding_time_us bigint[], p_funding_rate float8[], p_interval_hours float8[],
                                p_mark_price text[], p_index_price text[])
RETURNS TABLE (t timestamptz, rate float8, hours float8, mark float8, idx float8)
LANGUAGE sql IMMUTABLE
AS $$
    SELECT timestamptz '1970-01-01 00:00:00+00' + r.us * interval '1 microsecond', r.rate, r.hours,
           nullif(r.mark, '')::float8, nullif(r.idx, '')::float8
    FROM unnest(p_funding_time_us, p_funding_rate, p_interval_hours, p_mark_price, p_index_price)
        AS r(us, rate, hours, mark, idx)
$$;

COMMENT ON FUNCTION settlement_rows(bigint[], float8[], float8[], text[], text[]) IS
    'settlements_apply() helper: one row per array position (funding time from microseconds since 1970, optional prices from text with '''' = absent).';

-- One page of one market's settlements, plus the range the page covered. Idempotent: a repeated row changes
-- nothing (and is not counted); a corrected rate replaces the stored one. Rows are rejected as a whole with a
-- clear error when the market is unknown or a value is not a finite number, so nothing half-written remains.
CREATE FUNCTION settlements_apply(
    p_dex text, p_dex_symbol text,
    p_funding_time_us bigint[], p_funding_rate float8[], p_interval_hours float8[],
    p_mark_price text[], p_index_price text[],
    p_covered_from timestamptz, p_covered_to timestamptz
) RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_market integer;
    v_n integer := coalesce(cardinality(p_funding_time_us), 0);
    v_changed integer;
BEGIN
    SELECT m.id INTO v_market FROM public.markets m JOIN public.dexes d ON d.id = m.dex_id
    WHERE d.name = p_dex AND m.dex_symbol = p_dex_symbol;
    IF v_market IS NULL THEN
        RAISE EXCEPTION 'settlements_apply: unknown market % on dex % (collect it once first)', p_dex_symbol, p_dex
            USING ERRCODE = 'no_data_found';
    END IF;
    IF coalesce(cardinality(p_funding_rate), 0) <> v_n OR coalesce(cardinality(p_interval_hours), 0) <> v_n
       OR coalesce(cardinality(p_mark_price), 0) <> v_n OR coalesce(cardinality(p_index_price), 0) <> v_n THEN
        RAISE EXCEPTION 'settlements_apply: the column arrays differ in length' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_covered_from IS NULL OR p_covered_to IS NULL OR p_covered_to < p_covered_from THEN
        RAISE EXCEPTION 'settlements_apply: covered range [%, %) is empty or reversed', p_covered_from, p_covered_to
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (
        SELECT 1 FROM public.settlement_rows(p_funding_time_us, p_funding_rate, p_interval_hours, p_mark_price,
                                             p_index_price)
        WHERE t IS NULL OR rate IS NULL OR rate IN ('NaN', 'Infinity', '-Infinity')
           OR hours IS NULL OR NOT hours > 0 OR hours = 'Infinity'
           OR mark IN ('NaN', 'Infinity', '-Infinity') OR mark <= 0
           OR idx IN ('NaN', 'Infinity', '-Infinity') OR idx <= 0
    ) THEN
        RAISE EXCEPTION 'settlements_apply: % % has a settlement without a finite rate, a positive interval or with a non-positive price', p_dex, p_dex_symbol
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    WITH rows AS (
        SELECT DISTINCT ON (t) t, rate, hours, mark, idx
        FROM public.settlement_rows(p_funding_time_us, p_funding_rate, p_interval_hours, p_mark_price, p_index_price)
        ORDER BY t
    ), written AS (
        INSERT INTO public.funding_settlements AS s
            (market_id, funding_time, funding_rate, funding_interval_hours, mark_price, index_price)
        SELECT v_market, t, rate, hours, mark, idx FROM rows
        ON CONFLICT (market_id, funding_time) DO UPDATE
            SET funding_rate = EXCLUDED.funding_rate, funding_interval_hours = EXCLUDED.funding_interval_hours,
                mark_price = coalesce(EXCLUDED.mark_price, s.mark_price),
                index_price = coalesce(EXCLUDED.index_price, s.index_price), recorded_at = now()
            WHERE (s.funding_rate, s.funding_interval_hours) IS DISTINCT FROM
                  (EXCLUDED.funding_rate, EXCLUDED.funding_interval_hours)
               OR (EXCLUDED.mark_price IS NOT NULL AND EXCLUDED.mark_price IS DISTINCT FROM s.mark_price)
               OR (EXCLUDED.index_price IS NOT NULL AND EXCLUDED.index_price IS DISTINCT FROM s.index_price)
        RETURNING 1
    )
    SELECT count(*) INTO v_changed FROM written;

    INSERT INTO public.backfill_progress AS p (market_id, covered_from, covered_to, settlements)
    VALUES (v_market, p_covered_from, p_covered_to, v_changed)
    ON CONFLICT (market_id) DO UPDATE
        -- The range grows only by a range that overlaps or touches it: the part a backward-paging venue fetched
        -- from the newest end is recorded once its pages reach the stored range, never with a gap in between.
        SET covered_from = CASE WHEN EXCLUDED.covered_from <= p.covered_to AND EXCLUDED.covered_to >= p.covered_from
                                THEN least(p.covered_from, EXCLUDED.covered_from) ELSE p.covered_from END,
            covered_to = CASE WHEN EXCLUDED.covered_from <= p.covered_to AND EXCLUDED.covered_to >= p.covered_from
                              THEN greatest(p.covered_to, EXCLUDED.covered_to) ELSE p.covered_to END,
            settlements = p.settlements + EXCLUDED.settlements, updated_at = now();
    RETURN v_changed;
END
$$;

COMMENT ON FUNCTION settlements_apply(text, text, bigint[], float8[], float8[], text[], text[], timestamptz, timestamptz) IS
    'Writes one page of settled funding of one market (dex name, venue symbol; one array per column: funding times in microseconds since 1970, rates as fractions per interval, interval hours, mark and index prices as text with '''' = absent) idempotently on (market, funding time), and widens the market''s backfill_progress by [p_covered_from, p_covered_to) in the same transaction when that range overlaps or touches the stored one (the first range is stored as given). Returns the rows inserted or changed (a repeat returns 0). Raises no_data_found for an unknown market, invalid_parameter_value for a non-finite rate, a non-positive interval or price. fundingd_writer only.';

REVOKE ALL ON FUNCTION settlements_apply(text, text, bigint[], float8[], float8[], text[], text[], timestamptz, timestamptz) FROM PUBLIC;
-- Reader and writer read both tables (0009's default privileges grant it too; stated here so the file stands alone).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.funding_settlements, public.backfill_progress TO %I', r);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION settlements_apply(text, text, bigint[], float8[], float8[], text[], text[], timestamptz, timestamptz)
            TO fundingd_writer;
    END IF;
END
$$;

-- Its retention (0079's retention_targets).
INSERT INTO retention_targets (relation, setting) VALUES ('public.funding_settlements', 'settlements_retention');

-- Community edition: a retention policy as for the other hypertables (the Apache edition relies on apply_retention).
DO $$
BEGIN
    IF current_setting('timescaledb.license', true) = 'timescale'
       AND public.setting_interval('settlements_retention') IS NOT NULL THEN
        EXECUTE 'SELECT add_retention_policy(''public.funding_settlements'', $1, if_not_exists => true)'
            USING public.setting_interval('settlements_retention');
    END IF;
END
$$;

-- What a backfill of one dex works through: its active markets with their known interval and fetched range.
CREATE FUNCTION backfill_markets(p_dex text)
RETURNS TABLE (dex_symbol text, symbol text, funding_interval_hours float8, covered_from timestamptz,
               covered_to timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT m.dex_symbol, s.symbol, coalesce(m.funding_interval_hours, d.funding_interval_hours),
           p.covered_from, p.covered_to
    FROM public.markets m
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    LEFT JOIN public.backfill_progress p ON p.market_id = m.id
    WHERE d.name = p_dex AND m.is_active
    ORDER BY m.dex_symbol
$$;

COMMENT ON FUNCTION backfill_markets(text) IS
    'The active markets of a dex for fundingd backfill: venue symbol, normalised symbol, funding interval in hours (the market''s, else the dex''s default) and the range of settled funding already fetched (NULLs when none).';

-- Backfill progress per dex, for GET /api/v1/backfill and operators.
CREATE VIEW backfill_status AS
SELECT d.name AS dex,
       count(m.id)::integer AS markets,
       count(p.market_id)::integer AS markets_started,
       coalesce(sum(p.settlements), 0)::bigint AS settlements,
       min(p.covered_from) AS covered_from,
       max(p.covered_to) AS covered_to,
       min(p.covered_to) AS oldest_covered_to,
       max(p.updated_at) AS updated_at
FROM public.dexes d
JOIN public.markets m ON m.dex_id = d.id AND m.is_active
LEFT JOIN public.backfill_progress p ON p.market_id = m.id
GROUP BY d.name;

COMMENT ON VIEW backfill_status IS 'Settled-funding backfill progress per dex over its active markets (fundingd backfill). See docs/units.md.';
COMMENT ON COLUMN backfill_status.dex IS 'Venue name (dexes.name).';
COMMENT ON COLUMN backfill_status.markets IS 'Active markets of the dex (count).';
COMMENT ON COLUMN backfill_status.markets_started IS 'Active markets with any fetched settled history (count).';
COMMENT ON COLUMN backfill_status.settlements IS 'Settlements written or changed by backfills of these markets (count).';
COMMENT ON COLUMN backfill_status.covered_from IS 'Earliest start of a market''s fetched range, timestamptz.';
COMMENT ON COLUMN backfill_status.covered_to IS 'Latest end of a market''s fetched range, timestamptz.';
COMMENT ON COLUMN backfill_status.oldest_covered_to IS 'Earliest end of a started market''s fetched range (the most behind market), timestamptz.';
COMMENT ON COLUMN backfill_status.updated_at IS 'When any market''s range last grew, timestamptz.';

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.backfill_status TO %I', r);
            EXECUTE format('GRANT EXECUTE ON FUNCTION public.backfill_markets(text) TO %I', r);
        END IF;
    END LOOP;
END
$$;
