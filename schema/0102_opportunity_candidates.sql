-- 0102 Opportunities from candidate pairs computed once per ingest cycle.
--
-- opportunities() (0012) pairs every active market with every other market of its symbol on another dex at each
-- call: at 5,000 markets that is ~35,000 pairs built from the latest_funding_rates view per request (~44 ms of
-- database time). None of that depends on the request: only fees (fee type, 30-day volume tier, dexes' fees as they
-- are now), the holding horizon, the freshness cut (now() - max_age) and the filters do. So:
--
--   opportunity_candidates        every ordered pair (long leg L, short leg S) of active markets of one symbol on two
--                                 different dexes, both with a rate, with the legs' values and what derives from
--                                 them alone (divergence, oi_ratio, oi_imbalance, price_spread_bps): rebuilt by
--                                 refresh_opportunity_candidates(), which ingest_cycle_hook() now calls once per
--                                 cycle, in the cycle's transaction, before recording opportunity history.
--   opportunity_candidates_state  one row: whether the table matches the latest state (current). Statement triggers
--                                 on market_latest, markets, dexes and symbols set current = false whenever the
--                                 state the pairs come from changes outside a refresh (an ingest cycle's own writes
--                                 come before its refresh; ingest_mark_vanished, purge_implausible or an operator's
--                                 UPDATE come after or alone), in the same transaction as the change.
--   current_opportunities(...)    the same parameters, rows and values as opportunities(): from the candidates while
--                                 current, else from opportunities() itself (opportunities_computed(); a one-time
--                                 filter runs only one branch), so an answer is never older than the latest state it
--                                 was read with.
--
-- Concurrency: the refresh first updates the state row (current = true), then rebuilds. A writer that changes the
-- inputs and marks the state stale either committed before that update (the rebuild, a later statement, sees its
-- change) or waits for the state row's lock until the refresh commits and then marks it stale. Every reader sees the
-- pairs and the flag of one snapshot.
--
-- The request's arithmetic is opportunities()'s, on the same float8 values in the same order, so results are
-- identical: net_profit = divergence x hold_hours / 8 - (2 x long_fee + 2 x short_fee) with divergence =
-- short_rate_8h - long_rate_8h stored once. A request reads only the candidates whose divergence can pass its
-- min_divergence / min_profit (one index range per pair of dexes, see current_opportunities()).
--
-- Cost: the refresh rewrites every pair once per cycle (35,000 pairs at 5,000 markets: 250-330 ms on the loaded
-- 2-core development machine, inside the cycle's transaction); a request at 5,000 markets with the API's defaults
-- reads ~5,400 of them instead of pairing 5,000 legs.

CREATE TABLE opportunity_candidates (
    pair_id                 integer NOT NULL,
    symbol_id               integer NOT NULL,
    symbol                  text NOT NULL,
    long_market_id          integer NOT NULL,
    short_market_id         integer NOT NULL,
    long_dex_id             integer NOT NULL,
    short_dex_id            integer NOT NULL,
    long_dex                text NOT NULL,
    short_dex               text NOT NULL,
    long_dex_symbol         text NOT NULL,
    short_dex_symbol        text NOT NULL,
    long_quote              text,
    short_quote             text,
    long_interval_hours     float8,
    short_interval_hours    float8,
    long_rate               float8,
    short_rate              float8,
    long_rate_8h            float8 NOT NULL,
    short_rate_8h           float8 NOT NULL,
    divergence              float8 NOT NULL,
    long_oi_usd             float8,
    short_oi_usd            float8,
    oi_ratio                float8,
    oi_imbalance            text,
    long_volume_24h         float8,
    short_volume_24h        float8,
    long_spread_bps         float8,
    short_spread_bps        float8,
    price_spread_bps        float8,
    long_mark_price         float8,
    short_mark_price        float8,
    long_next_funding_time  timestamptz,
    short_next_funding_time timestamptz,
    long_time               timestamptz NOT NULL,
    short_time              timestamptz NOT NULL
);

-- A request reads, per (long dex, short dex), the range of divergence its fees and min_profit leave possible (see
-- current_opportunities()); the refresh writes rows in this order, so each range is a few adjacent pages.
CREATE INDEX opportunity_candidates_dexes_divergence ON opportunity_candidates (long_dex_id, short_dex_id, divergence);
CREATE INDEX opportunity_candidates_symbol ON opportunity_candidates (symbol);
CREATE UNIQUE INDEX opportunity_candidates_pair ON opportunity_candidates (pair_id);

COMMENT ON TABLE opportunity_candidates IS 'Every ordered pair (long market L, short market S) of active markets (latest_funding_rates) of one symbol on two different dexes, both with a rate, as of the last refresh_opportunity_candidates() (once per ingest cycle). Only valid while opportunity_candidates_state.current; read it through current_opportunities(). Fees, freshness and filters are applied per request. Units as the opportunity type.';
COMMENT ON COLUMN opportunity_candidates.pair_id IS 'Row number of the pair in the last refresh (by long dex, short dex, divergence): the key opportunity_candidate_keys refers to; not stable across refreshes.';
COMMENT ON COLUMN opportunity_candidates.symbol_id IS 'symbols.id of the pair''s symbol.';
COMMENT ON COLUMN opportunity_candidates.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN opportunity_candidates.long_market_id IS 'markets.id of the long leg.';
COMMENT ON COLUMN opportunity_candidates.short_market_id IS 'markets.id of the short leg.';
COMMENT ON COLUMN opportunity_candidates.long_dex_id IS 'dexes.id of the long leg.';
COMMENT ON COLUMN opportunity_candidates.short_dex_id IS 'dexes.id of the short leg.';
COMMENT ON COLUMN opportunity_candidates.long_dex IS 'Dex of the long leg.';
COMMENT ON COLUMN opportunity_candidates.short_dex IS 'Dex of the short leg.';
COMMENT ON COLUMN opportunity_candidates.long_dex_symbol IS 'Venue symbol of the long market.';
COMMENT ON COLUMN opportunity_candidates.short_dex_symbol IS 'Venue symbol of the short market.';
COMMENT ON COLUMN opportunity_candidates.long_quote IS 'Quote asset of the long market.';
COMMENT ON COLUMN opportunity_candidates.short_quote IS 'Quote asset of the short market.';
COMMENT ON COLUMN opportunity_candidates.long_interval_hours IS 'Funding interval of the long market, hours.';
COMMENT ON COLUMN opportunity_candidates.short_interval_hours IS 'Funding interval of the short market, hours.';
COMMENT ON COLUMN opportunity_candidates.long_rate IS 'Native funding rate of the long market, fraction per its interval.';
COMMENT ON COLUMN opportunity_candidates.short_rate IS 'Native funding rate of the short market, fraction per its interval.';
COMMENT ON COLUMN opportunity_candidates.long_rate_8h IS 'Long market rate, fraction per 8 h.';
COMMENT ON COLUMN opportunity_candidates.short_rate_8h IS 'Short market rate, fraction per 8 h.';
COMMENT ON COLUMN opportunity_candidates.divergence IS 'short_rate_8h - long_rate_8h: fraction per 8 h.';
COMMENT ON COLUMN opportunity_candidates.long_oi_usd IS 'Open interest of the long market, USD.';
COMMENT ON COLUMN opportunity_candidates.short_oi_usd IS 'Open interest of the short market, USD.';
COMMENT ON COLUMN opportunity_candidates.oi_ratio IS 'long_oi_usd / short_oi_usd (NULL when either is unknown or short is 0).';
COMMENT ON COLUMN opportunity_candidates.oi_imbalance IS '''long_heavy'' (oi_ratio > 1.2), ''short_heavy'' (< 0.8) or ''balanced''; NULL without oi_ratio.';
COMMENT ON COLUMN opportunity_candidates.long_volume_24h IS 'Trailing 24 h volume of the long market, USD.';
COMMENT ON COLUMN opportunity_candidates.short_volume_24h IS 'Trailing 24 h volume of the short market, USD.';
COMMENT ON COLUMN opportunity_candidates.long_spread_bps IS 'Bid/ask spread of the long market, basis points of mid.';
COMMENT ON COLUMN opportunity_candidates.short_spread_bps IS 'Bid/ask spread of the short market, basis points of mid.';
COMMENT ON COLUMN opportunity_candidates.price_spread_bps IS '(short_mark_price - long_mark_price) / mid x 10^4 on per-unit marks, basis points.';
COMMENT ON COLUMN opportunity_candidates.long_mark_price IS 'Mark price of the long market per one unit of the symbol, quote currency.';
COMMENT ON COLUMN opportunity_candidates.short_mark_price IS 'Mark price of the short market per one unit of the symbol, quote currency.';
COMMENT ON COLUMN opportunity_candidates.long_next_funding_time IS 'Next funding time of the long market.';
COMMENT ON COLUMN opportunity_candidates.short_next_funding_time IS 'Next funding time of the short market.';
COMMENT ON COLUMN opportunity_candidates.long_time IS 'Sample time of the long leg.';
COMMENT ON COLUMN opportunity_candidates.short_time IS 'Sample time of the short leg.';

CREATE TABLE opportunity_candidates_state (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    current      boolean NOT NULL DEFAULT false,
    refreshed_at timestamptz,
    pairs        integer
);

INSERT INTO opportunity_candidates_state (id, current) VALUES (true, false);

COMMENT ON TABLE opportunity_candidates_state IS 'One row: whether opportunity_candidates matches the latest state. Set current by refresh_opportunity_candidates(), cleared by statement triggers on market_latest, markets, dexes and symbols when that state changes outside a refresh.';
COMMENT ON COLUMN opportunity_candidates_state.id IS 'Always true (the single row).';
COMMENT ON COLUMN opportunity_candidates_state.current IS 'true: opportunity_candidates holds the pairs of the latest state; false: current_opportunities() computes them per call (opportunities()).';
COMMENT ON COLUMN opportunity_candidates_state.refreshed_at IS 'Transaction time of the last refresh_opportunity_candidates().';
COMMENT ON COLUMN opportunity_candidates_state.pairs IS 'Pairs written by the last refresh (count).';

-- What a request's filters and sort read of each pair, narrow (about a third of a candidate row): the count and the
-- ranking of the default request scan these rows, and only the returned pairs are read from opportunity_candidates
-- (opportunities_page()). Each two-leg filter is stored as the one value it tests: both legs' volumes >= x is
-- min_volume_24h >= x, with NULL when either leg is unknown, as the two-leg test gives.
CREATE TABLE opportunity_candidate_keys (
    pair_id        integer NOT NULL,
    long_dex_id    integer NOT NULL,
    short_dex_id   integer NOT NULL,
    divergence     float8 NOT NULL,
    oldest_time    timestamptz NOT NULL,
    min_volume_24h float8,
    max_volume_24h float8,
    min_oi_usd     float8,
    max_oi_usd     float8,
    oi_ratio       float8,
    max_spread_bps float8
);

-- The request reads the range of divergence its fees and min_profit leave possible; the refresh writes rows in this
-- order, so the range is adjacent pages.
CREATE INDEX opportunity_candidate_keys_divergence ON opportunity_candidate_keys (divergence);

COMMENT ON TABLE opportunity_candidate_keys IS 'One row per opportunity_candidates row (same pair_id, same refresh): the values the filters of opportunities_page()''s scan test, narrow. Only valid while opportunity_candidates_state.current.';
COMMENT ON COLUMN opportunity_candidate_keys.pair_id IS 'opportunity_candidates.pair_id.';
COMMENT ON COLUMN opportunity_candidate_keys.long_dex_id IS 'dexes.id of the long leg.';
COMMENT ON COLUMN opportunity_candidate_keys.short_dex_id IS 'dexes.id of the short leg.';
COMMENT ON COLUMN opportunity_candidate_keys.divergence IS 'short_rate_8h - long_rate_8h: fraction per 8 h.';
COMMENT ON COLUMN opportunity_candidate_keys.oldest_time IS 'The older leg''s sample time.';
COMMENT ON COLUMN opportunity_candidate_keys.min_volume_24h IS 'The smaller leg''s 24 h volume, USD; NULL when either leg''s is unknown.';
COMMENT ON COLUMN opportunity_candidate_keys.max_volume_24h IS 'The larger leg''s 24 h volume, USD; NULL when either leg''s is unknown.';
COMMENT ON COLUMN opportunity_candidate_keys.min_oi_usd IS 'The smaller leg''s open interest, USD; NULL when either leg''s is unknown.';
COMMENT ON COLUMN opportunity_candidate_keys.max_oi_usd IS 'The larger leg''s open interest, USD; NULL when either leg''s is unknown.';
COMMENT ON COLUMN opportunity_candidate_keys.oi_ratio IS 'long_oi_usd / short_oi_usd, as opportunity_candidates.oi_ratio.';
COMMENT ON COLUMN opportunity_candidate_keys.max_spread_bps IS 'The wider leg''s bid/ask spread, bps; NULL when either leg''s is unknown.';

CREATE FUNCTION refresh_opportunity_candidates() RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_pairs integer;
BEGIN
    -- The state row first: its lock orders this refresh with any writer marking the pairs stale (see 0102's header).
    UPDATE public.opportunity_candidates_state SET current = true, refreshed_at = now();
    DELETE FROM public.opportunity_candidates;
    DELETE FROM public.opportunity_candidate_keys;
    INSERT INTO public.opportunity_candidates
    WITH legs AS MATERIALIZED (
        SELECT v.market_id, v.symbol_id, v.dex_id, v.dex, v.symbol, v.dex_symbol, v.quote, v.funding_interval_hours,
               v.funding_rate, v.rate_8h, v.open_interest_usd, v.volume_24h_usd, v.spread_bps, v.mark_price,
               v.next_funding_time, v.time
        FROM public.latest_funding_rates v
        WHERE v.rate_8h IS NOT NULL
    )
    SELECT row_number() OVER (ORDER BY l.dex_id, s.dex_id, s.rate_8h - l.rate_8h, l.market_id, s.market_id),
           l.symbol_id, l.symbol, l.market_id, s.market_id, l.dex_id, s.dex_id, l.dex, s.dex, l.dex_symbol,
           s.dex_symbol, l.quote, s.quote, l.funding_interval_hours, s.funding_interval_hours, l.funding_rate,
           s.funding_rate, l.rate_8h, s.rate_8h, s.rate_8h - l.rate_8h, l.open_interest_usd, s.open_interest_usd,
           x.oi_ratio,
           CASE WHEN x.oi_ratio > 1.2 THEN 'long_heavy' WHEN x.oi_ratio < 0.8 THEN 'short_heavy'
                WHEN x.oi_ratio IS NOT NULL THEN 'balanced' END,
           l.volume_24h_usd, s.volume_24h_usd, l.spread_bps, s.spread_bps,
           (s.mark_price - l.mark_price) / ((s.mark_price + l.mark_price) / 2) * 10000,
           l.mark_price, s.mark_price, l.next_funding_time, s.next_funding_time, l.time, s.time
    FROM legs l
    JOIN legs s ON s.symbol_id = l.symbol_id AND s.dex_id <> l.dex_id
    CROSS JOIN LATERAL (SELECT l.open_interest_usd / nullif(s.open_interest_usd, 0)) AS x(oi_ratio)
    ORDER BY l.dex_id, s.dex_id, s.rate_8h - l.rate_8h;
    GET DIAGNOSTICS v_pairs = ROW_COUNT;
    -- Two-leg tests as one value each: NULL when either leg is NULL, as "long >= x AND short >= x" is then not true.
    INSERT INTO public.opportunity_candidate_keys
    SELECT c.pair_id, c.long_dex_id, c.short_dex_id, c.divergence, least(c.long_time, c.short_time),
           CASE WHEN c.long_volume_24h IS NOT NULL AND c.short_volume_24h IS NOT NULL
                THEN least(c.long_volume_24h, c.short_volume_24h) END,
           CASE WHEN c.long_volume_24h IS NOT NULL AND c.short_volume_24h IS NOT NULL
                THEN greatest(c.long_volume_24h, c.short_volume_24h) END,
           CASE WHEN c.long_oi_usd IS NOT NULL AND c.short_oi_usd IS NOT NULL
                THEN least(c.long_oi_usd, c.short_oi_usd) END,
           CASE WHEN c.long_oi_usd IS NOT NULL AND c.short_oi_usd IS NOT NULL
                THEN greatest(c.long_oi_usd, c.short_oi_usd) END,
           c.oi_ratio,
           CASE WHEN c.long_spread_bps IS NOT NULL AND c.short_spread_bps IS NOT NULL
                THEN greatest(c.long_spread_bps, c.short_spread_bps) END
    FROM public.opportunity_candidates c
    ORDER BY c.divergence;
    UPDATE public.opportunity_candidates_state SET pairs = v_pairs;
    RETURN v_pairs;
END
$$;

COMMENT ON FUNCTION refresh_opportunity_candidates() IS
    'Write path, internal (owner; ingest_cycle_hook() calls it once per cycle): rebuilds opportunity_candidates and opportunity_candidate_keys from latest_funding_rates and marks them current. Returns the number of pairs.';
REVOKE ALL ON FUNCTION refresh_opportunity_candidates() FROM PUBLIC;

-- A change to the inputs of the pairs: they are stale until the next refresh.
CREATE FUNCTION opportunity_candidates_stale() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    UPDATE public.opportunity_candidates_state SET current = false;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION opportunity_candidates_stale() IS
    'Statement trigger on market_latest, dexes and symbols: marks opportunity_candidates stale (current = false) in the changing transaction.';

-- markets: every ingest cycle's ingest_mark_vanished() runs an UPDATE of markets after the refresh that usually
-- changes no row: only an UPDATE that changed rows marks the pairs stale.
CREATE FUNCTION opportunity_candidates_markets_changed() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE public.opportunity_candidates_state SET current = false;
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION opportunity_candidates_markets_changed() IS
    'Statement trigger on UPDATE of markets (transition table changed): marks opportunity_candidates stale when the statement changed at least one row.';

CREATE TRIGGER opportunity_candidates_stale AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON market_latest
    FOR EACH STATEMENT EXECUTE FUNCTION opportunity_candidates_stale();
CREATE TRIGGER opportunity_candidates_stale AFTER UPDATE ON markets
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION opportunity_candidates_markets_changed();
-- A market's INSERT or DELETE changes no pair by itself: its market_latest row (inserted later, deleted by cascade)
-- fires the market_latest trigger. dexes: what the pairs read (is_active, the interval fallback, the name), not fees
-- (read per request) nor health (updated every cycle).
CREATE TRIGGER opportunity_candidates_stale AFTER UPDATE OF name, is_active, funding_interval_hours ON dexes
    FOR EACH STATEMENT EXECUTE FUNCTION opportunity_candidates_stale();
CREATE TRIGGER opportunity_candidates_stale AFTER UPDATE OF symbol ON symbols
    FOR EACH STATEMENT EXECUTE FUNCTION opportunity_candidates_stale();

-- Per-cycle work: the pairs first (a failure leaves them stale: current_opportunities() then computes per call),
-- then the opportunity history as in 0014.
CREATE OR REPLACE FUNCTION ingest_cycle_hook(p_sample_time timestamptz) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    BEGIN
        PERFORM public.refresh_opportunity_candidates();
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'ingest_cycle_hook: opportunity candidates not refreshed: % (%)', SQLERRM, SQLSTATE;
    END;
    BEGIN
        PERFORM public.record_opportunity_history(now(), p_sample_time);
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'ingest_cycle_hook: opportunity history not recorded: % (%)', SQLERRM, SQLSTATE;
    END;
END
$$;

COMMENT ON FUNCTION ingest_cycle_hook(timestamptz) IS
    'Write path, internal: per-cycle work after ingest_apply() has updated market_latest: rebuilds opportunity_candidates (refresh_opportunity_candidates()) and records opportunity history. Errors become WARNINGs so they never cost the cycle. Replace this function, not ingest_apply(), to add per-cycle work.';
REVOKE ALL ON FUNCTION ingest_cycle_hook(timestamptz) FROM PUBLIC;

-- opportunities() behind a call the planner does not look into: current_opportunities() is planned on every API
-- request (plan_cache_mode force_custom_plan), and planning the inlined opportunities() there, for a branch that
-- runs only while the pairs are stale, cost more than the rest of the request. EXECUTE ... USING plans it with the
-- values when it does run, as the API's custom plans did.
CREATE FUNCTION opportunities_computed(
    p_symbol text, p_long_dex text, p_short_dex text, p_include_dexes text[], p_exclude_dexes text[], p_quote text,
    p_min_divergence float8, p_min_profit float8, p_min_volume_24h float8, p_max_volume_24h float8,
    p_min_oi_usd float8, p_max_oi_usd float8, p_oi_ratio_min float8, p_oi_ratio_max float8, p_oi_imbalance text,
    p_max_spread_bps float8, p_fee_type text, p_hold_hours float8, p_max_age interval, p_volume_30d float8)
RETURNS SETOF opportunity
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    RETURN QUERY EXECUTE $q$
        SELECT * FROM public.opportunities(
            symbol => $1, long_dex => $2, short_dex => $3, include_dexes => $4, exclude_dexes => $5, quote => $6,
            min_divergence => $7, min_profit => $8, min_volume_24h => $9, max_volume_24h => $10, min_oi_usd => $11,
            max_oi_usd => $12, oi_ratio_min => $13, oi_ratio_max => $14, oi_imbalance => $15, max_spread_bps => $16,
            fee_type => $17, hold_hours => $18, max_age => $19, volume_30d => $20)
        $q$
        USING p_symbol, p_long_dex, p_short_dex, p_include_dexes, p_exclude_dexes, p_quote, p_min_divergence,
              p_min_profit, p_min_volume_24h, p_max_volume_24h, p_min_oi_usd, p_max_oi_usd, p_oi_ratio_min,
              p_oi_ratio_max, p_oi_imbalance, p_max_spread_bps, p_fee_type, p_hold_hours, p_max_age, p_volume_30d;
END
$$;

COMMENT ON FUNCTION opportunities_computed(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8) IS
    'opportunities() with positional parameters (p_<name> = its <name>), computed at each call and planned with the values: current_opportunities()''s answer while opportunity_candidates is stale.';

CREATE FUNCTION current_opportunities(
    symbol         text     DEFAULT NULL,
    long_dex       text     DEFAULT NULL,
    short_dex      text     DEFAULT NULL,
    include_dexes  text[]   DEFAULT NULL,
    exclude_dexes  text[]   DEFAULT NULL,
    quote          text     DEFAULT NULL,
    min_divergence float8   DEFAULT NULL,
    min_profit     float8   DEFAULT NULL,
    min_volume_24h float8   DEFAULT NULL,
    max_volume_24h float8   DEFAULT NULL,
    min_oi_usd     float8   DEFAULT NULL,
    max_oi_usd     float8   DEFAULT NULL,
    oi_ratio_min   float8   DEFAULT NULL,
    oi_ratio_max   float8   DEFAULT NULL,
    oi_imbalance   text     DEFAULT NULL,
    max_spread_bps float8   DEFAULT NULL,
    fee_type       text     DEFAULT 'taker',
    hold_hours     float8   DEFAULT 8,
    max_age        interval DEFAULT INTERVAL '5 minutes',
    volume_30d     float8   DEFAULT NULL)
RETURNS SETOF opportunity
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH fees AS MATERIALIZED (
    SELECT d.id AS dex_id,
           public.dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, current_opportunities.fee_type,
                          current_opportunities.volume_30d) AS fee
    FROM public.dexes d
    WHERE public.require_parameter(current_opportunities.fee_type IN ('maker', 'taker'), 'fee_type',
                                   'must be maker or taker')
      AND public.require_parameter(current_opportunities.hold_hours > 0, 'hold_hours', 'must be > 0')
      AND public.require_parameter(current_opportunities.max_age >= INTERVAL '0', 'max_age', 'must not be negative')
      AND public.require_parameter(current_opportunities.oi_imbalance IN ('long_heavy', 'short_heavy', 'balanced'),
                                   'oi_imbalance', 'must be long_heavy, short_heavy or balanced')
      AND (current_opportunities.include_dexes IS NULL OR d.name = ANY (current_opportunities.include_dexes))
      AND (current_opportunities.exclude_dexes IS NULL OR d.name <> ALL (current_opportunities.exclude_dexes))
),
-- Per pair of dexes with known fees, only the candidates whose divergence can reach the request's minimum: with
-- min_profit, net_profit >= min_profit needs divergence >= (min_profit + 2 x long_fee + 2 x short_fee) x 8 /
-- hold_hours (the bound is lowered by a billionth of itself and of 1, far more than float8 rounding, so no row the
-- exact test below keeps is missed); with min_divergence, divergence >= it. One index range per dex pair
-- (OFFSET 0 keeps the subquery a per-pair index scan rather than a join over every candidate).
--
-- The dex pairs come through arrays (unnest is estimated at 100 rows whatever the statistics of dexes say): an
-- estimate of every dex pair times every candidate, as an unanalysed dexes table gave, pushed the plan past
-- jit_above_cost and JIT compilation cost seconds for a 5 ms query.
pairs AS (
    SELECT c.*, dp.long_fee, dp.short_fee, 2 * dp.long_fee + 2 * dp.short_fee AS estimated_fees,
           c.divergence * current_opportunities.hold_hours / 8 - (2 * dp.long_fee + 2 * dp.short_fee) AS net_profit
    FROM (SELECT array_agg(lf.dex_id) AS long_ids, array_agg(sf.dex_id) AS short_ids,
                 array_agg(lf.fee) AS long_fees, array_agg(sf.fee) AS short_fees
          FROM fees lf
          JOIN fees sf ON sf.dex_id <> lf.dex_id
          WHERE lf.fee IS NOT NULL AND sf.fee IS NOT NULL) a
    CROSS JOIN LATERAL unnest(a.long_ids, a.short_ids, a.long_fees, a.short_fees)
        AS dp(long_dex_id, short_dex_id, long_fee, short_fee)
    CROSS JOIN LATERAL (
        SELECT (current_opportunities.min_profit + (2 * dp.long_fee + 2 * dp.short_fee)) * 8
               / current_opportunities.hold_hours
    ) AS b(bound)
    CROSS JOIN LATERAL (
        SELECT c.*
        FROM public.opportunity_candidates c
        WHERE c.long_dex_id = dp.long_dex_id AND c.short_dex_id = dp.short_dex_id
          AND c.divergence >= coalesce(
                  greatest(current_opportunities.min_divergence,
                           b.bound - 1e-9 * (1 + abs(b.bound))),
                  '-Infinity')
          -- True of every float8 (NaN sorts last), but with it the planner sees a range whose lower end it cannot
          -- know and estimates 0.5 % of a pair's rows instead of a third: the estimate stays near the few rows read,
          -- the plan cheap enough not to be JIT-compiled (that cost ~70 ms per call at 5,000 markets).
          AND c.divergence <= 'NaN'::float8
          AND (current_opportunities.symbol IS NULL OR c.symbol = current_opportunities.symbol)
          AND (current_opportunities.quote IS NULL
               OR (c.long_quote = current_opportunities.quote AND c.short_quote = current_opportunities.quote))
          AND (current_opportunities.long_dex IS NULL OR c.long_dex = current_opportunities.long_dex)
          AND (current_opportunities.short_dex IS NULL OR c.short_dex = current_opportunities.short_dex)
          AND (current_opportunities.max_spread_bps IS NULL
               OR (c.long_spread_bps <= current_opportunities.max_spread_bps
                   AND c.short_spread_bps <= current_opportunities.max_spread_bps))
          AND (current_opportunities.max_volume_24h IS NULL
               OR (c.long_volume_24h <= current_opportunities.max_volume_24h
                   AND c.short_volume_24h <= current_opportunities.max_volume_24h))
          AND (current_opportunities.min_volume_24h IS NULL
               OR (c.long_volume_24h >= current_opportunities.min_volume_24h
                   AND c.short_volume_24h >= current_opportunities.min_volume_24h))
          AND (current_opportunities.max_oi_usd IS NULL
               OR (c.long_oi_usd <= current_opportunities.max_oi_usd
                   AND c.short_oi_usd <= current_opportunities.max_oi_usd))
          AND (current_opportunities.min_oi_usd IS NULL
               OR (c.long_oi_usd >= current_opportunities.min_oi_usd
                   AND c.short_oi_usd >= current_opportunities.min_oi_usd))
          AND (current_opportunities.max_age IS NULL
               OR (c.long_time >= now() - current_opportunities.max_age
                   AND c.short_time >= now() - current_opportunities.max_age))
          AND (current_opportunities.oi_ratio_min IS NULL OR c.oi_ratio >= current_opportunities.oi_ratio_min)
          AND (current_opportunities.oi_ratio_max IS NULL OR c.oi_ratio <= current_opportunities.oi_ratio_max)
          AND (current_opportunities.oi_imbalance IS NULL OR c.oi_imbalance = current_opportunities.oi_imbalance)
        OFFSET 0) c
    WHERE (SELECT st.current FROM public.opportunity_candidates_state st)
      AND (current_opportunities.min_divergence IS NULL OR c.divergence >= current_opportunities.min_divergence)
)
SELECT p.long_dex, p.short_dex, p.symbol, p.long_dex_symbol, p.short_dex_symbol,
       p.long_interval_hours, p.short_interval_hours, p.long_rate, p.short_rate, p.long_rate_8h, p.short_rate_8h,
       p.divergence, p.estimated_fees, p.net_profit,
       p.net_profit * 8760 / current_opportunities.hold_hours * 100 AS annualized_apy,
       CASE WHEN p.divergence > 0 THEN p.estimated_fees / (p.divergence / 8) END AS break_even_hours,
       p.long_oi_usd, p.short_oi_usd,
       least(p.long_oi_usd, p.short_oi_usd) AS min_oi_usd,
       greatest(p.long_oi_usd, p.short_oi_usd) AS max_oi_usd,
       p.oi_ratio, p.oi_imbalance,
       p.long_volume_24h, p.short_volume_24h,
       least(p.long_volume_24h, p.short_volume_24h) AS min_volume_24h,
       p.long_spread_bps, p.short_spread_bps, p.price_spread_bps,
       p.long_mark_price, p.short_mark_price,
       p.long_next_funding_time, p.short_next_funding_time,
       p.long_time, p.short_time,
       p.long_fee, p.short_fee
FROM pairs p
WHERE current_opportunities.min_profit IS NULL OR p.net_profit >= current_opportunities.min_profit
UNION ALL
SELECT o.*
FROM public.opportunities_computed(
    current_opportunities.symbol, current_opportunities.long_dex, current_opportunities.short_dex,
    current_opportunities.include_dexes, current_opportunities.exclude_dexes, current_opportunities.quote,
    current_opportunities.min_divergence, current_opportunities.min_profit, current_opportunities.min_volume_24h,
    current_opportunities.max_volume_24h, current_opportunities.min_oi_usd, current_opportunities.max_oi_usd,
    current_opportunities.oi_ratio_min, current_opportunities.oi_ratio_max, current_opportunities.oi_imbalance,
    current_opportunities.max_spread_bps, current_opportunities.fee_type, current_opportunities.hold_hours,
    current_opportunities.max_age, current_opportunities.volume_30d) o
WHERE NOT (SELECT st.current FROM public.opportunity_candidates_state st)
$$;

COMMENT ON FUNCTION current_opportunities(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8) IS
$c$opportunities() with the same parameters, rows and values (see its comment; units on the opportunity type), computed from opportunity_candidates (the pairs of the latest state, rebuilt once per ingest cycle) when opportunity_candidates_state.current, else by opportunities() itself. Fees are read from dexes at query time; freshness (max_age) is tested against now(). Rows come unordered: add ORDER BY and LIMIT.$c$;

-- The API's page of opportunities: the first limit_rows pairs by sort_by (ties at the limit included) with the
-- number of all matches, without building a full row for every match. At 5,000 markets the default request matches
-- ~5,500 of 35,000 pairs: counting and ranking them on opportunity_candidate_keys (narrow, one value per two-leg
-- test) and reading only the returned pairs from opportunity_candidates is what keeps the call within a few
-- milliseconds. It serves the requests whose filters and sort the keys hold (sort by net_profit, annualized_apy,
-- divergence or estimated_fees; no symbol, symbols, long_dex, short_dex, quote or oi_imbalance filter, which select
-- few pairs anyway) while the pairs are current; every other request gets every match from current_opportunities()
-- (planned with its values). Either way the rows are current_opportunities()'s, with the same values: the caller
-- orders them (with its tie-breakers) and applies the limit.
CREATE FUNCTION opportunities_page(
    p_symbol text, p_long_dex text, p_short_dex text, p_include_dexes text[], p_exclude_dexes text[], p_quote text,
    p_min_divergence float8, p_min_profit float8, p_min_volume_24h float8, p_max_volume_24h float8,
    p_min_oi_usd float8, p_max_oi_usd float8, p_oi_ratio_min float8, p_oi_ratio_max float8, p_oi_imbalance text,
    p_max_spread_bps float8, p_fee_type text, p_hold_hours float8, p_max_age interval, p_volume_30d float8,
    p_symbols text[], p_sort_by text, p_sort_desc boolean, p_limit_rows bigint)
RETURNS TABLE (o opportunity, total_count bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_fees float8[];
    v_bound float8;
BEGIN
    IF p_symbol IS NOT NULL OR p_symbols IS NOT NULL OR p_long_dex IS NOT NULL OR p_short_dex IS NOT NULL
       OR p_quote IS NOT NULL OR p_oi_imbalance IS NOT NULL
       OR p_sort_by IS DISTINCT FROM 'net_profit' AND p_sort_by IS DISTINCT FROM 'annualized_apy'
          AND p_sort_by IS DISTINCT FROM 'divergence' AND p_sort_by IS DISTINCT FROM 'estimated_fees'
       OR NOT (SELECT st.current FROM public.opportunity_candidates_state st) THEN
        RETURN QUERY EXECUTE $q$
            SELECT x::public.opportunity, count(*) OVER ()
            FROM public.current_opportunities(
                symbol => $1, long_dex => $2, short_dex => $3, include_dexes => $4, exclude_dexes => $5, quote => $6,
                min_divergence => $7, min_profit => $8, min_volume_24h => $9, max_volume_24h => $10,
                min_oi_usd => $11, max_oi_usd => $12, oi_ratio_min => $13, oi_ratio_max => $14, oi_imbalance => $15,
                max_spread_bps => $16, fee_type => $17, hold_hours => $18, max_age => $19, volume_30d => $20) x
            WHERE $21::text[] IS NULL OR x.symbol = ANY ($21::text[])
            $q$
            USING p_symbol, p_long_dex, p_short_dex, p_include_dexes, p_exclude_dexes, p_quote, p_min_divergence,
                  p_min_profit, p_min_volume_24h, p_max_volume_24h, p_min_oi_usd, p_max_oi_usd, p_oi_ratio_min,
                  p_oi_ratio_max, p_oi_imbalance, p_max_spread_bps, p_fee_type, p_hold_hours, p_max_age,
                  p_volume_30d, p_symbols;
        RETURN;
    END IF;
    -- current_opportunities()'s checks, with its messages.
    PERFORM public.require_parameter(p_fee_type IN ('maker', 'taker'), 'fee_type', 'must be maker or taker'),
            public.require_parameter(p_hold_hours > 0, 'hold_hours', 'must be > 0'),
            public.require_parameter(p_max_age >= INTERVAL '0', 'max_age', 'must not be negative');
    -- Each dex's fee for this request by dexes.id (NULL: unknown fee, or a dex the request leaves out).
    SELECT array_agg(f.fee ORDER BY g.id) INTO v_fees
    FROM generate_series(1, (SELECT max(d.id) FROM public.dexes d)) AS g(id)
    LEFT JOIN LATERAL (
        SELECT public.dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, p_fee_type, p_volume_30d) AS fee
        FROM public.dexes d
        WHERE d.id = g.id
          AND (p_include_dexes IS NULL OR d.name = ANY (p_include_dexes))
          AND (p_exclude_dexes IS NULL OR d.name <> ALL (p_exclude_dexes))
    ) f ON true;
    -- The least divergence a match can have: min_divergence, and with min_profit what the two cheapest dexes' fees
    -- require (net_profit >= min_profit needs divergence >= (min_profit + 2 x long_fee + 2 x short_fee) x 8 /
    -- hold_hours; the legs are on two dexes). Lowered by a billionth of itself and of 1, far more than float8
    -- rounding, so no row the exact test keeps is missed: the scan reads one index range, not every pair.
    SELECT greatest(p_min_divergence,
                    b.bound - 1e-9 * (1 + abs(b.bound)))
    INTO v_bound
    FROM (SELECT (p_min_profit + 2 * x.fees[1] + 2 * x.fees[2]) * 8 / p_hold_hours AS bound
          FROM (SELECT array_agg(u.fee ORDER BY u.fee) AS fees FROM unnest(v_fees) AS u(fee) WHERE u.fee IS NOT NULL) x
         ) b;
    RETURN QUERY
    WITH matches AS MATERIALIZED (
        -- net_profit and the sort value in current_opportunities()'s arithmetic, operation for operation.
        SELECT k.pair_id, f.long_fee, f.short_fee, 2 * f.long_fee + 2 * f.short_fee AS estimated_fees, n.net_profit,
               CASE p_sort_by WHEN 'net_profit' THEN n.net_profit
                              WHEN 'annualized_apy' THEN n.net_profit * 8760 / p_hold_hours * 100
                              WHEN 'divergence' THEN k.divergence
                              WHEN 'estimated_fees' THEN 2 * f.long_fee + 2 * f.short_fee END AS sort_value
        FROM public.opportunity_candidate_keys k
        CROSS JOIN LATERAL (SELECT v_fees[k.long_dex_id], v_fees[k.short_dex_id]) AS f(long_fee, short_fee)
        CROSS JOIN LATERAL (SELECT k.divergence * p_hold_hours / 8 - (2 * f.long_fee + 2 * f.short_fee))
            AS n(net_profit)
        WHERE k.divergence >= coalesce(v_bound, '-Infinity')
          AND f.long_fee IS NOT NULL AND f.short_fee IS NOT NULL
          AND (p_max_volume_24h IS NULL OR k.max_volume_24h <= p_max_volume_24h)
          AND (p_min_volume_24h IS NULL OR k.min_volume_24h >= p_min_volume_24h)
          AND (p_max_oi_usd IS NULL OR k.max_oi_usd <= p_max_oi_usd)
          AND (p_min_oi_usd IS NULL OR k.min_oi_usd >= p_min_oi_usd)
          AND (p_max_spread_bps IS NULL OR k.max_spread_bps <= p_max_spread_bps)
          AND (p_max_age IS NULL OR k.oldest_time >= now() - p_max_age)
          AND (p_oi_ratio_min IS NULL OR k.oi_ratio >= p_oi_ratio_min)
          AND (p_oi_ratio_max IS NULL OR k.oi_ratio <= p_oi_ratio_max)
          AND (p_min_divergence IS NULL OR k.divergence >= p_min_divergence)
          AND (p_min_profit IS NULL OR n.net_profit >= p_min_profit)
    ),
    -- The limit-th sort value (a top-N sort, not a sort of every match); NULL when fewer match. The sort values of
    -- these sort keys are never NULL.
    cut AS (
        SELECT m.sort_value
        FROM matches m
        ORDER BY CASE WHEN p_sort_desc THEN m.sort_value END DESC, CASE WHEN NOT p_sort_desc THEN m.sort_value END
        OFFSET p_limit_rows - 1 LIMIT 1
    ),
    total AS (SELECT count(*) AS n FROM matches)
    SELECT ROW(c.long_dex, c.short_dex, c.symbol, c.long_dex_symbol, c.short_dex_symbol,
               c.long_interval_hours, c.short_interval_hours, c.long_rate, c.short_rate, c.long_rate_8h,
               c.short_rate_8h, c.divergence, m.estimated_fees, m.net_profit,
               m.net_profit * 8760 / p_hold_hours * 100,
               CASE WHEN c.divergence > 0 THEN m.estimated_fees / (c.divergence / 8) END,
               c.long_oi_usd, c.short_oi_usd, least(c.long_oi_usd, c.short_oi_usd),
               greatest(c.long_oi_usd, c.short_oi_usd), c.oi_ratio, c.oi_imbalance,
               c.long_volume_24h, c.short_volume_24h, least(c.long_volume_24h, c.short_volume_24h),
               c.long_spread_bps, c.short_spread_bps, c.price_spread_bps, c.long_mark_price, c.short_mark_price,
               c.long_next_funding_time, c.short_next_funding_time, c.long_time, c.short_time,
               m.long_fee, m.short_fee)::public.opportunity,
           (SELECT t.n FROM total t)
    FROM matches m
    -- One index lookup per returned pair (OFFSET 0 keeps it a per-row lookup, not a join over every pair).
    CROSS JOIN LATERAL (SELECT c.* FROM public.opportunity_candidates c WHERE c.pair_id = m.pair_id OFFSET 0) c
    WHERE NOT EXISTS (SELECT 1 FROM cut)
       OR (p_sort_desc AND m.sort_value >= (SELECT cut.sort_value FROM cut))
       OR (NOT p_sort_desc AND m.sort_value <= (SELECT cut.sort_value FROM cut));
END
$$;

COMMENT ON FUNCTION opportunities_page(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8, text[], text, boolean, bigint) IS
$c$The API's /opportunities read: current_opportunities() with the same filters (p_<name> = its <name>) plus p_symbols (any of these symbols), with each row the number of all matches (total_count). Returns at least the first p_limit_rows matches by p_sort_by (p_sort_desc, NULLs last), ties included, and possibly every match: the caller orders and limits. Rows and values are current_opportunities()'s.$c$;

-- Grants as 0015: SELECT on the new tables and EXECUTE on the read for the reader and the writer (the write routines
-- stay the owner's).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE NOTICE 'role % does not exist: no grants for it', r;
            CONTINUE;
        END IF;
        EXECUTE format('GRANT SELECT ON public.opportunity_candidates, public.opportunity_candidate_keys, public.opportunity_candidates_state TO %I', r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION public.current_opportunities(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8), public.opportunities_computed(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8), public.opportunities_page(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8, text[], text, boolean, bigint) TO %I', r);
    END LOOP;
END
$$;

-- The pairs of the state the migration finds (the next cycle would build them too).
SELECT refresh_opportunity_candidates();
