-- 0055 plausibility bounds: the one declaration of which stored numbers are believable.
--
-- ingest_apply() (0057) rejects and counts every staged row with a number outside these bounds, whoever sends it,
-- so no value a venue or a role can send makes an aggregate overflow or a leaderboard lie. The daemon's
-- SnapshotValidator (Sources/FundingCore) enforces the same bounds before the write: it reads this table at
-- start-up (PlausibilityBounds.load in Sources/FundingStore), so the table is the single source of the numbers;
-- Swift holds no copy of them.
--
-- Overflow: the largest accepted magnitude is capped at 1e18 by a CHECK, whatever an operator configures. The
-- rollups aggregate funding_rate (sum, sum of squares), open_interest_usd and volume_24h_usd (avg, which keeps a
-- sum of squares internally): at 1e18 a square is 1e36 and even 10^9 samples sum to 1e45, far below float8's
-- 1.8e308. The defaults are much tighter: they are meant to catch unit mistakes and garbage, not to judge markets.

CREATE TABLE plausibility_bounds (
    measure       text PRIMARY KEY CHECK (measure IN (
                      'funding_rate', 'predicted_rate', 'funding_interval_hours', 'multiplier', 'mark_price',
                      'index_price', 'best_bid', 'best_ask', 'open_interest_base', 'open_interest_usd',
                      'volume_24h_usd', 'collection_latency_ms')),
    min_value     float8 NOT NULL,
    min_inclusive boolean NOT NULL,
    max_value     float8 NOT NULL,
    unit          text NOT NULL,
    description   text NOT NULL,
    CHECK (min_value < max_value),
    -- No bound may admit a value whose square could overflow an aggregate (see the file header).
    CHECK (min_value >= -1e18 AND max_value <= 1e18)
);

COMMENT ON TABLE plausibility_bounds IS
    'Plausibility bounds of every stored number: ingest_apply() rejects (and counts per measure) a staged row with a value outside [min_value, max_value] (min exclusive unless min_inclusive), NaN or infinite; the daemon''s SnapshotValidator loads the same rows at start-up. Edit the rows to tune (as the owner); magnitudes are capped at 1e18 so accepted values can never overflow an aggregate.';
COMMENT ON COLUMN plausibility_bounds.measure IS 'What is bounded: a funding_rates column name, or funding_rate / predicted_rate meaning the rate per hour (rate / funding_interval_hours).';
COMMENT ON COLUMN plausibility_bounds.min_value IS 'Smallest accepted value (in unit).';
COMMENT ON COLUMN plausibility_bounds.min_inclusive IS 'Whether min_value itself is accepted (false: values must be greater than min_value).';
COMMENT ON COLUMN plausibility_bounds.max_value IS 'Largest accepted value (in unit), inclusive.';
COMMENT ON COLUMN plausibility_bounds.unit IS 'Unit of min_value / max_value.';
COMMENT ON COLUMN plausibility_bounds.description IS 'Why the bound is where it is.';

INSERT INTO plausibility_bounds (measure, min_value, min_inclusive, max_value, unit, description) VALUES
    ('funding_rate', -0.05, true, 0.05, 'fraction per hour',
     'funding_rate / funding_interval_hours: 5 % per hour is far beyond any venue''s funding cap.'),
    ('predicted_rate', -0.05, true, 0.05, 'fraction per hour',
     'predicted_rate / funding_interval_hours, same bound as funding_rate.'),
    ('funding_interval_hours', 0, false, 168, 'hours',
     'Funding interval: positive, at most a week (venues use 1 to 8 hours).'),
    ('multiplier', 0, false, 1e9, 'units of the symbol per contract unit',
     'Contract multiplier (1000 for 1000PEPEUSDT, 1000000 for 1000000MOGUSDT): positive.'),
    ('mark_price', 0, true, 1e9, 'quote currency per contract unit',
     'Mark price: not negative, below a billion per contract unit.'),
    ('index_price', 0, true, 1e9, 'quote currency per contract unit',
     'Index price: not negative, below a billion per contract unit.'),
    ('best_bid', 0, true, 1e9, 'quote currency per contract unit',
     'Best bid: not negative (0 = empty side as some venues report it), below a billion.'),
    ('best_ask', 0, true, 1e9, 'quote currency per contract unit',
     'Best ask: not negative (0 = empty side as some venues report it), below a billion.'),
    ('open_interest_base', 0, true, 1e18, 'contract units of the base asset',
     'Open interest in the market''s own base unit: not negative; raw meme-coin units reach 1e15.'),
    ('open_interest_usd', 0, true, 1e12, 'USD',
     'Open interest in USD: not negative, at most a trillion for one market (the largest are tens of billions).'),
    ('volume_24h_usd', 0, true, 1e13, 'USD',
     '24-hour volume in USD: not negative, at most ten trillion for one market.'),
    ('collection_latency_ms', 0, true, 86400000, 'milliseconds',
     'Time the venue took to answer: not negative, at most a day.');

INSERT INTO fundingd_settings (name, value, description) VALUES
    ('max_future_skew', '5 minutes',
     'interval: ingest_apply() rejects (reason future_time) a sample whose time is later than now() + this; a far-future sample would otherwise hold market_latest for ever.')
ON CONFLICT (name) DO NOTHING;
