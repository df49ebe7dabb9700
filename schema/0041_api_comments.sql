-- 0041 column comments for the API's views (0040), with units, so \d+ in psql documents every column a user reads.

COMMENT ON COLUMN dex_health.dex IS 'Dex name (lower case, as in every API request and response).';
COMMENT ON COLUMN dex_health.display_name IS 'Human-readable dex name.';
COMMENT ON COLUMN dex_health.kind IS 'cex (centralised exchange) or dex (on-chain / decentralised venue).';
COMMENT ON COLUMN dex_health.maker_fee IS 'Base-tier maker fee, fraction of notional per fill (0.0002 = 2 bps); NULL = unknown.';
COMMENT ON COLUMN dex_health.taker_fee IS 'Base-tier taker fee, fraction of notional per fill (0.0005 = 5 bps); NULL = unknown.';
COMMENT ON COLUMN dex_health.fee_tiers IS 'Volume tiers: JSON array of {min_volume_30d (USD), maker_fee, taker_fee} (fractions).';
COMMENT ON COLUMN dex_health.funding_interval_hours IS 'The dex''s usual funding interval in hours (each market carries its own).';
COMMENT ON COLUMN dex_health.collection_interval_seconds IS 'Configured collection interval in seconds (informational; the daemon''s configuration decides).';
COMMENT ON COLUMN dex_health.markets IS 'Number of active markets of the dex.';
COMMENT ON COLUMN dex_health.newest_data IS 'Sample time of the newest latest-state row of any active market of the dex.';
COMMENT ON COLUMN dex_health.last_successful_fetch IS 'When the last successful or partial collection run finished.';
COMMENT ON COLUMN dex_health.last_error_at IS 'When the last failed or partial run recorded an error.';
COMMENT ON COLUMN dex_health.last_error IS 'The last error text (venue failure, timeout, malformed payload, rejected rows).';
COMMENT ON COLUMN dex_health.consecutive_errors IS 'Failed collection runs in a row (0 after a success).';
COMMENT ON COLUMN dex_health.last_run_at IS 'Start time of the newest collection_runs row of the dex.';
COMMENT ON COLUMN dex_health.last_run_status IS 'Status of that run: success | partial | failed.';
COMMENT ON COLUMN dex_health.updated_at IS 'When the dex row (fees, health) last changed.';

COMMENT ON COLUMN dex_markets.dex IS 'Dex name.';
COMMENT ON COLUMN dex_markets.symbol IS 'Normalised base asset (BTC, PEPE).';
COMMENT ON COLUMN dex_markets.dex_symbol IS 'The venue''s own market name (1000PEPEUSDT, BTC-USD-PERP).';
COMMENT ON COLUMN dex_markets.quote IS 'Quote / settlement asset (USDT, USDC, USD).';
COMMENT ON COLUMN dex_markets.margin IS 'linear (margined in the quote) or inverse (margined in the base).';
COMMENT ON COLUMN dex_markets.multiplier IS 'Units of the symbol per contract unit: 1000 for 1000PEPEUSDT, 1 otherwise.';
COMMENT ON COLUMN dex_markets.funding_interval_hours IS 'Funding interval of the market in hours.';
COMMENT ON COLUMN dex_markets.funding_rate IS 'Latest funding rate, fraction per funding interval (0.0001 = 0.01 % per interval).';
COMMENT ON COLUMN dex_markets.open_interest_usd IS 'Latest open interest in USD.';
COMMENT ON COLUMN dex_markets.volume_24h_usd IS 'Latest 24 h traded volume in USD.';
COMMENT ON COLUMN dex_markets.last_update IS 'Sample (collection) time of the latest row.';
COMMENT ON COLUMN dex_markets.first_seen IS 'When the market was first collected.';
