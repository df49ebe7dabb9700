-- 0070 markets a venue stopped listing leave the latest state.
--
-- A market missing from its venue's answer keeps its last market_latest row; without this it was served as
-- current forever (opportunities, rankings, streams). A venue whose run failed says nothing about its markets,
-- so only answered runs (success or partial) count: a market that none of its venue's last p_grace answered runs
-- listed becomes inactive (markets.is_active = false), which every latest view and analytic already filters on.
-- ingest_apply() makes it active again the next time the venue lists it.
--
-- This relies on the daemon stamping a run's started_at with the same instant as its rows' time, so a market's
-- last_seen equals the started_at of the last run that listed it. Called by the writer in the same transaction as
-- ingest_apply(), so the runs of this cycle are already in collection_runs.

CREATE FUNCTION ingest_mark_vanished(p_runs jsonb, p_grace integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_marked integer;
BEGIN
    IF p_grace IS NULL OR p_grace < 1 THEN
        RAISE EXCEPTION 'ingest_mark_vanished: grace must be at least 1 cycle, got %', p_grace
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH answered AS (
        SELECT DISTINCT x.dex
        FROM jsonb_to_recordset(coalesce(p_runs, '[]'::jsonb)) AS x(dex text, status text)
        WHERE x.status IN ('success', 'partial')),
    horizon AS (
        -- The start of the p_grace-th most recent answered run of each dex: a market last seen before it was
        -- absent from all of the last p_grace answers.
        SELECT d.id AS dex_id,
               (SELECT r.started_at FROM public.collection_runs r
                WHERE r.dex = d.name AND r.status IN ('success', 'partial')
                ORDER BY r.started_at DESC OFFSET p_grace - 1 LIMIT 1) AS since
        FROM answered a JOIN public.dexes d ON d.name = a.dex),
    marked AS (
        UPDATE public.markets m SET is_active = false
        FROM horizon h
        WHERE m.dex_id = h.dex_id AND m.is_active AND h.since IS NOT NULL AND m.last_seen < h.since
        RETURNING 1)
    SELECT count(*) INTO v_marked FROM marked;
    RETURN v_marked;
END
$$;

COMMENT ON FUNCTION ingest_mark_vanished(jsonb, integer) IS
    'Write path step 3 (same transaction as ingest_apply): for every dex with an answered run (success or partial) in p_runs, marks inactive the markets that none of its last p_grace answered runs listed (last_seen before the start of the p_grace-th most recent one). Inactive markets leave latest_funding_rates, opportunities and the streams until listed again. Returns the number of markets marked.';

REVOKE ALL ON FUNCTION ingest_mark_vanished(jsonb, integer) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION ingest_mark_vanished(jsonb, integer) TO fundingd_writer;
    END IF;
END
$$;
