-- 0098 The screener seed's market list: every active market under one id, as GET /markets and /markets/{id} serve it.
--
-- The seed (a derivatives screener) names markets by a normalised symbol, BTC-USDT-PERP; across venues that name is
-- shared, so the id here is venue-qualified: binance:BTC-USDT-PERP. Where one venue lists two contracts with the
-- same base and quote (a 1000x contract beside the plain one), each takes its venue symbol instead
-- (binance:1000PEPEUSDT), so every id names one market.

CREATE VIEW screener_markets AS
SELECT CASE WHEN count(*) OVER (PARTITION BY v.dex, v.symbol, v.quote) > 1 THEN v.dex || ':' || v.dex_symbol
            ELSE v.dex || ':' || v.symbol || coalesce('-' || v.quote, '') || '-PERP' END AS id,
       v.dex AS exchange,
       v.symbol || coalesce('-' || v.quote, '') || '-PERP' AS symbol,
       v.symbol AS base,
       v.quote,
       v.dex_symbol AS exchange_symbol,
       v.multiplier,
       v.mark_price,
       v.index_price,
       v.best_bid,
       v.best_ask,
       v.spread_bps,
       v.funding_rate,
       v.funding_interval_hours,
       v.rate_8h,
       v.apr,
       v.next_funding_time,
       v.open_interest_usd,
       v.volume_24h_usd,
       v.time AS timestamp,
       v.age_seconds,
       v.market_id
FROM latest_funding_rates v;

COMMENT ON VIEW screener_markets IS
    'Every active market as the screener seed''s GET /markets lists it: a venue-qualified id (dex:BASE-QUOTE-PERP, or dex:venue symbol where one venue lists two contracts with the same base and quote), the normalised symbol and the latest state (latest_funding_rates: prices per one unit of the base, funding, OI, volume). No freshness filter: use timestamp / age_seconds.';
COMMENT ON COLUMN screener_markets.id IS 'Venue-qualified market id: dex:BASE-QUOTE-PERP (dex:venue symbol where the venue lists two contracts of that base and quote).';
COMMENT ON COLUMN screener_markets.exchange IS 'Dex name.';
COMMENT ON COLUMN screener_markets.symbol IS 'Normalised contract name BASE-QUOTE-PERP (BASE-PERP where the venue names no quote), shared by the venues listing it.';
COMMENT ON COLUMN screener_markets.base IS 'Normalised base asset (symbols.symbol).';
COMMENT ON COLUMN screener_markets.quote IS 'Quote asset.';
COMMENT ON COLUMN screener_markets.exchange_symbol IS 'The venue''s own market symbol.';
COMMENT ON COLUMN screener_markets.multiplier IS 'Units of the base per venue price unit (1000 for a 1000PEPE contract); prices here are already divided by it.';
COMMENT ON COLUMN screener_markets.mark_price IS 'Latest mark price per one unit of the base, quote currency.';
COMMENT ON COLUMN screener_markets.index_price IS 'Latest index price per one unit of the base, quote currency.';
COMMENT ON COLUMN screener_markets.best_bid IS 'Latest best bid from the REST snapshot, per one unit of the base (live stream prices: live_prices).';
COMMENT ON COLUMN screener_markets.best_ask IS 'Latest best ask from the REST snapshot, per one unit of the base.';
COMMENT ON COLUMN screener_markets.spread_bps IS 'Bid/ask spread, basis points of mid.';
COMMENT ON COLUMN screener_markets.funding_rate IS 'Latest funding rate per funding interval, fraction.';
COMMENT ON COLUMN screener_markets.funding_interval_hours IS 'Funding interval, hours.';
COMMENT ON COLUMN screener_markets.rate_8h IS 'Funding rate per 8 hours, fraction.';
COMMENT ON COLUMN screener_markets.apr IS 'Funding rate annualised, percent.';
COMMENT ON COLUMN screener_markets.next_funding_time IS 'Next funding time as the venue reports it.';
COMMENT ON COLUMN screener_markets.open_interest_usd IS 'Open interest, USD.';
COMMENT ON COLUMN screener_markets.volume_24h_usd IS 'Trailing 24 h volume, USD.';
COMMENT ON COLUMN screener_markets.timestamp IS 'Time of the latest sample.';
COMMENT ON COLUMN screener_markets.age_seconds IS 'Seconds since the latest sample.';
COMMENT ON COLUMN screener_markets.market_id IS 'markets.id.';

-- Readable by fundingd_reader and fundingd_writer through 0009's default privileges (the owner creates it).
