-- 0103 each market's sampled span: when its first and newest snapshots were taken.
--
-- `fundingd run --demo` seeds sampled history (through the write path, ingest_stage + ingest_apply) before each
-- market's first snapshot, so the market page's charts are full at once; it asks here which markets there are, in
-- what units (quote, margin, multiplier, interval), and from when they already have samples, so a restarted demo
-- writes nothing twice. A read: the writer and the reader may call it.
--
-- first_sample: the oldest funding_rates row of the market, found by the (market_id, time) index in the oldest
-- chunk that has one (an ordered append stops at the first row), not by scanning the market's rows.

CREATE FUNCTION market_sample_span(p_dex text)
RETURNS TABLE (dex_symbol text, symbol text, quote text, margin text, multiplier float8,
               funding_interval_hours float8, first_sample timestamptz, last_sample timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, public
AS $$
    SELECT m.dex_symbol, s.symbol, m.quote, m.margin, m.multiplier,
           coalesce(m.funding_interval_hours, d.funding_interval_hours), f.time, l.time
    FROM public.markets m
    JOIN public.dexes d ON d.id = m.dex_id
    JOIN public.symbols s ON s.id = m.symbol_id
    LEFT JOIN public.market_latest l ON l.market_id = m.id
    LEFT JOIN LATERAL (SELECT r.time FROM public.funding_rates r WHERE r.market_id = m.id ORDER BY r.time LIMIT 1) f
        ON true
    WHERE d.name = p_dex AND m.is_active AND d.is_active
    ORDER BY m.dex_symbol
$$;

COMMENT ON FUNCTION market_sample_span(text) IS
    'The active markets of dex p_dex with their units and sampled span: venue symbol, normalised symbol, quote, margin (linear / inverse), multiplier, funding interval in hours (the market''s, else the dex''s), first_sample (oldest funding_rates row) and last_sample (market_latest.time), NULL when none. What fundingd run --demo reads to seed sampled history before each market''s first sample.';
