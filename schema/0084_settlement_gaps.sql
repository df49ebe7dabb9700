-- 0084 gaps in settled history: funding times missing between two stored settlements, found and refilled by
-- `fundingd backfill` (and so by the daemon's settlement refresh over its lookback).
--
-- A page the venue answered short (an outage on its side, a market paused for a while) leaves a hole inside a range
-- that backfill_progress already counts as fetched, so resuming never looks there again. settlement_gaps() finds
-- each pair of consecutive settlements further apart than 1.5 times the earlier one's interval; the backfill asks the
-- venue for the times between them once more and records the attempt in settlement_gap_checks, so a gap the venue
-- cannot fill (a genuine pause, an interval that grew) is asked about once, not on every run.

CREATE TABLE settlement_gap_checks (
    market_id         integer NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    gap_from          timestamptz NOT NULL,
    gap_to            timestamptz NOT NULL,
    settlements_found integer NOT NULL,
    checked_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (market_id, gap_from, gap_to)
);

COMMENT ON TABLE settlement_gap_checks IS 'Gaps in a market''s settled history that fundingd backfill asked the venue about again (one row per gap, keyed by the settlements on either side); settlement_gaps() leaves them out. Written only by settlement_gap_checked().';
COMMENT ON COLUMN settlement_gap_checks.market_id IS 'markets.id.';
COMMENT ON COLUMN settlement_gap_checks.gap_from IS 'Funding time of the settlement before the gap, timestamptz.';
COMMENT ON COLUMN settlement_gap_checks.gap_to IS 'Funding time of the settlement after the gap, timestamptz.';
COMMENT ON COLUMN settlement_gap_checks.settlements_found IS 'Settlements the refetch wrote or changed (0: the venue has none there).';
COMMENT ON COLUMN settlement_gap_checks.checked_at IS 'When the venue was asked (database time).';

CREATE FUNCTION settlement_gaps(p_dex text, p_start timestamptz, p_until timestamptz)
RETURNS TABLE (dex_symbol text, gap_from timestamptz, gap_to timestamptz, interval_hours float8, missing integer)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT m.dex_symbol, g.prev_time, g.funding_time, g.prev_hours,
           greatest(round(extract(epoch FROM g.funding_time - g.prev_time) / 3600 / g.prev_hours) - 1, 1)::integer
    FROM public.markets m
    JOIN public.dexes d ON d.id = m.dex_id
    CROSS JOIN LATERAL (
        SELECT s.funding_time,
               lag(s.funding_time) OVER (ORDER BY s.funding_time) AS prev_time,
               lag(s.funding_interval_hours) OVER (ORDER BY s.funding_time) AS prev_hours
        FROM public.funding_settlements s
        WHERE s.market_id = m.id AND s.funding_time >= p_start AND s.funding_time < p_until
    ) g
    WHERE d.name = p_dex AND m.is_active
      AND g.prev_time IS NOT NULL
      AND g.funding_time - g.prev_time > g.prev_hours * INTERVAL '1.5 hours'
      AND NOT EXISTS (SELECT 1 FROM public.settlement_gap_checks c
                      WHERE c.market_id = m.id AND c.gap_from = g.prev_time AND c.gap_to = g.funding_time)
    ORDER BY 1, 2
$$;

COMMENT ON FUNCTION settlement_gaps(text, timestamptz, timestamptz) IS
    'Gaps in the settled history of a dex''s active markets with funding times in [p_start, p_until): consecutive settlements further apart than 1.5 x the earlier one''s interval hours, not yet asked about (settlement_gap_checks): venue symbol, the funding times on either side, the earlier one''s interval and how many settlements are missing at that interval (at least 1).';

CREATE FUNCTION settlement_gap_checked(p_dex text, p_dex_symbol text, p_gap_from timestamptz, p_gap_to timestamptz,
                                       p_found integer)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
    INSERT INTO public.settlement_gap_checks (market_id, gap_from, gap_to, settlements_found)
    SELECT m.id, p_gap_from, p_gap_to, p_found
    FROM public.markets m JOIN public.dexes d ON d.id = m.dex_id
    WHERE d.name = p_dex AND m.dex_symbol = p_dex_symbol
    ON CONFLICT (market_id, gap_from, gap_to) DO UPDATE
        SET settlements_found = EXCLUDED.settlements_found, checked_at = now()
$$;

COMMENT ON FUNCTION settlement_gap_checked(text, text, timestamptz, timestamptz, integer) IS
    'Records that the gap between the settlements at p_gap_from and p_gap_to of a market (dex name, venue symbol) was asked about again and how many settlements that wrote; settlement_gaps() then leaves it out. fundingd_writer only.';

REVOKE ALL ON FUNCTION settlement_gap_checked(text, text, timestamptz, timestamptz, integer) FROM PUBLIC;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT SELECT ON public.settlement_gap_checks TO %I', r);
            EXECUTE format('GRANT EXECUTE ON FUNCTION public.settlement_gaps(text, timestamptz, timestamptz) TO %I', r);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION settlement_gap_checked(text, text, timestamptz, timestamptz, integer) TO fundingd_writer;
    END IF;
END
$$;
