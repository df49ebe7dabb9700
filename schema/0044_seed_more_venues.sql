-- 0044 base-tier fees of the venues added after the first eight.
--
-- The descriptor sync (0043) owns display_name, kind, api_base_url and funding_interval_hours; this migration owns
-- the fees. A row may already exist (created by the sync or by ingest_apply() with NULL fees), so on conflict only
-- fee columns that are still NULL are filled: an operator's edits survive re-application. Fees are fractions of
-- notional per fill, base tier (no volume, no token staking, no referral), as read on the cited page in 2026-12:
--   binance_coinm  0.015% / 0.04%  https://www.binance.com/en/support/faq/360033544231 ("Fee Schedule of Binance
--                                  Futures", the COIN-margined commission example: "regular user's maker
--                                  commission: 0.015%; taker commission: 0.040%"). UNSURE: third-party summaries
--                                  give 0.02% / 0.04% or 0.02% / 0.05%; check the live fee page before relying on it.
--   dydx           0.01% / 0.05%   https://docs.dydx.exchange/introduction-trading_fees (tier 1, < $1M 30-day volume:
--                                  maker 1.0 bps, taker 5.0 bps; set by governance, uniform across markets)
--   drift          -0.002% / 0.035% the venue's own `fees` of BTC-PERP in GET data.api.drift.trade/stats/markets
--                                  (maker -0.00002 = a rebate, taker 0.00035; Tests/Fixtures/drift, 2026-02-10)
--   aster          0.01% / 0.035%  https://docs.asterdex.com/product/asterex-pro/pro-fees (VIP 1, < $5M 14-day volume).
--                                  UNSURE: read from Aster's VIP announcement (VIP 6 taker 2.5 bps "over 28% below the
--                                  base rate", i.e. 3.5 bps); third-party guides quote 0.02% / 0.05%. Check the page.

INSERT INTO dexes (name, display_name, kind, api_base_url, maker_fee, taker_fee, fee_tiers, funding_interval_hours)
VALUES
    ('binance_coinm', 'Binance COIN-M', 'cex', 'https://dapi.binance.com', 0.00015, 0.0004, NULL, 8),
    ('dydx', 'dYdX', 'dex', 'https://indexer.dydx.trade', 0.0001, 0.0005, NULL, 1),
    ('drift', 'Drift', 'dex', 'https://data.api.drift.trade', -0.00002, 0.00035, NULL, 1),
    ('aster', 'Aster', 'dex', 'https://fapi.asterdex.com', 0.0001, 0.00035, NULL, 8)
ON CONFLICT (name) DO UPDATE SET
    maker_fee = coalesce(dexes.maker_fee, EXCLUDED.maker_fee),
    taker_fee = coalesce(dexes.taker_fee, EXCLUDED.taker_fee),
    fee_tiers = coalesce(dexes.fee_tiers, EXCLUDED.fee_tiers);
