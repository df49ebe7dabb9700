-- 0101 GET /api/v1/funding-rates and /funding-rates/{dex} as JSON documents built here (as the dashboard reads of
-- 0099): the service picks one market per dex and symbol and writes one number per pair, which the API used to do
-- by decoding every latest row and re-encoding it (about 4 µs of server CPU per row at 5,000 markets). The shapes,
-- units and key order are the ones the Swift route wrote (docs/api.md): object keys sorted by byte value
-- (COLLATE "C", as Swift compares strings), timestamps ISO 8601 UTC with Z and microseconds (none for whole
-- seconds), the rate in the requested basis.
--
-- The market of a dex and symbol when several exist: the most liquid (24 h volume, then open interest; an unknown
-- value counts as -1), then the first venue symbol (byte order).

CREATE FUNCTION api_timestamp(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN date_trunc('second', t) = t THEN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END
$$;

COMMENT ON FUNCTION api_timestamp(timestamptz) IS
    'A time as the API writes it: ISO 8601 in UTC with a Z, microseconds when the time has a fraction of a second (2026-11-21T10:00:00.123456Z), none otherwise (2026-11-21T10:00:00Z); NULL for NULL. Independent of the session''s TimeZone.';

CREATE FUNCTION api_funding_rates(p_dexes text[] DEFAULT NULL, p_symbols text[] DEFAULT NULL,
                                  p_quote text DEFAULT NULL, p_basis text DEFAULT 'native',
                                  p_include_metadata boolean DEFAULT false)
RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH r AS (
    SELECT v.dex, v.symbol, v.dex_symbol, v.time, v.volume_24h_usd, v.open_interest_usd,
           CASE p_basis WHEN 'native' THEN v.funding_rate WHEN '1h' THEN v.rate_1h WHEN '8h' THEN v.rate_8h
                        WHEN '1d' THEN v.rate_1h * 24 WHEN 'apr' THEN v.apr END AS value
    FROM public.latest_funding_rates v
    WHERE (p_dexes IS NULL OR v.dex = ANY (p_dexes))
      AND (p_symbols IS NULL OR v.symbol = ANY (p_symbols))
      AND (p_quote IS NULL OR v.quote = p_quote)
),
p AS (
    SELECT DISTINCT ON (symbol, dex) symbol, dex, value
    FROM r
    ORDER BY symbol, dex, coalesce(volume_24h_usd, -1) DESC, coalesce(open_interest_usd, -1) DESC,
             dex_symbol COLLATE "C"
),
per_symbol AS (
    SELECT symbol, json_object_agg(dex, value ORDER BY dex COLLATE "C") AS rates FROM p GROUP BY symbol
),
doc AS (
    SELECT coalesce((SELECT json_object_agg(symbol, rates ORDER BY symbol COLLATE "C") FROM per_symbol), '{}')
               AS data,
           (SELECT public.api_timestamp(max(time)) FROM r) AS updated_at
)
SELECT CASE WHEN p_include_metadata THEN json_build_object(
           'data', d.data, 'basis', p_basis, 'updated_at', d.updated_at,
           'dex_metadata', coalesce((
               SELECT json_object_agg(h.dex, json_build_object(
                          'name', h.dex, 'display_name', h.display_name, 'kind', h.kind,
                          'funding_interval_hours', h.funding_interval_hours, 'maker_fee', h.maker_fee,
                          'taker_fee', h.taker_fee, 'status', h.status,
                          -- The design document's names for the same fractions (0.0002 = 2 bps, despite "_percent").
                          'maker_fee_percent', h.maker_fee, 'taker_fee_percent', h.taker_fee,
                          'markets', x.markets, 'updated_at', public.api_timestamp(x.updated_at))
                        ORDER BY h.dex)
               FROM public.dex_health h
               JOIN (SELECT dex, count(*) AS markets, max(time) AS updated_at FROM r GROUP BY dex) x
                 ON x.dex = h.dex), '{}'))
       ELSE json_build_object('data', d.data, 'basis', p_basis, 'updated_at', d.updated_at) END
FROM doc d
WHERE public.require_parameter(p_basis IN ('native', '1h', '8h', '1d', 'apr'), 'basis',
                               'must be one of native, 1h, 8h, 1d, apr')
$$;

COMMENT ON FUNCTION api_funding_rates(text[], text[], text, text, boolean) IS
    'GET /api/v1/funding-rates: {"data": {symbol: {dex: rate}}, "basis", "updated_at"[, "dex_metadata"]} over the active markets (latest_funding_rates) of p_dexes, p_symbols and quote p_quote (NULL = all). Per dex and symbol one market: the most liquid (24 h volume, then open interest, unknown = -1), then the first venue symbol. The rate in p_basis: native (fraction per the market''s interval), 1h, 8h, 1d (fractions per hour, 8 hours, day) or apr (percent a year, simple). updated_at: newest sample time of the matching markets. With p_include_metadata, dex_metadata: per dex present (dex_health) its name, display_name, kind, funding_interval_hours, maker_fee and taker_fee (fractions per fill; also as maker_fee_percent / taker_fee_percent, the design document''s names for the same fractions), status, markets (matching markets) and updated_at. Symbols and dexes as keys in byte order.';

CREATE FUNCTION api_dex_funding_rates(p_dex text, p_symbols text[] DEFAULT NULL, p_quote text DEFAULT NULL,
                                      p_basis text DEFAULT 'native')
RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
WITH r AS (
    SELECT v.symbol, v.dex_symbol, v.quote, v.funding_rate, v.funding_interval_hours, v.rate_8h, v.apr,
           v.next_funding_time, v.time, v.volume_24h_usd, v.open_interest_usd,
           CASE p_basis WHEN 'native' THEN v.funding_rate WHEN '1h' THEN v.rate_1h WHEN '8h' THEN v.rate_8h
                        WHEN '1d' THEN v.rate_1h * 24 WHEN 'apr' THEN v.apr END AS value
    FROM public.latest_funding_rates v
    WHERE v.dex = p_dex
      AND (p_symbols IS NULL OR v.symbol = ANY (p_symbols))
      AND (p_quote IS NULL OR v.quote = p_quote)
),
p AS (
    SELECT DISTINCT ON (symbol) *
    FROM r
    ORDER BY symbol, coalesce(volume_24h_usd, -1) DESC, coalesce(open_interest_usd, -1) DESC, dex_symbol COLLATE "C"
)
SELECT json_build_object(
    'dex_name', p_dex,
    'rates', coalesce((
        SELECT json_object_agg(symbol, json_build_object(
                   'funding_rate', funding_rate, 'annualized_rate', apr,
                   'next_funding_time', public.api_timestamp(next_funding_time),
                   'timestamp', public.api_timestamp(time), 'dex_symbol', dex_symbol, 'quote', quote,
                   'funding_interval_hours', funding_interval_hours, 'rate_8h', rate_8h)
                 ORDER BY symbol COLLATE "C")
        FROM p), '{}'),
    'updated_at', (SELECT public.api_timestamp(max(time)) FROM r),
    -- The service's own shape: the rate in the requested basis by symbol.
    'dex', p_dex,
    'basis', p_basis,
    'data', coalesce((SELECT json_object_agg(symbol, value ORDER BY symbol COLLATE "C") FROM p), '{}'))
WHERE public.require_parameter(p_basis IN ('native', '1h', '8h', '1d', 'apr'), 'basis',
                               'must be one of native, 1h, 8h, 1d, apr')
$$;

COMMENT ON FUNCTION api_dex_funding_rates(text, text[], text, text) IS
    'GET /api/v1/funding-rates/{dex}: {"dex_name", "rates": {symbol: {funding_rate (fraction per interval), annualized_rate (apr, percent a year), next_funding_time, timestamp (sample time), dex_symbol, quote, funding_interval_hours, rate_8h}}, "updated_at", "dex", "basis", "data": {symbol: rate in p_basis}} over the active markets of p_dex (of p_symbols and quote p_quote when given). Per symbol one market, picked as in api_funding_rates(); symbols as keys in byte order; updated_at the newest sample time of the matching markets.';

-- Grants as 0015: EXECUTE on the reads for the reader and the writer.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['fundingd_reader', 'fundingd_writer'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            RAISE NOTICE 'role % does not exist: no grants for it', r;
            CONTINUE;
        END IF;
        EXECUTE format('GRANT EXECUTE ON FUNCTION public.api_timestamp(timestamptz), public.api_funding_rates(text[], text[], text, text, boolean), public.api_dex_funding_rates(text, text[], text, text) TO %I', r);
    END LOOP;
END
$$;
