-- 0073 base-tier fees of Backpack (`BackpackAdapter`) and Hibachi (`HibachiAdapter`).
--
-- As in 0044 and 0072: the descriptor sync (0043) owns display_name, kind, api_base_url and funding_interval_hours;
-- this migration owns the fees and fills only fee columns that are still NULL, so an operator's edits survive.
--   backpack  NULL (unknown)  https://support.backpack.exchange/exchange/trading/trading-fees publishes its tier
--                             table only as an image; no stored text, SDK (ccxt carries no Backpack fees) or
--                             recording gives the figures, so none is guessed. Fee-adjusted views leave Backpack out
--                             until an operator sets its fees (PUT /api/v1/admin/dexes/backpack/fees).
--   hibachi   0.015% / 0.045% GET /market/exchange-info, feeConfig tradeMakerFeeRate "0.00015000" / tradeTakerFeeRate
--                             "0.00045000" (fractions; the example output in the official SDK, hibachi-xyz/hibachi_sdk
--                             python/examples/example_public_api.py @ 4d107f9359f1a6f595705d82a00acb6d2c7c4da8).
--                             UNSURE: the venue-wide feeConfig is taken as the base tier; ccxt's account sample shows
--                             an account at 0% / 0.02%, so tiers exist. Check the live answer before relying on it.

INSERT INTO dexes (name, display_name, kind, api_base_url, maker_fee, taker_fee, fee_tiers, funding_interval_hours)
VALUES ('backpack', 'Backpack', 'cex', 'https://api.backpack.exchange', NULL, NULL, NULL, 1),
       ('hibachi', 'Hibachi', 'dex', 'https://data-api.hibachi.xyz', 0.00015, 0.00045, NULL, 1)
ON CONFLICT (name) DO UPDATE SET
    maker_fee = coalesce(dexes.maker_fee, EXCLUDED.maker_fee),
    taker_fee = coalesce(dexes.taker_fee, EXCLUDED.taker_fee),
    fee_tiers = coalesce(dexes.fee_tiers, EXCLUDED.fee_tiers);
