-- 0096 Trade flow from the live trade streams.
--
-- The streams of venues whose trade sizes are in the units the price is quoted per (Binance, Bybit, Bitget,
-- Hyperliquid, Phemex: notional = price x size) now aggregate taker trades per market and minute in memory and
-- write them with each price flush through trade_flow_apply_contracts(): the stream knows contract units, the
-- database knows each market's multiplier (1000PEPEUSDT: 1 contract unit = 1,000 PEPE), so the conversion to
-- symbol units happens here, once. Venues whose trades count venue contracts of a size not stored (OKX, Gate,
-- KuCoin, MEXC) or USD contracts of inverse markets (BitMEX, Deribit) write no trade flow.

CREATE FUNCTION trade_flow_apply_contracts(p_rows jsonb)
RETURNS TABLE (rows_applied integer, rows_rejected integer, rejected jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    IF jsonb_typeof(p_rows) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'trade_flow_apply_contracts: p_rows must be a JSON array' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Sizes become symbol units (x multiplier) where both are numbers; anything else is passed on as it came, for
    -- trade_flow_apply() to reject by reason (an unknown market keeps its contract sizes and is rejected as such).
    RETURN QUERY
    SELECT * FROM public.trade_flow_apply(coalesce((
        SELECT jsonb_agg(r - 'buy_contracts' - 'sell_contracts'
                         || jsonb_build_object(
                                'buy_base', CASE WHEN jsonb_typeof(r -> 'buy_contracts') = 'number' AND m.multiplier IS NOT NULL
                                                 THEN to_jsonb((r ->> 'buy_contracts')::float8 * m.multiplier)
                                                 ELSE coalesce(r -> 'buy_contracts', 'null'::jsonb) END,
                                'sell_base', CASE WHEN jsonb_typeof(r -> 'sell_contracts') = 'number' AND m.multiplier IS NOT NULL
                                                  THEN to_jsonb((r ->> 'sell_contracts')::float8 * m.multiplier)
                                                  ELSE coalesce(r -> 'sell_contracts', 'null'::jsonb) END)
                         ORDER BY ord)
        FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS e(r, ord)
        LEFT JOIN public.dexes d ON d.name = r ->> 'dex'
        LEFT JOIN public.markets m ON m.dex_id = d.id AND m.dex_symbol = r ->> 'dex_symbol'
    ), '[]'::jsonb));
END
$$;

COMMENT ON FUNCTION trade_flow_apply_contracts(jsonb) IS
    'Writes one flush of taker trade flow from the live streams: p_rows = [{"dex", "dex_symbol", "bucket" (ISO time inside the minute), "buy_contracts", "sell_contracts" (sizes in the units the market''s price is quoted per), "buy_usd", "sell_usd" (sum of price x size), "buy_trades", "sell_trades"}]. Sizes are multiplied by the market''s multiplier into symbol units, then written by trade_flow_apply() (added to a minute already stored; bad rows counted by reason in rejected, never written). Writer only.';
REVOKE ALL ON FUNCTION trade_flow_apply_contracts(jsonb) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fundingd_writer') THEN
        GRANT EXECUTE ON FUNCTION trade_flow_apply_contracts(jsonb) TO fundingd_writer;
    END IF;
END
$$;

UPDATE leaderboards SET description = 'Cumulative volume delta over the window: taker-buy minus taker-sell notional, largest magnitude first (sign kept). From trade_flow_1m, which the live trade streams write (FUNDINGD_STREAM_CHANNELS=top_of_book,trades) for Binance, Bybit, Bitget, Hyperliquid and Phemex: empty without them.'
WHERE name = 'cvd';
UPDATE leaderboards SET description = 'Share of taker-buy notional in all taker notional over the window, highest first (0.5 = balanced). From trade_flow_1m, which the live trade streams write (FUNDINGD_STREAM_CHANNELS=top_of_book,trades) for Binance, Bybit, Bitget, Hyperliquid and Phemex: empty without them.'
WHERE name = 'taker_buy_ratio';
