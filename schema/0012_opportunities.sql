-- 0012 analytics, part 2: fee-adjusted cross-venue opportunities and funding-rate rankings.
--
-- The opportunity arithmetic is the contract of docs/units.md "Opportunity arithmetic". For a symbol, a long leg on
-- market L and a short leg on market S (different dexes, both sampled within max_age):
--   divergence       = S.rate_8h - L.rate_8h                       (fraction per 8 h)
--   estimated_fees   = 2 x fee(L) + 2 x fee(S)                     (open and close each leg; fraction of notional)
--   net_profit       = divergence x hold_hours / 8 - estimated_fees (fraction of notional over hold_hours)
--   annualized_apy   = net_profit x 8760 / hold_hours x 100        (percent)
--   break_even_hours = estimated_fees / (divergence / 8), NULL when divergence <= 0
--   oi_ratio = long_oi_usd / short_oi_usd; oi_imbalance long_heavy (> 1.2), short_heavy (< 0.8), balanced
--   spread_bps = (ask - bid) / mid x 10^4; price_spread_bps = (S.mark - L.mark) / mid x 10^4 on per-unit marks
-- Fees are read from dexes at query time (an UPDATE of dexes applies to the next query). A dex whose fee for the
-- requested fee type is NULL (unknown, e.g. a venue created on the fly by ingest) takes part in no pair.
--
-- opportunities() is a single-SELECT LANGUAGE sql function without SET clauses, so the planner inlines it into
-- the calling query: parameters become constants and the unused filters disappear from the plan.
-- Its parameters carry the API's names (symbol, quote, min_oi_usd, ...); inside the body they are written
-- opportunities.<name> because a column of the same name would take precedence over an unqualified reference.
-- Output columns share names with parameters, so the result is a composite type rather than RETURNS TABLE.
-- No ORDER BY inside: sorting ~30k wide rows (5k markets) cost more than the rest of the query (spilled past the
-- default work_mem); callers order and limit (ORDER BY net_profit DESC LIMIT 10 is a cheap top-N sort).

CREATE TYPE opportunity AS (
    long_dex                text,
    short_dex               text,
    symbol                  text,
    long_dex_symbol         text,
    short_dex_symbol        text,
    long_interval_hours     float8,
    short_interval_hours    float8,
    long_rate               float8,
    short_rate              float8,
    long_rate_8h            float8,
    short_rate_8h           float8,
    divergence              float8,
    estimated_fees          float8,
    net_profit              float8,
    annualized_apy          float8,
    break_even_hours        float8,
    long_oi_usd             float8,
    short_oi_usd            float8,
    min_oi_usd              float8,
    max_oi_usd              float8,
    oi_ratio                float8,
    oi_imbalance            text,
    long_volume_24h         float8,
    short_volume_24h        float8,
    min_volume_24h          float8,
    long_spread_bps         float8,
    short_spread_bps        float8,
    price_spread_bps        float8,
    long_mark_price         float8,
    short_mark_price        float8,
    long_next_funding_time  timestamptz,
    short_next_funding_time timestamptz,
    long_time               timestamptz,
    short_time              timestamptz,
    long_fee                float8,
    short_fee               float8
);

COMMENT ON TYPE opportunity IS 'One row of opportunities(): a long leg on one dex and a short leg on another for the same symbol. Units on the columns.';
COMMENT ON COLUMN opportunity.long_dex IS 'Dex of the long leg (pays its funding when positive).';
COMMENT ON COLUMN opportunity.short_dex IS 'Dex of the short leg (receives its funding when positive).';
COMMENT ON COLUMN opportunity.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN opportunity.long_dex_symbol IS 'Venue symbol of the long market.';
COMMENT ON COLUMN opportunity.short_dex_symbol IS 'Venue symbol of the short market.';
COMMENT ON COLUMN opportunity.long_interval_hours IS 'Funding interval of the long market, hours.';
COMMENT ON COLUMN opportunity.short_interval_hours IS 'Funding interval of the short market, hours.';
COMMENT ON COLUMN opportunity.long_rate IS 'Native funding rate of the long market, fraction per its interval.';
COMMENT ON COLUMN opportunity.short_rate IS 'Native funding rate of the short market, fraction per its interval.';
COMMENT ON COLUMN opportunity.long_rate_8h IS 'Long market rate / interval x 8: fraction per 8 h.';
COMMENT ON COLUMN opportunity.short_rate_8h IS 'Short market rate / interval x 8: fraction per 8 h.';
COMMENT ON COLUMN opportunity.divergence IS 'short_rate_8h - long_rate_8h: fraction per 8 h.';
COMMENT ON COLUMN opportunity.estimated_fees IS '2 x long_fee + 2 x short_fee (open and close each leg): fraction of notional.';
COMMENT ON COLUMN opportunity.net_profit IS 'divergence x hold_hours / 8 - estimated_fees: fraction of notional over the holding horizon.';
COMMENT ON COLUMN opportunity.annualized_apy IS 'net_profit x 8760 / hold_hours x 100: percent per year (simple).';
COMMENT ON COLUMN opportunity.break_even_hours IS 'estimated_fees / (divergence / 8): hours of holding to earn the fees back; NULL when divergence <= 0.';
COMMENT ON COLUMN opportunity.long_oi_usd IS 'Open interest of the long market, USD.';
COMMENT ON COLUMN opportunity.short_oi_usd IS 'Open interest of the short market, USD.';
COMMENT ON COLUMN opportunity.min_oi_usd IS 'least(long_oi_usd, short_oi_usd), USD.';
COMMENT ON COLUMN opportunity.max_oi_usd IS 'greatest(long_oi_usd, short_oi_usd), USD.';
COMMENT ON COLUMN opportunity.oi_ratio IS 'long_oi_usd / short_oi_usd (NULL when either is unknown or short is 0).';
COMMENT ON COLUMN opportunity.oi_imbalance IS '''long_heavy'' (oi_ratio > 1.2), ''short_heavy'' (< 0.8) or ''balanced''; NULL without oi_ratio.';
COMMENT ON COLUMN opportunity.long_volume_24h IS 'Trailing 24 h volume of the long market, USD.';
COMMENT ON COLUMN opportunity.short_volume_24h IS 'Trailing 24 h volume of the short market, USD.';
COMMENT ON COLUMN opportunity.min_volume_24h IS 'least(long_volume_24h, short_volume_24h), USD.';
COMMENT ON COLUMN opportunity.long_spread_bps IS 'Bid/ask spread of the long market, basis points of mid.';
COMMENT ON COLUMN opportunity.short_spread_bps IS 'Bid/ask spread of the short market, basis points of mid.';
COMMENT ON COLUMN opportunity.price_spread_bps IS '(short_mark_price - long_mark_price) / mid x 10^4 on per-unit marks, basis points (mid = their mean).';
COMMENT ON COLUMN opportunity.long_mark_price IS 'Mark price of the long market per one unit of the symbol (venue mark / multiplier), quote currency.';
COMMENT ON COLUMN opportunity.short_mark_price IS 'Mark price of the short market per one unit of the symbol, quote currency.';
COMMENT ON COLUMN opportunity.long_next_funding_time IS 'Next funding time of the long market.';
COMMENT ON COLUMN opportunity.short_next_funding_time IS 'Next funding time of the short market.';
COMMENT ON COLUMN opportunity.long_time IS 'Sample time of the long leg.';
COMMENT ON COLUMN opportunity.short_time IS 'Sample time of the short leg.';
COMMENT ON COLUMN opportunity.long_fee IS 'Fee per fill on the long dex for the fee type (and volume tier), fraction of notional.';
COMMENT ON COLUMN opportunity.short_fee IS 'Fee per fill on the short dex for the fee type (and volume tier), fraction of notional.';

CREATE FUNCTION opportunities(
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
           public.dex_fee(d.maker_fee, d.taker_fee, d.fee_tiers, opportunities.fee_type, opportunities.volume_30d) AS fee
    FROM public.dexes d
    WHERE public.require_parameter(opportunities.fee_type IN ('maker', 'taker'), 'fee_type', 'must be maker or taker')
      AND public.require_parameter(opportunities.hold_hours > 0, 'hold_hours', 'must be > 0')
      AND public.require_parameter(opportunities.max_age >= INTERVAL '0', 'max_age', 'must not be negative')
      AND public.require_parameter(opportunities.oi_imbalance IN ('long_heavy', 'short_heavy', 'balanced'),
                                   'oi_imbalance', 'must be long_heavy, short_heavy or balanced')
      AND (opportunities.include_dexes IS NULL OR d.name = ANY (opportunities.include_dexes))
      AND (opportunities.exclude_dexes IS NULL OR d.name <> ALL (opportunities.exclude_dexes))
),
legs AS MATERIALIZED (
    SELECT v.symbol_id, v.dex_id, v.dex, v.symbol, v.dex_symbol, v.funding_interval_hours, v.funding_rate, v.rate_8h,
           v.open_interest_usd, v.volume_24h_usd, v.spread_bps, v.mark_price, v.next_funding_time, v.time, f.fee
    FROM public.latest_funding_rates v
    JOIN fees f ON f.dex_id = v.dex_id
    WHERE f.fee IS NOT NULL
      AND v.rate_8h IS NOT NULL
      AND (opportunities.symbol IS NULL OR v.symbol = opportunities.symbol)
      AND (opportunities.quote IS NULL OR v.quote = opportunities.quote)
      AND (opportunities.long_dex IS NULL OR opportunities.short_dex IS NULL
           OR v.dex IN (opportunities.long_dex, opportunities.short_dex))
      AND (opportunities.max_spread_bps IS NULL OR v.spread_bps <= opportunities.max_spread_bps)
      AND (opportunities.max_volume_24h IS NULL OR v.volume_24h_usd <= opportunities.max_volume_24h)
      AND (opportunities.min_volume_24h IS NULL OR v.volume_24h_usd >= opportunities.min_volume_24h)
      AND (opportunities.max_oi_usd IS NULL OR v.open_interest_usd <= opportunities.max_oi_usd)
      AND (opportunities.min_oi_usd IS NULL OR v.open_interest_usd >= opportunities.min_oi_usd)
),
pairs AS (
    SELECT l.dex AS long_dex,
           s.dex AS short_dex,
           l.symbol,
           l.dex_symbol AS long_dex_symbol,
           s.dex_symbol AS short_dex_symbol,
           l.funding_interval_hours AS long_interval_hours,
           s.funding_interval_hours AS short_interval_hours,
           l.funding_rate AS long_rate,
           s.funding_rate AS short_rate,
           l.rate_8h AS long_rate_8h,
           s.rate_8h AS short_rate_8h,
           s.rate_8h - l.rate_8h AS divergence,
           2 * l.fee + 2 * s.fee AS estimated_fees,
           (s.rate_8h - l.rate_8h) * opportunities.hold_hours / 8 - (2 * l.fee + 2 * s.fee) AS net_profit,
           l.open_interest_usd AS long_oi_usd,
           s.open_interest_usd AS short_oi_usd,
           l.open_interest_usd / nullif(s.open_interest_usd, 0) AS oi_ratio,
           l.volume_24h_usd AS long_volume_24h,
           s.volume_24h_usd AS short_volume_24h,
           l.spread_bps AS long_spread_bps,
           s.spread_bps AS short_spread_bps,
           l.mark_price AS long_mark_price,
           s.mark_price AS short_mark_price,
           l.next_funding_time AS long_next_funding_time,
           s.next_funding_time AS short_next_funding_time,
           l.time AS long_time,
           s.time AS short_time,
           l.fee AS long_fee,
           s.fee AS short_fee
    FROM legs l
    JOIN legs s ON s.symbol_id = l.symbol_id AND s.dex_id <> l.dex_id
    -- Freshness is tested on the CTE scans, not inside legs: market_latest.time always lies beyond the column's
    -- statistics (every sample is newer than the last ANALYZE), so inside legs the planner estimated 1 fresh row
    -- and self-joined 5,000 legs by nested loop (1.5 s instead of ms). A CTE column has no statistics: the default
    -- selectivity keeps the estimate sane and the hash join.
    WHERE (opportunities.max_age IS NULL
           OR (l.time >= now() - opportunities.max_age AND s.time >= now() - opportunities.max_age))
      AND (opportunities.long_dex IS NULL OR l.dex = opportunities.long_dex)
      AND (opportunities.short_dex IS NULL OR s.dex = opportunities.short_dex)
      AND (opportunities.min_divergence IS NULL OR s.rate_8h - l.rate_8h >= opportunities.min_divergence)
)
SELECT p.long_dex, p.short_dex, p.symbol, p.long_dex_symbol, p.short_dex_symbol,
       p.long_interval_hours, p.short_interval_hours, p.long_rate, p.short_rate, p.long_rate_8h, p.short_rate_8h,
       p.divergence, p.estimated_fees, p.net_profit,
       p.net_profit * 8760 / opportunities.hold_hours * 100 AS annualized_apy,
       CASE WHEN p.divergence > 0 THEN p.estimated_fees / (p.divergence / 8) END AS break_even_hours,
       p.long_oi_usd, p.short_oi_usd,
       least(p.long_oi_usd, p.short_oi_usd) AS min_oi_usd,
       greatest(p.long_oi_usd, p.short_oi_usd) AS max_oi_usd,
       p.oi_ratio,
       CASE WHEN p.oi_ratio > 1.2 THEN 'long_heavy' WHEN p.oi_ratio < 0.8 THEN 'short_heavy'
            WHEN p.oi_ratio IS NOT NULL THEN 'balanced' END AS oi_imbalance,
       p.long_volume_24h, p.short_volume_24h,
       least(p.long_volume_24h, p.short_volume_24h) AS min_volume_24h,
       p.long_spread_bps, p.short_spread_bps,
       (p.short_mark_price - p.long_mark_price) / ((p.short_mark_price + p.long_mark_price) / 2) * 10000 AS price_spread_bps,
       p.long_mark_price, p.short_mark_price,
       p.long_next_funding_time, p.short_next_funding_time,
       p.long_time, p.short_time,
       p.long_fee, p.short_fee
FROM pairs p
WHERE (opportunities.min_profit IS NULL OR p.net_profit >= opportunities.min_profit)
  AND (opportunities.oi_ratio_min IS NULL OR p.oi_ratio >= opportunities.oi_ratio_min)
  AND (opportunities.oi_ratio_max IS NULL OR p.oi_ratio <= opportunities.oi_ratio_max)
  AND (opportunities.oi_imbalance IS NULL
       OR CASE WHEN p.oi_ratio > 1.2 THEN 'long_heavy' WHEN p.oi_ratio < 0.8 THEN 'short_heavy'
               WHEN p.oi_ratio IS NOT NULL THEN 'balanced' END = opportunities.oi_imbalance)
$$;

COMMENT ON FUNCTION opportunities(text, text, text, text[], text[], text, float8, float8, float8, float8, float8, float8, float8, float8, text, float8, text, float8, interval, float8) IS
$c$Fee-adjusted cross-venue funding opportunities from the latest state (docs/units.md "Opportunity arithmetic"). Rows come unordered: add ORDER BY net_profit DESC (and LIMIT); the function is inlined, so that costs a top-N sort only. Candidates: every ordered pair (long market L, short market S) of one symbol on two different dexes, both sampled within max_age (by sample time) on active markets; divergence = S.rate_8h - L.rate_8h. All parameters are optional and named (SELECT * FROM opportunities(symbol => 'BTC', fee_type => 'maker')); NULL = no filter:
symbol (exact symbols.symbol); long_dex / short_dex (dex names); include_dexes (both legs in the list) / exclude_dexes (neither leg in it); quote (both legs, exact, e.g. 'USDT');
min_divergence (fraction per 8 h); min_profit (net_profit, fraction of notional); min_volume_24h / max_volume_24h (USD, each leg); min_oi_usd / max_oi_usd (USD, each leg: min_oi_usd <= OI <= max_oi_usd);
oi_ratio_min / oi_ratio_max (long OI / short OI); oi_imbalance ('long_heavy' | 'short_heavy' | 'balanced'); max_spread_bps (bid/ask spread of each leg, bps);
fee_type ('maker' | 'taker', default taker); hold_hours (default 8, > 0); max_age (interval, default 5 minutes; older legs are excluded; NULL = no limit); volume_30d (USD: picks the highest dexes.fee_tiers entry with min_volume_30d <= it; NULL = base fees).
Fees are read from dexes at query time. A dex whose fee is NULL for the fee type (unknown venue) is left out of every pair. A leg whose OI / volume / spread is NULL fails any filter on that value. Invalid parameters raise invalid_parameter_value naming the parameter (HINT).$c$;

-- Best pair per symbol by net_profit with the default parameters.
CREATE VIEW best_opportunities AS
SELECT DISTINCT ON (o.symbol) o.*
FROM opportunities() o
ORDER BY o.symbol, o.net_profit DESC, o.long_dex, o.short_dex, o.long_dex_symbol, o.short_dex_symbol;

-- The view's columns carry the comments of the opportunity type's columns.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT a.attname, col_description(t.typrelid, a.attnum) AS txt
        FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0
        WHERE t.oid = 'public.opportunity'::regtype
    LOOP
        EXECUTE format('COMMENT ON COLUMN public.best_opportunities.%I IS %L', c.attname, c.txt);
    END LOOP;
END
$$;

COMMENT ON VIEW best_opportunities IS
    'The best pair per symbol by net_profit from opportunities() with default parameters (taker fees, hold 8 h, legs at most 5 minutes old, no filters); ordered by symbol. Columns and units as opportunities().';

-- Rankings: markets ranked by apr.
CREATE TYPE funding_ranking AS (
    rank                   bigint,
    dex                    text,
    symbol                 text,
    dex_symbol             text,
    quote                  text,
    funding_rate           float8,
    funding_interval_hours float8,
    rate_1h                float8,
    rate_8h                float8,
    apr                    float8,
    predicted_rate         float8,
    next_funding_time      timestamptz,
    mark_price             float8,
    open_interest_usd      float8,
    volume_24h_usd         float8,
    spread_bps             float8,
    time                   timestamptz,
    age_seconds            float8
);

COMMENT ON TYPE funding_ranking IS 'One row of funding_rankings(): a market with its rank by apr inside the filter.';
COMMENT ON COLUMN funding_ranking.rank IS 'Rank by apr inside the filter (1 = highest apr for order desc, lowest for asc; ties share a rank).';
COMMENT ON COLUMN funding_ranking.dex IS 'Dex name.';
COMMENT ON COLUMN funding_ranking.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN funding_ranking.dex_symbol IS 'Venue market symbol.';
COMMENT ON COLUMN funding_ranking.quote IS 'Quote asset.';
COMMENT ON COLUMN funding_ranking.funding_rate IS 'Funding rate, fraction per funding interval.';
COMMENT ON COLUMN funding_ranking.funding_interval_hours IS 'Funding interval, hours.';
COMMENT ON COLUMN funding_ranking.rate_1h IS 'Fraction per hour.';
COMMENT ON COLUMN funding_ranking.rate_8h IS 'Fraction per 8 hours.';
COMMENT ON COLUMN funding_ranking.apr IS 'rate_1h x 8760 x 100, percent.';
COMMENT ON COLUMN funding_ranking.predicted_rate IS 'Predicted next rate, fraction per funding interval.';
COMMENT ON COLUMN funding_ranking.next_funding_time IS 'Next funding time.';
COMMENT ON COLUMN funding_ranking.mark_price IS 'Mark price per one unit of the symbol, quote currency.';
COMMENT ON COLUMN funding_ranking.open_interest_usd IS 'Open interest, USD.';
COMMENT ON COLUMN funding_ranking.volume_24h_usd IS 'Trailing 24 h volume, USD.';
COMMENT ON COLUMN funding_ranking.spread_bps IS 'Bid/ask spread, basis points of mid.';
COMMENT ON COLUMN funding_ranking.time IS 'Sample time.';
COMMENT ON COLUMN funding_ranking.age_seconds IS 'now() - time, seconds.';

CREATE FUNCTION funding_rankings(
    "order"        text     DEFAULT 'desc',
    dexes          text[]   DEFAULT NULL,
    quote          text     DEFAULT NULL,
    min_oi_usd     float8   DEFAULT NULL,
    max_oi_usd     float8   DEFAULT NULL,
    min_volume_24h float8   DEFAULT NULL,
    limit_rows     integer  DEFAULT NULL,
    max_age        interval DEFAULT NULL,
    symbol         text     DEFAULT NULL)
RETURNS SETOF funding_ranking
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT rank() OVER (ORDER BY CASE WHEN lower(funding_rankings."order") = 'asc' THEN v.apr ELSE -v.apr END) AS rank,
       v.dex, v.symbol, v.dex_symbol, v.quote, v.funding_rate, v.funding_interval_hours, v.rate_1h, v.rate_8h, v.apr,
       v.predicted_rate, v.next_funding_time, v.mark_price, v.open_interest_usd, v.volume_24h_usd, v.spread_bps,
       v.time, v.age_seconds
FROM public.latest_funding_rates v
WHERE public.require_parameter(lower(funding_rankings."order") IN ('asc', 'desc'), 'order', 'must be asc or desc')
  AND public.require_parameter(funding_rankings.limit_rows >= 0, 'limit_rows', 'must be >= 0')
  AND v.apr IS NOT NULL
  AND (funding_rankings.dexes IS NULL OR v.dex = ANY (funding_rankings.dexes))
  AND (funding_rankings.quote IS NULL OR v.quote = funding_rankings.quote)
  AND (funding_rankings.symbol IS NULL OR v.symbol = funding_rankings.symbol)
  AND (funding_rankings.min_oi_usd IS NULL OR v.open_interest_usd >= funding_rankings.min_oi_usd)
  AND (funding_rankings.max_oi_usd IS NULL OR v.open_interest_usd <= funding_rankings.max_oi_usd)
  AND (funding_rankings.min_volume_24h IS NULL OR v.volume_24h_usd >= funding_rankings.min_volume_24h)
  AND (funding_rankings.max_age IS NULL OR v.time >= now() - funding_rankings.max_age)
ORDER BY 1, v.dex, v.dex_symbol
LIMIT funding_rankings.limit_rows
$$;

COMMENT ON FUNCTION funding_rankings(text, text[], text, float8, float8, float8, integer, interval, text) IS
$c$Active markets ranked by apr (percent) from latest_funding_rates, rank computed inside the filter. Named, optional parameters (NULL = no filter): "order" ('desc' = highest apr first (default), 'asc' = lowest first; ORDER is a reserved word, so write "order" => 'asc'); dexes (text[], market's dex in the list); quote (exact); min_oi_usd / max_oi_usd (USD); min_volume_24h (USD); limit_rows (at most this many rows, NULL = all); max_age (interval: only markets sampled within it; NULL = any age); symbol (exact). Markets with a NULL OI / volume fail a filter on it.$c$;
