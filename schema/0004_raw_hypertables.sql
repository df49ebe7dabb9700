-- 0004 raw data: funding_rates (hypertable), market_latest, collection_runs (hypertable)

-- One row per market per collection. Written only through ingest_apply().
--
-- Chunk interval 1 day. Volume: ~5,000 markets every 30-60 s = 7.2-14.4M rows/day; at ~136 bytes per row
-- including the unique index (about 136 bytes per row with its index, measured) that is 1-2 GB/day, of which the indexes of the chunk being
-- written are a few hundred MB: they stay in RAM (< 25% of memory) on 8 GB+ machines. 1-day chunks also make the
-- 30-day raw retention drop whole days (30-31 chunks live) and let the hourly rollup read one chunk at a time.
--
-- No foreign key to markets: ingest_apply() resolves every market_id from markets in the same transaction (it
-- is the only writer), while an FK would add one index probe into markets_pkey per inserted row (~10-20% of COPY
-- speed at 100k rows) and TimescaleDB would have to propagate it to every chunk. market_latest keeps its FK.
CREATE TABLE funding_rates (
    time                   timestamptz NOT NULL,
    market_id              integer NOT NULL,
    funding_rate           float8 NOT NULL,
    funding_interval_hours float8,
    predicted_rate         float8,
    next_funding_time      timestamptz,
    mark_price             float8,
    index_price            float8,
    open_interest_base     float8,
    open_interest_usd      float8,
    volume_24h_usd         float8,
    best_bid               float8,
    best_ask               float8,
    collection_latency_ms  integer,
    CONSTRAINT funding_rates_market_time_key UNIQUE (market_id, time)
);

SELECT create_hypertable('funding_rates', by_range('time', INTERVAL '1 day'));
-- create_hypertable also created funding_rates_time_idx (time DESC): used by the rollups' hour-range scans.

COMMENT ON TABLE funding_rates IS 'Raw funding snapshots: one row per market per collection (hypertable, 1-day chunks, kept raw_retention). Written only by ingest_apply().';
COMMENT ON COLUMN funding_rates.time IS 'Sample time (venue timestamp when available, else collection time), timestamptz.';
COMMENT ON COLUMN funding_rates.market_id IS 'markets.id.';
COMMENT ON COLUMN funding_rates.funding_rate IS 'Funding rate as a fraction per funding interval, as the venue charges it (0.0001 = 0.01% per interval); rate_1h = funding_rate / funding_interval_hours.';
COMMENT ON COLUMN funding_rates.funding_interval_hours IS 'Funding interval of this sample in hours.';
COMMENT ON COLUMN funding_rates.predicted_rate IS 'Venue''s predicted next funding rate, fraction per interval (NULL if not offered).';
COMMENT ON COLUMN funding_rates.next_funding_time IS 'Next funding settlement time (timestamptz).';
COMMENT ON COLUMN funding_rates.mark_price IS 'Mark price in quote currency per contract unit (divide by markets.multiplier for per-unit price).';
COMMENT ON COLUMN funding_rates.index_price IS 'Index price in quote currency per contract unit.';
COMMENT ON COLUMN funding_rates.open_interest_base IS 'Open interest in contract units (base asset x multiplier).';
COMMENT ON COLUMN funding_rates.open_interest_usd IS 'Open interest in USD.';
COMMENT ON COLUMN funding_rates.volume_24h_usd IS 'Trailing 24 h traded volume in USD.';
COMMENT ON COLUMN funding_rates.best_bid IS 'Best bid price, quote currency per contract unit.';
COMMENT ON COLUMN funding_rates.best_ask IS 'Best ask price, quote currency per contract unit.';
COMMENT ON COLUMN funding_rates.collection_latency_ms IS 'How long the venue request took, milliseconds.';

-- Latest state per market, upserted by ingest_apply() every cycle (only when the new sample is newer).
-- fillfactor 50 keeps the ~5,000 updates per cycle HOT (no indexed column but the key changes); aggressive
-- autovacuum keeps the table near its 5,000-row size (measured: 5,000 rows grew to 36 MB after 6M updates without).
CREATE TABLE market_latest (
    market_id              integer PRIMARY KEY REFERENCES markets (id) ON DELETE CASCADE,
    time                   timestamptz NOT NULL,
    funding_rate           float8 NOT NULL,
    funding_interval_hours float8,
    predicted_rate         float8,
    next_funding_time      timestamptz,
    mark_price             float8,
    index_price            float8,
    open_interest_base     float8,
    open_interest_usd      float8,
    volume_24h_usd         float8,
    best_bid               float8,
    best_ask               float8,
    collection_latency_ms  integer,
    updated_at             timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50,
        autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0,
        autovacuum_analyze_scale_factor = 0.0, autovacuum_analyze_threshold = 50000);

COMMENT ON TABLE market_latest IS 'The newest funding_rates sample of each market (one row per market); same columns and units as funding_rates plus updated_at.';
COMMENT ON COLUMN market_latest.market_id IS 'markets.id.';
COMMENT ON COLUMN market_latest.time IS 'Sample time of the newest sample, timestamptz.';
COMMENT ON COLUMN market_latest.funding_rate IS 'Funding rate, fraction per funding interval.';
COMMENT ON COLUMN market_latest.funding_interval_hours IS 'Funding interval in hours.';
COMMENT ON COLUMN market_latest.predicted_rate IS 'Predicted next funding rate, fraction per interval.';
COMMENT ON COLUMN market_latest.next_funding_time IS 'Next funding settlement time.';
COMMENT ON COLUMN market_latest.mark_price IS 'Mark price, quote currency per contract unit.';
COMMENT ON COLUMN market_latest.index_price IS 'Index price, quote currency per contract unit.';
COMMENT ON COLUMN market_latest.open_interest_base IS 'Open interest in contract units.';
COMMENT ON COLUMN market_latest.open_interest_usd IS 'Open interest in USD.';
COMMENT ON COLUMN market_latest.volume_24h_usd IS 'Trailing 24 h volume in USD.';
COMMENT ON COLUMN market_latest.best_bid IS 'Best bid, quote currency per contract unit.';
COMMENT ON COLUMN market_latest.best_ask IS 'Best ask, quote currency per contract unit.';
COMMENT ON COLUMN market_latest.collection_latency_ms IS 'Venue request latency, milliseconds.';
COMMENT ON COLUMN market_latest.updated_at IS 'When this row was last written (database time).';

-- One row per dex per collection cycle. ~8 venues x 1/min = ~11.5k rows/day; 1-day chunks so that the 7-day
-- retention drops whole days.
CREATE TABLE collection_runs (
    dex              text NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    status           text NOT NULL CHECK (status IN ('success', 'partial', 'failed')),
    markets_ok       integer NOT NULL DEFAULT 0,
    markets_rejected integer NOT NULL DEFAULT 0,
    error            text,
    latency_ms       integer
);

SELECT create_hypertable('collection_runs', by_range('started_at', INTERVAL '1 day'));
CREATE INDEX collection_runs_dex_started_at_idx ON collection_runs (dex, started_at DESC);

COMMENT ON TABLE collection_runs IS 'One row per dex per collection cycle (hypertable on started_at, kept collection_runs_retention).';
COMMENT ON COLUMN collection_runs.dex IS 'dexes.name of the venue.';
COMMENT ON COLUMN collection_runs.started_at IS 'When the venue fetch started.';
COMMENT ON COLUMN collection_runs.finished_at IS 'When the venue fetch finished.';
COMMENT ON COLUMN collection_runs.status IS '''success'', ''partial'' (some markets rejected or some requests failed) or ''failed''.';
COMMENT ON COLUMN collection_runs.markets_ok IS 'Markets accepted in this run (count).';
COMMENT ON COLUMN collection_runs.markets_rejected IS 'Markets rejected as malformed or absurd in this run (count).';
COMMENT ON COLUMN collection_runs.error IS 'Error text (NULL on success).';
COMMENT ON COLUMN collection_runs.latency_ms IS 'Total fetch duration, milliseconds.';
