-- 0105 /opportunities' default ranking from a key computed once per cycle.
--
-- opportunities_page() (0102) reads, for a request, every key whose divergence the two cheapest dexes' fees leave
-- possible (at 5,000 markets ~10,800 of 35,000 keys for the API's defaults), computes each pair's net_profit with
-- the request's fees, counts the ~5,400 matches and sorts them for the first rows: about 10 ms of database time per
-- call on one connection, 14.7 ms each with eight at once (docs/api.md). Most of that does not depend on the
-- request: with hold_hours 8 and no volume_30d tier (the API's defaults) a pair's net_profit is
-- divergence - (2 x long_fee + 2 x short_fee) with each dex's base taker or maker fee, which only changes when the
-- pairs or the dexes' fees do, and either marks the pairs stale (0102's triggers). So the refresh now stores it:
--
--   opportunity_candidate_keys.taker_net_8h, .maker_net_8h   net_profit at hold_hours 8 with the base fees,
--                                                             indexed; NULL when either fee is unknown.
--
-- and opportunities_page() serves sort_by net_profit with hold_hours 8, no volume_30d and a min_profit from one
-- index range of the fee type's column: it counts the matches there and takes the first rows by net_profit, ties
-- included, as the next rows of the same index, so no sort and no per-request arithmetic over every pair. Its
-- values equal current_opportunities()'s exactly: the stored value is computed by the same operations on the same
-- float8 values (x 8 / 8 is exact), the other filters are the general path's, and include/exclude_dexes still take
-- the request's fees by dex id (a dex left out has none). Every other request takes 0102's paths unchanged.
--
-- Cost: the refresh computes each dex's fees once (23 dex_fee() calls) and two more float8 per key.

ALTER TABLE opportunity_candidate_keys ADD COLUMN taker_net_8h float8, ADD COLUMN maker_net_8h float8;

CREATE INDEX opportunity_candidate_keys_taker_net_8h ON opportunity_candidate_keys (taker_net_8h);
CREATE INDEX opportunity_candidate_keys_maker_net_8h ON opportunity_candidate_keys (maker_net_8h);

COMMENT ON COLUMN opportunity_candidate_keys.taker_net_8h IS 'net_profit of the pair held 8 h with both dexes'' base taker fees (dex_fee(..., ''taker'', NULL)): divergence x 8 / 8 - (2 x long_fee + 2 x short_fee), fraction; NULL when either fee is unknown.';
COMMENT ON COLUMN opportunity_candidate_keys.maker_net_8h IS 'As taker_net_8h with the base maker fees.';

CREATE OR REPLACE FUNCTION refresh_opportunity_candidates() RETURNS integer
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
    -- The net columns: each dex's fee computed once (dex_fee() as a request computes it without volume_30d), then
    -- net_profit at hold_hours 8 in current_opportunities()'s arithmetic, operation for operation.
    INSERT INTO public.opportunity_candidate_keys
    WITH fees AS MATERIALIZED (
        SELECT d.id,
               public.dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, 'taker', NULL) AS taker_fee,
               public.dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, 'maker', NULL) AS maker_fee
        FROM public.dexes d
    )
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
                THEN greatest(c.long_spread_bps, c.short_spread_bps) END,
           c.divergence * 8::float8 / 8 - (2 * fl.taker_fee + 2 * fs.taker_fee),
           c.divergence * 8::float8 / 8 - (2 * fl.maker_fee + 2 * fs.maker_fee)
    FROM public.opportunity_candidates c
    JOIN fees fl ON fl.id = c.long_dex_id
    JOIN fees fs ON fs.id = c.short_dex_id
    ORDER BY c.divergence;
    UPDATE public.opportunity_candidates_state SET pairs = v_pairs;
    RETURN v_pairs;
END
$$;

-- opportunities_page()'s net path: the pairs with net_profit >= p_min_profit at hold_hours 8 with the base fees of
-- p_fee_type (the key column taker_net_8h or maker_net_8h), the general path's other filters, counted once, and the
-- first p_limit_rows of them by net_profit, ties included, as the next rows of the column's index. p_fees are the
-- request's fees by dex id (NULL: unknown, or left out by include/exclude_dexes). The plan is fixed rather than
-- left to statistics: the keys are rewritten every cycle, and before autovacuum's first ANALYZE of the new column
-- the planner guessed a sequential scan and a sort of every match (15 ms instead of 4 at 5,000 markets).
CREATE FUNCTION opportunities_page_net(
    p_fees float8[], p_fee_type text, p_min_profit float8, p_min_divergence float8, p_min_volume_24h float8,
    p_max_volume_24h float8, p_min_oi_usd float8, p_max_oi_usd float8, p_oi_ratio_min float8, p_oi_ratio_max float8,
    p_max_spread_bps float8, p_max_age interval, p_sort_desc boolean, p_limit_rows bigint)
RETURNS TABLE (o opportunity, total_count bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
SET enable_seqscan = off
SET enable_sort = off
AS $$
DECLARE
    v_net text := CASE p_fee_type WHEN 'taker' THEN 'taker_net_8h' WHEN 'maker' THEN 'maker_net_8h' END;
    v_filters text;
    v_total bigint;
BEGIN
    PERFORM public.require_parameter(v_net IS NOT NULL, 'fee_type', 'must be maker or taker');
    -- opportunities_page()'s filters, on its parameters ($1 the fees by dex id, $2.. the filters).
    v_filters := format($f$
        k.%I >= $13
        AND ($1::float8[])[k.long_dex_id] IS NOT NULL AND ($1::float8[])[k.short_dex_id] IS NOT NULL
        AND ($2::float8 IS NULL OR k.max_volume_24h <= $2)
        AND ($3::float8 IS NULL OR k.min_volume_24h >= $3)
        AND ($4::float8 IS NULL OR k.max_oi_usd <= $4)
        AND ($5::float8 IS NULL OR k.min_oi_usd >= $5)
        AND ($6::float8 IS NULL OR k.max_spread_bps <= $6)
        AND ($7::interval IS NULL OR k.oldest_time >= now() - $7)
        AND ($8::float8 IS NULL OR k.oi_ratio >= $8)
        AND ($9::float8 IS NULL OR k.oi_ratio <= $9)
        AND ($10::float8 IS NULL OR k.divergence >= $10)$f$, v_net);
    EXECUTE 'SELECT count(*) FROM public.opportunity_candidate_keys k WHERE ' || v_filters
        INTO v_total
        USING p_fees, p_max_volume_24h, p_min_volume_24h, p_max_oi_usd, p_min_oi_usd, p_max_spread_bps,
              p_max_age, p_oi_ratio_min, p_oi_ratio_max, p_min_divergence, 8::float8, p_limit_rows,
              p_min_profit;
    RETURN QUERY EXECUTE format($q$
        SELECT ROW(c.long_dex, c.short_dex, c.symbol, c.long_dex_symbol, c.short_dex_symbol,
                   c.long_interval_hours, c.short_interval_hours, c.long_rate, c.short_rate, c.long_rate_8h,
                   c.short_rate_8h, c.divergence, 2 * m.long_fee + 2 * m.short_fee, m.net_profit,
                   m.net_profit * 8760 / $11 * 100,  -- $11 is hold_hours (8)
                   CASE WHEN c.divergence > 0 THEN (2 * m.long_fee + 2 * m.short_fee) / (c.divergence / 8) END,
                   c.long_oi_usd, c.short_oi_usd, least(c.long_oi_usd, c.short_oi_usd),
                   greatest(c.long_oi_usd, c.short_oi_usd), c.oi_ratio, c.oi_imbalance,
                   c.long_volume_24h, c.short_volume_24h, least(c.long_volume_24h, c.short_volume_24h),
                   c.long_spread_bps, c.short_spread_bps, c.price_spread_bps, c.long_mark_price,
                   c.short_mark_price, c.long_next_funding_time, c.short_next_funding_time, c.long_time,
                   c.short_time, m.long_fee, m.short_fee)::public.opportunity,
               $14::bigint
        FROM (SELECT k.pair_id, k.%1$I AS net_profit, ($1::float8[])[k.long_dex_id] AS long_fee,
                     ($1::float8[])[k.short_dex_id] AS short_fee
              FROM public.opportunity_candidate_keys k
              WHERE %3$s
              ORDER BY k.%1$I %2$s
              FETCH FIRST $12 ROWS WITH TIES) m
        -- One index lookup per returned pair.
        CROSS JOIN LATERAL (SELECT c.* FROM public.opportunity_candidates c WHERE c.pair_id = m.pair_id OFFSET 0) c
        $q$, v_net, CASE WHEN p_sort_desc THEN 'DESC' ELSE 'ASC' END, v_filters)
        USING p_fees, p_max_volume_24h, p_min_volume_24h, p_max_oi_usd, p_min_oi_usd, p_max_spread_bps,
              p_max_age, p_oi_ratio_min, p_oi_ratio_max, p_min_divergence, 8::float8, p_limit_rows,
              p_min_profit, v_total;
END
$$;

COMMENT ON FUNCTION opportunities_page_net(float8[], text, float8, float8, float8, float8, float8, float8, float8, float8, float8, interval, boolean, bigint) IS
$c$Internal to opportunities_page() (0105): its rows for sort_by net_profit, hold_hours 8 and no volume_30d, ranked on opportunity_candidate_keys.taker_net_8h / maker_net_8h. Valid only while opportunity_candidates_state.current.$c$;

CREATE OR REPLACE FUNCTION opportunities_page(
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
    -- The net path (0105): with hold_hours 8, no volume tier and a min_profit, net_profit is a key column.
    IF p_sort_by = 'net_profit' AND p_hold_hours = 8 AND p_volume_30d IS NULL AND p_min_profit IS NOT NULL THEN
        RETURN QUERY SELECT n.o, n.total_count
            FROM public.opportunities_page_net(v_fees, p_fee_type, p_min_profit, p_min_divergence, p_min_volume_24h,
                                               p_max_volume_24h, p_min_oi_usd, p_max_oi_usd, p_oi_ratio_min,
                                               p_oi_ratio_max, p_max_spread_bps, p_max_age, p_sort_desc,
                                               p_limit_rows) n;
        RETURN;
    END IF;
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
$c$The API's /opportunities read: current_opportunities() with the same filters (p_<name> = its <name>) plus p_symbols (any of these symbols), with each row the number of all matches (total_count). Returns at least the first p_limit_rows matches by p_sort_by (p_sort_desc, NULLs last), ties included, and possibly every match: the caller orders and limits. Rows and values are current_opportunities()'s. Sort by net_profit with hold_hours 8, no volume_30d and a min_profit ranks on opportunity_candidate_keys' taker_net_8h / maker_net_8h (0105).$c$;

-- Grants as 0102: opportunities_page() runs with its caller's rights and calls this.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE NOTICE 'role % does not exist: no grants for it', r;
            CONTINUE;
        END IF;
        EXECUTE format('GRANT EXECUTE ON FUNCTION public.opportunities_page_net(float8[], text, float8, float8, float8, float8, float8, float8, float8, float8, float8, interval, boolean, bigint) TO %I', r);
    END LOOP;
END
$$;

-- The keys of the state the migration finds, with the new columns (the next cycle would write them too).
SELECT refresh_opportunity_candidates();
