-- 0002 reference tables: dexes, symbols, markets
--
-- Integer ids inside the database, string names (dexes.name, symbols.symbol) in every API request/response.

-- Keeps updated_at current on operator edits (ingest_apply sets it explicitly too).
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION touch_updated_at() IS 'Trigger function: sets updated_at = now() on UPDATE.';

CREATE TABLE dexes (
    id                          serial PRIMARY KEY,
    name                        text NOT NULL UNIQUE CHECK (name = lower(name) AND name <> ''),
    display_name                text NOT NULL,
    kind                        text NOT NULL DEFAULT 'dex' CHECK (kind IN ('cex', 'dex')),
    api_base_url                text,
    is_active                   boolean NOT NULL DEFAULT true,
    maker_fee                   float8,
    taker_fee                   float8,
    fee_tiers                   jsonb CHECK (fee_tiers IS NULL OR jsonb_typeof(fee_tiers) = 'array'),
    funding_interval_hours      float8 CHECK (funding_interval_hours > 0),
    collection_interval_seconds integer CHECK (collection_interval_seconds > 0),
    last_successful_fetch       timestamptz,
    last_error_at               timestamptz,
    last_error                  text,
    consecutive_errors          integer NOT NULL DEFAULT 0,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER dexes_touch_updated_at BEFORE UPDATE ON dexes
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

COMMENT ON TABLE dexes IS 'Venues ("dex" = any venue, centralised or not), their fees and collection health. Unknown venues are created by ingest_apply() with kind ''dex'' and NULL fees.';
COMMENT ON COLUMN dexes.id IS 'Internal integer id.';
COMMENT ON COLUMN dexes.name IS 'Lower-case venue name used in SQL, JSON and the API (e.g. binance, hyperliquid).';
COMMENT ON COLUMN dexes.display_name IS 'Human-readable venue name.';
COMMENT ON COLUMN dexes.kind IS '''cex'' (centralised exchange) or ''dex'' (decentralised / on-chain).';
COMMENT ON COLUMN dexes.api_base_url IS 'Public API base URL (scheme and host, no trailing slash); overridable in the daemon by FUNDINGD_<NAME>_BASE_URL.';
COMMENT ON COLUMN dexes.is_active IS 'Whether the daemon collects this venue.';
COMMENT ON COLUMN dexes.maker_fee IS 'Base-tier maker fee as a fraction of notional per fill (0.0002 = 2 bps); negative = rebate; NULL = unknown.';
COMMENT ON COLUMN dexes.taker_fee IS 'Base-tier taker fee as a fraction of notional per fill (0.0005 = 5 bps); NULL = unknown.';
COMMENT ON COLUMN dexes.fee_tiers IS 'Optional JSON array of {"min_volume_30d": USD, "maker_fee": fraction, "taker_fee": fraction}, ascending by min_volume_30d (some venues measure volume over 14 days; see the seed migration).';
COMMENT ON COLUMN dexes.funding_interval_hours IS 'The venue''s default funding interval in hours (markets may override).';
COMMENT ON COLUMN dexes.collection_interval_seconds IS 'How often the daemon collects this venue, in seconds (NULL = daemon default).';
COMMENT ON COLUMN dexes.last_successful_fetch IS 'finished_at of the last collection run with status success or partial.';
COMMENT ON COLUMN dexes.last_error_at IS 'finished_at of the last collection run with status failed or partial.';
COMMENT ON COLUMN dexes.last_error IS 'Error text of the last failed or partial collection run.';
COMMENT ON COLUMN dexes.consecutive_errors IS 'Number of failed collection runs since the last successful one (count).';
COMMENT ON COLUMN dexes.created_at IS 'When the row was created (database time).';
COMMENT ON COLUMN dexes.updated_at IS 'When the row was last updated (database time).';

CREATE TABLE symbols (
    id           serial PRIMARY KEY,
    symbol       text NOT NULL UNIQUE CHECK (symbol <> ''),
    display_name text,
    category     text,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    is_active    boolean NOT NULL DEFAULT true
);

COMMENT ON TABLE symbols IS 'Normalised base assets (BTC, PEPE); created on first sight by ingest_apply().';
COMMENT ON COLUMN symbols.id IS 'Internal integer id.';
COMMENT ON COLUMN symbols.symbol IS 'Normalised base asset name as used in the API (e.g. BTC).';
COMMENT ON COLUMN symbols.display_name IS 'Human-readable asset name (optional).';
COMMENT ON COLUMN symbols.category IS 'Free-form category (e.g. l1, meme), optional.';
COMMENT ON COLUMN symbols.first_seen IS 'When the symbol was first recorded (database time).';
COMMENT ON COLUMN symbols.is_active IS 'Whether the symbol is listed in the API.';

-- fillfactor 50 + aggressive autovacuum: ingest_apply() updates last_seen of every collected market every cycle
-- (~5,000 rows per 30-60 s); last_seen is not indexed, so the updates stay HOT in the free page space.
CREATE TABLE markets (
    id                     serial PRIMARY KEY,
    dex_id                 integer NOT NULL REFERENCES dexes (id),
    symbol_id              integer NOT NULL REFERENCES symbols (id),
    dex_symbol             text NOT NULL CHECK (dex_symbol <> ''),
    quote                  text,
    margin                 text NOT NULL DEFAULT 'linear' CHECK (margin IN ('linear', 'inverse')),
    multiplier             float8 NOT NULL DEFAULT 1 CHECK (multiplier > 0),
    funding_interval_hours float8 CHECK (funding_interval_hours > 0),
    is_active              boolean NOT NULL DEFAULT true,
    first_seen             timestamptz NOT NULL DEFAULT now(),
    last_seen              timestamptz,
    UNIQUE (dex_id, dex_symbol)
) WITH (fillfactor = 50,
        autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.1);

CREATE INDEX markets_symbol_id_idx ON markets (symbol_id);

COMMENT ON TABLE markets IS 'One perpetual contract on one dex (e.g. 1000PEPEUSDT on binance); created on first sight by ingest_apply().';
COMMENT ON COLUMN markets.id IS 'Internal integer id (funding_rates.market_id).';
COMMENT ON COLUMN markets.dex_id IS 'The venue (dexes.id).';
COMMENT ON COLUMN markets.symbol_id IS 'The normalised base asset (symbols.id).';
COMMENT ON COLUMN markets.dex_symbol IS 'The venue''s own contract symbol (e.g. 1000PEPEUSDT).';
COMMENT ON COLUMN markets.quote IS 'Quote / settlement asset (e.g. USDT, USDC, USD).';
COMMENT ON COLUMN markets.margin IS '''linear'' (quote-margined) or ''inverse'' (coin-margined).';
COMMENT ON COLUMN markets.multiplier IS 'Units of the symbol per contract unit quoted by the venue (1000 for 1000PEPE, else 1); divide prices by it for per-unit prices.';
COMMENT ON COLUMN markets.funding_interval_hours IS 'The market''s current funding interval in hours (last reported).';
COMMENT ON COLUMN markets.is_active IS 'Whether the market is currently listed / collected.';
COMMENT ON COLUMN markets.first_seen IS 'When the market was first recorded (database time).';
COMMENT ON COLUMN markets.last_seen IS 'Sample time (funding_rates.time) of the newest sample written for this market.';
