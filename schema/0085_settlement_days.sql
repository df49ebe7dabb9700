-- 0085 settlement_days: settled funding summed per market and UTC day, kept by settlements_apply(), so realised
-- windows read one row per market and day instead of every settlement.
--
-- realised_funding() (and through it realised_pair_returns() and the opportunities' realised columns) over
-- (until - window, until] now sums the whole UTC days inside the window from settlement_days and only the two partial
-- days at its ends from funding_settlements: about one day of raw rows per market instead of the whole window
-- (30 days of hourly settlements: 720 rows per market become 29 day rows plus ~24 raw rows). The figures are the same
-- sums; SettlementAnalyticsTests compares them with sums over the raw rows for windows that start and end mid-day.
--
-- settlements_apply() recounts the days each page touched from the stored rows in the same transaction, so a
-- corrected rate, a refilled gap or a repeated page leaves the day rows exact. Rows written to funding_settlements
-- any other way (a manual INSERT, TRUNCATE) are not seen: recount with the statement at the end of this file.

CREATE TABLE settlement_days (
    market_id   integer NOT NULL,
    day         timestamptz NOT NULL,
    settlements integer NOT NULL,
    hours       float8 NOT NULL,
    rate_sum    float8 NOT NULL,
    first_time  timestamptz NOT NULL,
    last_time   timestamptz NOT NULL,
    CONSTRAINT settlement_days_market_day_key UNIQUE (market_id, day)
);

SELECT create_hypertable('settlement_days', by_range('day', INTERVAL '30 days'));

COMMENT ON TABLE settlement_days IS 'funding_settlements summed per market and UTC day (hypertable, 30-day chunks, kept settlements_retention like the settlements), maintained by settlements_apply(); realised_funding() reads whole days here. See docs/units.md.';
COMMENT ON COLUMN settlement_days.market_id IS 'markets.id.';
COMMENT ON COLUMN settlement_days.day IS 'Start of the UTC day, timestamptz: settlements with day <= funding_time < day + 1 day.';
COMMENT ON COLUMN settlement_days.settlements IS 'Settlements of the market that day (count).';
COMMENT ON COLUMN settlement_days.hours IS 'Sum of their funding_interval_hours.';
COMMENT ON COLUMN settlement_days.rate_sum IS 'Sum of their settled rates (fraction of notional a long paid that day).';
COMMENT ON COLUMN settlement_days.first_time IS 'Earliest funding time that day, timestamptz.';
COMMENT ON COLUMN settlement_days.last_time IS 'Latest funding time that day, timestamptz.';

INSERT INTO settlement_days (market_id, day, settlements, hours, rate_sum, first_time, last_time)
SELECT market_id, date_trunc('day', funding_time, 'UTC'), count(*), sum(funding_interval_hours), sum(funding_rate),
       min(funding_time), max(funding_time)
FROM funding_settlements
GROUP BY 1, 2;

INSERT INTO retention_targets (relation, setting) VALUES ('public.settlement_days', 'settlements_retention');

DO $$
BEGIN
    IF current_setting('timescaledb.license', true) = 'timescale'
       AND public.setting_interval('settlements_retention') IS NOT NULL THEN
        EXECUTE 'SELECT add_retention_policy(''public.settlement_days'', $1, if_not_exists => true)'
            USING public.setting_interval('settlements_retention');
    END IF;
END
$$;

-- settlements_apply() as in 0080, plus the recount of the days the page touched.
CREATE OR REPLACE FUNCTION settlements_apply(
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

    -- The days this page touched, recounted from the stored rows (0085): what changed is summed again, whole days.
    IF v_changed > 0 THEN
        INSERT INTO public.settlement_days AS sd
            (market_id, day, settlements, hours, rate_sum, first_time, last_time)
        SELECT v_market, date_trunc('day', s.funding_time, 'UTC'), count(*), sum(s.funding_interval_hours),
               sum(s.funding_rate), min(s.funding_time), max(s.funding_time)
        FROM public.funding_settlements s
        WHERE s.market_id = v_market
          AND s.funding_time >= (SELECT date_trunc('day', min(r.t), 'UTC') FROM public.settlement_rows(
                                     p_funding_time_us, p_funding_rate, p_interval_hours, p_mark_price, p_index_price) r)
          AND s.funding_time < (SELECT date_trunc('day', max(r.t), 'UTC') + INTERVAL '1 day' FROM public.settlement_rows(
                                    p_funding_time_us, p_funding_rate, p_interval_hours, p_mark_price, p_index_price) r)
        GROUP BY 2
        ON CONFLICT (market_id, day) DO UPDATE
            SET settlements = EXCLUDED.settlements, hours = EXCLUDED.hours, rate_sum = EXCLUDED.rate_sum,
                first_time = EXCLUDED.first_time, last_time = EXCLUDED.last_time;
    END IF;

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


-- realised_funding() as in 0081, over whole days from settlement_days and the partial days at both ends from
-- funding_settlements. d0 = the first midnight after the window start, d1 = the last midnight at or before its end:
-- days [d0, d1) are whole inside (until - window, until]; the settlements in (until - window, d0) and [d1, until]
-- come from funding_settlements. A window holding no whole day (inside one day, or across one midnight) comes
-- entirely from funding_settlements. PL/pgSQL so the bounds are computed once and reach the scans as constants:
-- each scan gets them as index conditions and TimescaleDB excludes the chunks outside them (as expressions in a SQL
-- function they were re-evaluated on every row). For every market the scans are range scans; for a symbol or dex
-- they probe the (market, time) indexes with the list of its markets.
CREATE OR REPLACE FUNCTION realised_funding(p_window interval DEFAULT INTERVAL '7 days', p_symbol text DEFAULT NULL,
                                            p_dex text DEFAULT NULL, p_until timestamptz DEFAULT now())
RETURNS TABLE (dex text, symbol text, dex_symbol text, settlements integer, hours_covered float8,
               first_funding_time timestamptz, last_funding_time timestamptz, realised_rate float8,
               realised_apr float8, mean_rate_8h float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public
AS $$
#variable_conflict use_column
DECLARE
    v_from timestamptz := p_until - p_window;
    v_d0 timestamptz := date_trunc('day', p_until - p_window, 'UTC') + INTERVAL '1 day';
    v_d1 timestamptz := date_trunc('day', p_until, 'UTC');
    v_ids integer[];
    v_hours float8 := extract(epoch FROM p_window) / 3600;
BEGIN
    PERFORM public.require_parameter(p_window > INTERVAL '0', 'window', 'must be positive');
    IF v_d0 >= v_d1 THEN
        -- No whole day: the raw part (until - window, d0) becomes the whole window, the others empty.
        v_d0 := p_until + INTERVAL '1 microsecond';
        v_d1 := v_d0;
    END IF;
    IF p_symbol IS NOT NULL OR p_dex IS NOT NULL THEN
        -- The markets asked for, as a constant list the scans probe (NULL: every market).
        SELECT array_agg(m2.id) INTO v_ids
        FROM public.markets m2
        JOIN public.dexes d2 ON d2.id = m2.dex_id
        JOIN public.symbols s2 ON s2.id = m2.symbol_id
        WHERE (p_symbol IS NULL OR s2.symbol = p_symbol) AND (p_dex IS NULL OR d2.name = p_dex);
        IF v_ids IS NULL THEN
            RETURN;
        END IF;
    END IF;
    RETURN QUERY
    WITH parts AS (
        SELECT x.market_id, x.settlements::bigint AS n, x.hours, x.first_time, x.last_time, x.rate_sum
        FROM public.settlement_days x
        WHERE x.day >= v_d0 AND x.day < v_d1 AND (v_ids IS NULL OR x.market_id = ANY (v_ids))
        UNION ALL
        SELECT x.market_id, 1, x.funding_interval_hours, x.funding_time, x.funding_time, x.funding_rate
        FROM public.funding_settlements x
        WHERE x.funding_time > v_from AND x.funding_time < v_d0 AND (v_ids IS NULL OR x.market_id = ANY (v_ids))
        UNION ALL
        SELECT x.market_id, 1, x.funding_interval_hours, x.funding_time, x.funding_time, x.funding_rate
        FROM public.funding_settlements x
        WHERE x.funding_time >= v_d1 AND x.funding_time <= p_until
          AND (v_ids IS NULL OR x.market_id = ANY (v_ids))
    ),
    f AS (
        SELECT p.market_id, sum(p.n)::integer AS n, sum(p.hours) AS hours, min(p.first_time) AS first_time,
               max(p.last_time) AS last_time, sum(p.rate_sum) AS rate_sum
        FROM parts p
        GROUP BY p.market_id
    )
    SELECT d.name, s.symbol, m.dex_symbol, f.n, f.hours, f.first_time, f.last_time, f.rate_sum,
           f.rate_sum / v_hours * 8760 * 100, f.rate_sum / f.hours * 8
    FROM f
    JOIN public.markets m ON m.id = f.market_id
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    ORDER BY d.name, m.dex_symbol;
END
$$;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.settlement_days TO %I', r);
        END IF;
    END LOOP;
END
$$;

-- To recount every day from funding_settlements after writing to it outside settlements_apply() (as the owner):
--   TRUNCATE settlement_days;
--   INSERT INTO settlement_days (market_id, day, settlements, hours, rate_sum, first_time, last_time)
--   SELECT market_id, date_trunc('day', funding_time, 'UTC'), count(*), sum(funding_interval_hours),
--          sum(funding_rate), min(funding_time), max(funding_time)
--   FROM funding_settlements GROUP BY 1, 2;
