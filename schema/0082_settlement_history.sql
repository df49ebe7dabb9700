-- 0082 settled funding of one symbol on one dex for GET /api/v1/history/settlements/{dex}/{symbol}.

CREATE FUNCTION settlement_history(p_dex text, p_symbol text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (dex_symbol text, quote text, funding_time timestamptz, funding_rate float8,
               funding_interval_hours float8, rate_8h float8, apr float8, mark_price float8, index_price float8)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT m.dex_symbol, m.quote, f.funding_time, f.funding_rate, f.funding_interval_hours,
           f.funding_rate / f.funding_interval_hours * 8, f.funding_rate / f.funding_interval_hours * 876000,
           f.mark_price / m.multiplier, f.index_price / m.multiplier
    FROM public.funding_settlements f
    JOIN public.markets m ON m.id = f.market_id
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    WHERE d.name = p_dex AND s.symbol = p_symbol AND f.funding_time >= p_from AND f.funding_time < p_to
    ORDER BY f.funding_time, m.dex_symbol
$$;

COMMENT ON FUNCTION settlement_history(text, text, timestamptz, timestamptz) IS
    'Settled funding of every market of a symbol on a dex with p_from <= funding_time < p_to, oldest first: funding_rate as charged (fraction per funding_interval_hours), rate_8h, apr (percent), mark and index price per unit of the symbol (divided by the market''s multiplier; NULL when the venue gives none). See docs/units.md.';

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION public.settlement_history(text, text, timestamptz, timestamptz) TO %I', r);
        END IF;
    END LOOP;
END
$$;
