-- 0092 Hyperliquid positions and liquidation clusters.
--
-- Hyperliquid publishes every account's positions (info endpoint, {"type": "clearinghouseState", "user": address}):
-- per position coin, szi (signed size in coins), entryPx, positionValue (USD), liquidationPx (null when the account
-- cannot be liquidated), leverage {type, value} and marginUsed. A position scanner (not part of this migration:
-- it needs recorded clearinghouseState answers, which do not exist yet) would track addresses in
-- hyperliquid_addresses and write each scan's positions here. This migration fixes the storage and the SQL that
-- reads it: liquidation_clusters(coin, ...) and the boards liquidation_risk and whale_positions.
--
-- An address's current positions are the rows of its newest scan (hyperliquid_addresses.last_scanned_at): a
-- position missing from that scan is closed, an address whose scan is older than max_age is left out.

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('hyperliquid_positions_retention', '7 days',
     'interval: hyperliquid_positions chunks (1 day) entirely older than now() - this are dropped by apply_retention() (Community edition: also by a retention policy).');

CREATE TABLE hyperliquid_addresses (
    address         text PRIMARY KEY CHECK (address ~ '^0x[0-9a-f]{40}$'),
    source          text NOT NULL CHECK (source IN ('configured', 'discovered')),
    tier            text NOT NULL DEFAULT 'background' CHECK (tier IN ('priority', 'background')),
    first_seen      timestamptz NOT NULL DEFAULT now(),
    last_scanned_at timestamptz
);

COMMENT ON TABLE hyperliquid_addresses IS 'Hyperliquid accounts whose positions are scanned: configured ones and ones discovered from public trades; tier priority (positions near liquidation, scanned often) or background.';
COMMENT ON COLUMN hyperliquid_addresses.address IS 'Account address, 0x + 40 lower-case hex digits.';
COMMENT ON COLUMN hyperliquid_addresses.source IS '''configured'' (operator list) or ''discovered'' (seen in public trades).';
COMMENT ON COLUMN hyperliquid_addresses.tier IS '''priority'' (a position near liquidation: scanned often) or ''background''.';
COMMENT ON COLUMN hyperliquid_addresses.first_seen IS 'When the address was added.';
COMMENT ON COLUMN hyperliquid_addresses.last_scanned_at IS 'Time of the newest completed scan; its rows in hyperliquid_positions are the current positions (none = no open position).';

CREATE TABLE hyperliquid_positions (
    time               timestamptz NOT NULL,
    address            text NOT NULL,
    coin               text NOT NULL,
    size               float8 NOT NULL,
    entry_price        float8,
    liquidation_price  float8,
    leverage           float8,
    leverage_type      text CHECK (leverage_type IN ('cross', 'isolated')),
    margin_used_usd    float8,
    position_value_usd float8,
    CONSTRAINT hyperliquid_positions_address_coin_time_key UNIQUE (address, coin, time)
);

SELECT create_hypertable('hyperliquid_positions', by_range('time', INTERVAL '1 day'));
CREATE INDEX hyperliquid_positions_coin_time_idx ON hyperliquid_positions (coin, time DESC);

COMMENT ON TABLE hyperliquid_positions IS 'Open Hyperliquid positions per account scan (hypertable, 1-day chunks, kept hyperliquid_positions_retention): one row per position of each scan of an address.';
COMMENT ON COLUMN hyperliquid_positions.time IS 'Scan time (hyperliquid_addresses.last_scanned_at of the scan that saw it).';
COMMENT ON COLUMN hyperliquid_positions.address IS 'Account address (hyperliquid_addresses.address).';
COMMENT ON COLUMN hyperliquid_positions.coin IS 'Hyperliquid coin = markets.dex_symbol of the hyperliquid market (BTC, kPEPE, ...).';
COMMENT ON COLUMN hyperliquid_positions.size IS 'szi: signed position size in coins (venue units); > 0 long, < 0 short.';
COMMENT ON COLUMN hyperliquid_positions.entry_price IS 'entryPx: average entry price, USD per coin (venue units).';
COMMENT ON COLUMN hyperliquid_positions.liquidation_price IS 'liquidationPx: mark price at which the position is liquidated, USD per coin (venue units); NULL when the account cannot be liquidated.';
COMMENT ON COLUMN hyperliquid_positions.leverage IS 'leverage.value: leverage multiple.';
COMMENT ON COLUMN hyperliquid_positions.leverage_type IS 'leverage.type: cross or isolated.';
COMMENT ON COLUMN hyperliquid_positions.margin_used_usd IS 'marginUsed, USD.';
COMMENT ON COLUMN hyperliquid_positions.position_value_usd IS 'positionValue: |size| x mark at the scan, USD.';

INSERT INTO retention_targets (relation, setting) VALUES ('public.hyperliquid_positions', 'hyperliquid_positions_retention');

-- Current positions: each address's newest scan, not older than p_max_age, with a non-zero size; joined with the
-- coin's Hyperliquid market (mark price in venue units, as liquidationPx is).
CREATE FUNCTION hyperliquid_current_positions(p_max_age interval DEFAULT interval '1 hour')
RETURNS TABLE (market_id integer, coin text, address text, size float8, liquidation_price float8, leverage float8,
               mark_price float8, scanned_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT m.id, p.coin, p.address, p.size, p.liquidation_price, p.leverage, l.mark_price, p.time
FROM public.hyperliquid_addresses a
JOIN public.hyperliquid_positions p ON p.address = a.address AND p.time = a.last_scanned_at
JOIN public.dexes d ON d.name = 'hyperliquid'
JOIN public.markets m ON m.dex_id = d.id AND m.dex_symbol = p.coin
JOIN public.market_latest l ON l.market_id = m.id
WHERE a.last_scanned_at >= now() - p_max_age
  AND p.size <> 0
$$;

COMMENT ON FUNCTION hyperliquid_current_positions(interval) IS
    'Open Hyperliquid positions of every address''s newest scan (not older than p_max_age, default 1 hour), with the coin''s market_id and latest mark price (venue units, like liquidation_price). Positions of coins without a hyperliquid market are left out.';

-- Price bands of width mark x band_pct / 100 counted from the mark (band k = [mark + k w, mark + (k+1) w)).
CREATE FUNCTION liquidation_clusters(
    p_coin             text,
    p_band_pct         float8   DEFAULT 0.5,
    p_max_distance_pct float8   DEFAULT 25,
    p_max_age          interval DEFAULT interval '1 hour')
RETURNS TABLE (coin text, side text, band_low float8, band_high float8, distance_pct float8, positions integer,
               size_total float8, notional_usd float8, mark_price float8)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT c.coin, c.side, c.mark_price + c.k * c.w, c.mark_price + (c.k + 1) * c.w,
       ((c.mark_price + (c.k + 0.5) * c.w) / c.mark_price - 1) * 100,
       count(*)::integer, sum(abs(c.size)), sum(abs(c.size) * c.liquidation_price), c.mark_price
FROM (
    SELECT p.coin, CASE WHEN p.size > 0 THEN 'long' ELSE 'short' END AS side, p.size, p.liquidation_price,
           p.mark_price, p.mark_price * p_band_pct / 100 AS w,
           floor((p.liquidation_price - p.mark_price) / (p.mark_price * p_band_pct / 100)) AS k
    FROM public.hyperliquid_current_positions(p_max_age) p
    WHERE public.require_parameter(p_band_pct > 0 AND p_band_pct <= 100,
                                   'p_band_pct', 'must be > 0 and <= 100')
      AND public.require_parameter(p_max_distance_pct > 0, 'p_max_distance_pct', 'must be > 0')
      AND public.require_parameter(p_max_age > interval '0', 'p_max_age', 'must be positive')
      AND p.coin = p_coin
      AND p.liquidation_price > 0 AND p.mark_price > 0
      AND abs(p.liquidation_price / p.mark_price - 1) * 100 <= p_max_distance_pct
) c
GROUP BY c.coin, c.side, c.mark_price, c.w, c.k
ORDER BY 3
$$;

COMMENT ON FUNCTION liquidation_clusters(text, float8, float8, interval) IS
    'Notional that would be liquidated per price band for one Hyperliquid coin p_coin (exact venue name, e.g. BTC), from the current positions (hyperliquid_current_positions(p_max_age, default 1 hour)). Bands are p_band_pct (default 0.5) percent of the mark wide, counted from the mark: band k = [mark + k w, mark + (k+1) w). Per band and side (long = liquidated when the price falls to it, short = when it rises): band_low / band_high (USD per coin), distance_pct of the band middle from the mark (percent), positions, size_total (coins), notional_usd = sum of |size| x liquidation price, mark_price. Positions whose liquidation price is more than p_max_distance_pct (percent) from the mark, or NULL, are left out (p_max_distance_pct, default 25). Ordered by band_low.';

CREATE FUNCTION leaderboard_metric_liquidation_risk(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT p.market_id, sum(abs(p.size) * p.liquidation_price), NULL::text, min(p.scanned_at),
       jsonb_build_object(
           'long_notional_usd', coalesce(sum(abs(p.size) * p.liquidation_price) FILTER (WHERE p.size > 0), 0),
           'short_notional_usd', coalesce(sum(abs(p.size) * p.liquidation_price) FILTER (WHERE p.size < 0), 0),
           'positions', count(*))
FROM public.hyperliquid_current_positions() p
WHERE p.liquidation_price > 0 AND p.mark_price > 0 AND abs(p.liquidation_price / p.mark_price - 1) <= 0.05
GROUP BY p.market_id
$$;

COMMENT ON FUNCTION leaderboard_metric_liquidation_risk(interval) IS
    'Board liquidation_risk (no window): per Hyperliquid market, the notional (|size| x liquidation price, USD) of current positions whose liquidation price lies within 5 % of the mark; reference_time = oldest scan used; metrics: long_notional_usd, short_notional_usd, positions.';

CREATE FUNCTION leaderboard_metric_whale_positions(p_window interval) RETURNS SETOF leaderboard_metric
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
SELECT DISTINCT ON (p.market_id) p.market_id, abs(p.size) * p.mark_price, NULL::text, p.scanned_at,
       jsonb_build_object('address', p.address, 'side', CASE WHEN p.size > 0 THEN 'long' ELSE 'short' END,
                          'size', p.size, 'liquidation_price', p.liquidation_price, 'leverage', p.leverage)
FROM public.hyperliquid_current_positions() p
WHERE p.mark_price > 0
ORDER BY p.market_id, abs(p.size) * p.mark_price DESC, p.address
$$;

COMMENT ON FUNCTION leaderboard_metric_whale_positions(interval) IS
    'Board whale_positions (no window): per Hyperliquid market, the largest current position by notional at the mark (|size| x mark, USD); reference_time = its scan time; metrics: address, side, size (coins, signed), liquidation_price, leverage.';

INSERT INTO leaderboards (name, position, description, value_unit, metric_function, order_by, qualifies, windows, default_window) VALUES
    ('liquidation_risk', 18, 'Hyperliquid markets by the notional of scanned positions whose liquidation price is within 5 % of the mark (|size| x liquidation price). Needs the position scanner (hyperliquid_positions), which is not running yet: empty without it.',
     'USD', 'leaderboard_metric_liquidation_risk', 'm.value DESC', NULL, NULL, NULL),
    ('whale_positions', 19, 'Hyperliquid markets by their largest scanned position (|size| x mark); metrics name the address. Needs the position scanner (hyperliquid_positions), which is not running yet: empty without it.',
     'USD', 'leaderboard_metric_whale_positions', 'm.value DESC', NULL, NULL, NULL);

-- Community edition: its retention policies replace the apache cron job (as for trade_flow_1m in 0091).
DO $$
BEGIN
    IF current_setting('timescaledb.license', true) = 'timescale' THEN
        EXECUTE 'SELECT add_retention_policy(''public.hyperliquid_positions'', $1, if_not_exists => true)'
            USING coalesce(public.setting_interval('hyperliquid_positions_retention'), INTERVAL '7 days');
    END IF;
END
$$;
