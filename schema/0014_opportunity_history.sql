-- 0014 analytics, part 4: opportunity history, recorded by the write path once per ingest cycle.
--
-- After each cycle ingest_apply() calls ingest_cycle_hook(cycle_time), which calls record_opportunity_history():
-- the top opportunity_history_top_n pairs per symbol by net_profit from opportunities() with DEFAULT parameters
-- (taker fees, hold 8 h, legs at most 5 minutes old) go into the opportunity_history hypertable, and the cycle
-- into opportunity_cycles. opportunity_persistence gives each (symbol, long_dex, short_dex) its first / last
-- appearance and the share of recorded cycles in which it was among the stored pairs with net_profit > 0.
--
-- Cost per cycle: one opportunities() evaluation over market_latest (see bench/opportunities.sh) plus the INSERT
-- of at most top_n x symbols rows, inside a subtransaction: a failure there is logged as a WARNING and never
-- costs the cycle's samples. opportunity_history_top_n = 0 switches recording off.
--
-- ingest_apply() (0008) already calls ingest_cycle_hook() once per cycle; this migration replaces only the hook.
-- apply_retention() is replaced by an edition-neutral version that also drops opportunity_history chunks.

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('opportunity_history_top_n', '3',
     'integer: after each ingest cycle the best this many pairs per symbol (by net_profit, opportunities() with default parameters) are stored in opportunity_history; 0 = record nothing.'),
    ('opportunity_history_retention', '7 days',
     'interval: opportunity_history chunks (1 day) entirely older than now() - this are dropped by apply_retention() (Community edition: also by a retention policy); opportunity_cycles rows older than it are deleted. opportunity_persistence needs at least 7 days.')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE opportunity_cycles (
    cycle_time     timestamptz PRIMARY KEY,
    sample_time    timestamptz,
    pairs_recorded integer NOT NULL DEFAULT 0,
    symbols        integer NOT NULL DEFAULT 0
);

COMMENT ON TABLE opportunity_cycles IS 'One row per ingest cycle whose opportunities were recorded into opportunity_history (the denominator of opportunity_persistence''s shares). Kept opportunity_history_retention.';
COMMENT ON COLUMN opportunity_cycles.cycle_time IS 'When the cycle was recorded (the ingest transaction''s now()); same value as opportunity_history.cycle_time.';
COMMENT ON COLUMN opportunity_cycles.sample_time IS 'Newest sample time of the cycle (the NOTIFY cycle_time).';
COMMENT ON COLUMN opportunity_cycles.pairs_recorded IS 'Rows written to opportunity_history for this cycle (count).';
COMMENT ON COLUMN opportunity_cycles.symbols IS 'Symbols with at least one candidate pair in this cycle (count).';

CREATE TABLE opportunity_history (
    cycle_time       timestamptz NOT NULL,
    symbol           text NOT NULL,
    long_dex         text NOT NULL,
    short_dex        text NOT NULL,
    long_dex_symbol  text NOT NULL,
    short_dex_symbol text NOT NULL,
    rank_in_symbol   integer NOT NULL,
    long_rate_8h     float8,
    short_rate_8h    float8,
    divergence       float8,
    estimated_fees   float8,
    net_profit       float8,
    annualized_apy   float8,
    break_even_hours float8,
    min_oi_usd       float8,
    oi_ratio         float8,
    oi_imbalance     text,
    min_volume_24h   float8,
    price_spread_bps float8
);

SELECT create_hypertable('opportunity_history', by_range('cycle_time', INTERVAL '1 day'));
CREATE INDEX opportunity_history_pair_idx ON opportunity_history (symbol, long_dex, short_dex, cycle_time DESC);

COMMENT ON TABLE opportunity_history IS 'Top opportunity_history_top_n pairs per symbol by net_profit after each ingest cycle (opportunities() with default parameters: taker fees, hold 8 h, max_age 5 minutes). Hypertable on cycle_time, 1-day chunks, kept opportunity_history_retention. Units as in opportunities().';
COMMENT ON COLUMN opportunity_history.cycle_time IS 'When the cycle was recorded (ingest transaction time; opportunity_cycles.cycle_time).';
COMMENT ON COLUMN opportunity_history.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN opportunity_history.long_dex IS 'Dex of the long leg.';
COMMENT ON COLUMN opportunity_history.short_dex IS 'Dex of the short leg.';
COMMENT ON COLUMN opportunity_history.long_dex_symbol IS 'Venue symbol of the long market.';
COMMENT ON COLUMN opportunity_history.short_dex_symbol IS 'Venue symbol of the short market.';
COMMENT ON COLUMN opportunity_history.rank_in_symbol IS '1 = best net_profit of the symbol in this cycle.';
COMMENT ON COLUMN opportunity_history.long_rate_8h IS 'Long market rate, fraction per 8 h.';
COMMENT ON COLUMN opportunity_history.short_rate_8h IS 'Short market rate, fraction per 8 h.';
COMMENT ON COLUMN opportunity_history.divergence IS 'short_rate_8h - long_rate_8h, fraction per 8 h.';
COMMENT ON COLUMN opportunity_history.estimated_fees IS '2 x long fee + 2 x short fee (taker), fraction of notional.';
COMMENT ON COLUMN opportunity_history.net_profit IS 'divergence - estimated_fees over 8 h, fraction of notional.';
COMMENT ON COLUMN opportunity_history.annualized_apy IS 'net_profit x 8760 / 8 x 100, percent.';
COMMENT ON COLUMN opportunity_history.break_even_hours IS 'Hours to earn the fees back (NULL when divergence <= 0).';
COMMENT ON COLUMN opportunity_history.min_oi_usd IS 'Smaller open interest of the two legs, USD.';
COMMENT ON COLUMN opportunity_history.oi_ratio IS 'Long OI / short OI.';
COMMENT ON COLUMN opportunity_history.oi_imbalance IS 'long_heavy (> 1.2), short_heavy (< 0.8) or balanced.';
COMMENT ON COLUMN opportunity_history.min_volume_24h IS 'Smaller 24 h volume of the two legs, USD.';
COMMENT ON COLUMN opportunity_history.price_spread_bps IS '(short mark - long mark) / mid x 10^4 on per-unit marks, bps.';

-- Records one cycle (owner / write path only). Returns the rows written (0 when switched off or already recorded).
CREATE FUNCTION record_opportunity_history(p_cycle_time timestamptz DEFAULT now(), p_sample_time timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_top_n integer := coalesce(public.setting_value('opportunity_history_top_n')::integer, 3);
    v_keep  interval := public.setting_interval('opportunity_history_retention');
    v_rows  integer := 0;
    v_syms  integer := 0;
BEGIN
    IF v_top_n <= 0 THEN
        RETURN 0;
    END IF;
    INSERT INTO public.opportunity_cycles (cycle_time, sample_time) VALUES (p_cycle_time, p_sample_time)
    ON CONFLICT (cycle_time) DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    WITH ranked AS (
        -- COLLATE "C": byte-order comparisons make this sort of ~30k pairs (5k markets) ~10 ms cheaper.
        SELECT o.*, row_number() OVER (PARTITION BY o.symbol COLLATE "C"
                                       ORDER BY o.net_profit DESC, o.long_dex COLLATE "C", o.short_dex COLLATE "C",
                                                o.long_dex_symbol COLLATE "C", o.short_dex_symbol COLLATE "C") AS rn
        FROM public.opportunities() o
    ), ins AS (
        INSERT INTO public.opportunity_history
            (cycle_time, symbol, long_dex, short_dex, long_dex_symbol, short_dex_symbol, rank_in_symbol,
             long_rate_8h, short_rate_8h, divergence, estimated_fees, net_profit, annualized_apy, break_even_hours,
             min_oi_usd, oi_ratio, oi_imbalance, min_volume_24h, price_spread_bps)
        SELECT p_cycle_time, r.symbol, r.long_dex, r.short_dex, r.long_dex_symbol, r.short_dex_symbol, r.rn,
               r.long_rate_8h, r.short_rate_8h, r.divergence, r.estimated_fees, r.net_profit, r.annualized_apy,
               r.break_even_hours, r.min_oi_usd, r.oi_ratio, r.oi_imbalance, r.min_volume_24h, r.price_spread_bps
        FROM ranked r
        WHERE r.rn <= v_top_n
        RETURNING symbol)
    SELECT count(*), count(DISTINCT symbol) INTO v_rows, v_syms FROM ins;
    UPDATE public.opportunity_cycles SET pairs_recorded = v_rows, symbols = v_syms WHERE cycle_time = p_cycle_time;
    IF v_keep IS NOT NULL THEN
        DELETE FROM public.opportunity_cycles WHERE cycle_time < now() - v_keep;
    END IF;
    RETURN v_rows;
END
$$;

COMMENT ON FUNCTION record_opportunity_history(timestamptz, timestamptz) IS
    'Write path (owner only): store the best opportunity_history_top_n pairs per symbol of opportunities() (default parameters, evaluated now) in opportunity_history under p_cycle_time, and the cycle in opportunity_cycles (p_sample_time = newest sample time); a cycle_time already recorded is skipped. Returns rows written.';
REVOKE ALL ON FUNCTION record_opportunity_history(timestamptz, timestamptz) FROM PUBLIC;

-- Called by ingest_apply() once per cycle with at least one staged market. Runs with ingest_apply's (owner's)
-- rights. A failure is reported as a WARNING and rolled back to the hook's start: the cycle's samples are kept.
CREATE OR REPLACE FUNCTION ingest_cycle_hook(p_sample_time timestamptz) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    BEGIN
        PERFORM public.record_opportunity_history(now(), p_sample_time);
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'ingest_cycle_hook: opportunity history not recorded: % (%)', SQLERRM, SQLSTATE;
    END;
END
$$;

COMMENT ON FUNCTION ingest_cycle_hook(timestamptz) IS
    'Write path, internal: per-cycle work after ingest_apply() has updated market_latest (records opportunity history). Errors become WARNINGs so they never cost the cycle. Replace this function, not ingest_apply(), to add per-cycle work.';
REVOKE ALL ON FUNCTION ingest_cycle_hook(timestamptz) FROM PUBLIC;

COMMENT ON FUNCTION ingest_apply(jsonb) IS
    'Write path step 2 (same transaction as ingest_begin() and the COPY): create unknown dexes/symbols/markets, insert the staged samples into funding_rates (duplicates of (market_id, time) ignored; samples older than now() - raw_retention dropped and counted), upsert market_latest where newer, insert the collection runs (JSON array of {dex, started_at, finished_at, status, markets_ok, markets_rejected, error, latency_ms}) and update each dex''s health, run ingest_cycle_hook() (records opportunity_history) when the cycle had samples, then NOTIFY fundingd_cycle with a JSON summary {cycle_time (newest sample time, UTC), dexes, rows_staged, rows_inserted, rows_duplicate, rows_too_old, markets, markets_created, symbols_created}. Returns one row of counts (rows).';

CREATE VIEW opportunity_persistence AS
WITH cycles AS (
    SELECT count(*) FILTER (WHERE cycle_time >= now() - INTERVAL '24 hours') AS cycles_24h,
           count(*) FILTER (WHERE cycle_time >= now() - INTERVAL '7 days') AS cycles_7d
    FROM opportunity_cycles
)
SELECT h.symbol,
       h.long_dex,
       h.short_dex,
       min(h.cycle_time) AS first_seen,
       max(h.cycle_time) AS last_seen,
       public.last(h.net_profit, h.cycle_time) AS last_net_profit,
       count(DISTINCT h.cycle_time) FILTER (WHERE h.cycle_time >= now() - INTERVAL '24 hours') AS cycles_seen_24h,
       count(DISTINCT h.cycle_time) FILTER (WHERE h.cycle_time >= now() - INTERVAL '24 hours' AND h.net_profit > 0)
           AS cycles_profitable_24h,
       c.cycles_24h,
       count(DISTINCT h.cycle_time) FILTER (WHERE h.cycle_time >= now() - INTERVAL '24 hours' AND h.net_profit > 0)::float8
           / nullif(c.cycles_24h, 0) AS profitable_share_24h,
       count(DISTINCT h.cycle_time) FILTER (WHERE h.cycle_time >= now() - INTERVAL '7 days') AS cycles_seen_7d,
       count(DISTINCT h.cycle_time) FILTER (WHERE h.cycle_time >= now() - INTERVAL '7 days' AND h.net_profit > 0)
           AS cycles_profitable_7d,
       c.cycles_7d,
       count(DISTINCT h.cycle_time) FILTER (WHERE h.cycle_time >= now() - INTERVAL '7 days' AND h.net_profit > 0)::float8
           / nullif(c.cycles_7d, 0) AS profitable_share_7d,
       avg(h.net_profit) FILTER (WHERE h.cycle_time >= now() - INTERVAL '24 hours') AS mean_net_profit_24h
FROM opportunity_history h
CROSS JOIN cycles c
GROUP BY h.symbol, h.long_dex, h.short_dex, c.cycles_24h, c.cycles_7d;

COMMENT ON VIEW opportunity_persistence IS
    'Per (symbol, long_dex, short_dex) seen in opportunity_history: first and last recorded cycle (within the retained history), and over the last 24 h and 7 days the number of recorded cycles in which the pair was stored (among the top opportunity_history_top_n of its symbol) and in which it was stored with net_profit > 0, divided by all recorded cycles of that window (opportunity_cycles). A cycle in which the pair was not among the stored ones counts as not profitable. Filter by symbol for speed.';
COMMENT ON COLUMN opportunity_persistence.symbol IS 'Normalised base asset.';
COMMENT ON COLUMN opportunity_persistence.long_dex IS 'Dex of the long leg.';
COMMENT ON COLUMN opportunity_persistence.short_dex IS 'Dex of the short leg.';
COMMENT ON COLUMN opportunity_persistence.first_seen IS 'First cycle_time the pair was stored (within the retained history).';
COMMENT ON COLUMN opportunity_persistence.last_seen IS 'Last cycle_time the pair was stored.';
COMMENT ON COLUMN opportunity_persistence.last_net_profit IS 'net_profit at last_seen (fraction of notional over 8 h, taker fees).';
COMMENT ON COLUMN opportunity_persistence.cycles_seen_24h IS 'Recorded cycles of the last 24 h in which the pair was stored (count).';
COMMENT ON COLUMN opportunity_persistence.cycles_profitable_24h IS 'Recorded cycles of the last 24 h in which the pair was stored with net_profit > 0 (count).';
COMMENT ON COLUMN opportunity_persistence.cycles_24h IS 'All recorded cycles of the last 24 h (count of opportunity_cycles).';
COMMENT ON COLUMN opportunity_persistence.profitable_share_24h IS 'cycles_profitable_24h / cycles_24h, fraction 0-1 (NULL without cycles).';
COMMENT ON COLUMN opportunity_persistence.cycles_seen_7d IS 'Recorded cycles of the last 7 days in which the pair was stored (count).';
COMMENT ON COLUMN opportunity_persistence.cycles_profitable_7d IS 'Recorded cycles of the last 7 days in which the pair was stored with net_profit > 0 (count).';
COMMENT ON COLUMN opportunity_persistence.cycles_7d IS 'All recorded cycles of the last 7 days (count).';
COMMENT ON COLUMN opportunity_persistence.profitable_share_7d IS 'cycles_profitable_7d / cycles_7d, fraction 0-1.';
COMMENT ON COLUMN opportunity_persistence.mean_net_profit_24h IS 'Mean net_profit of the pair''s stored rows in the last 24 h, fraction of notional.';

-- apply_retention(), edition-neutral: rollups are dropped from their Apache materialised tables when those exist,
-- else from the Community continuous aggregates; plus opportunity_history and opportunity_cycles.
CREATE OR REPLACE PROCEDURE apply_retention()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    t record;
    n integer;
    v_apache boolean := to_regclass('public.rollup_invalidations') IS NOT NULL;
BEGIN
    IF v_apache THEN
        PERFORM pg_advisory_xact_lock(1718972004, 1);   -- never between a refresh's read of raw and its write
    END IF;
    FOR t IN
        SELECT v.rel, v.keep FROM (
            SELECT 'public.funding_rates'::regclass AS rel, public.setting_interval('raw_retention') AS keep
            UNION ALL SELECT 'public.collection_runs'::regclass, public.setting_interval('collection_runs_retention')
            UNION ALL SELECT 'public.opportunity_history'::regclass, public.setting_interval('opportunity_history_retention')
            UNION ALL
            SELECT coalesce(to_regclass('public.' || d.rollup || '_materialized'), to_regclass('public.' || d.rollup)),
                   public.setting_interval(d.retention_setting)
            FROM public.rollup_definitions d
        ) AS v
        WHERE v.keep IS NOT NULL AND v.rel IS NOT NULL
    LOOP
        SELECT count(*) INTO n FROM public.drop_chunks(t.rel, older_than => now() - t.keep);
        IF n > 0 THEN
            RAISE NOTICE 'apply_retention: dropped % chunk(s) of % older than %', n, t.rel, t.keep;
        END IF;
    END LOOP;
    DELETE FROM public.opportunity_cycles
    WHERE cycle_time < now() - public.setting_interval('opportunity_history_retention');
    IF v_apache THEN
        -- Invalidations beyond the horizon can never be applied.
        DELETE FROM public.rollup_invalidations
        WHERE hi < now() - coalesce(public.rollup_invalidation_horizon(), INTERVAL '100 years');
    END IF;
END
$$;

COMMENT ON PROCEDURE apply_retention() IS
    'Drop chunks older than the retention settings: funding_rates (raw_retention), collection_runs (collection_runs_retention), funding_rates_1h (funding_rates_1h_retention), funding_rates_1d (funding_rates_1d_retention, NULL = keep), opportunity_history (opportunity_history_retention; also deletes older opportunity_cycles rows).';

-- Community edition: its retention policies replace the apache cron job; add one for opportunity_history.
DO $$
BEGIN
    IF current_setting('timescaledb.license', true) = 'timescale' THEN
        EXECUTE 'SELECT add_retention_policy(''public.opportunity_history'', $1, if_not_exists => true)'
            USING coalesce(public.setting_interval('opportunity_history_retention'), INTERVAL '7 days');
    END IF;
END
$$;
