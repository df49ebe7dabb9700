-- 0072 base-tier fees of Pacifica (`PacificaAdapter`).
--
-- As in 0044: the descriptor sync (0043) owns display_name, kind, api_base_url and funding_interval_hours; this
-- migration owns the fees and fills only fee columns that are still NULL, so an operator's edits survive.
--   pacifica  0.02% / 0.05%  GET /api/v1/info/fees, level 0 (the base tier): maker_fee_rate "0.00020",
--                            taker_fee_rate "0.00050" (fractions; the docs' example in Tests/Fixtures/pacifica).
--                            UNSURE: ccxt's pacifica.ts carries 0.015% / 0.04%, the example's level 1; check the
--                            live answer of /api/v1/info/fees before relying on it.

INSERT INTO dexes (name, display_name, kind, api_base_url, maker_fee, taker_fee, fee_tiers, funding_interval_hours)
VALUES ('pacifica', 'Pacifica', 'dex', 'https://api.pacifica.fi', 0.0002, 0.0005, NULL, 1)
ON CONFLICT (name) DO UPDATE SET
    maker_fee = coalesce(dexes.maker_fee, EXCLUDED.maker_fee),
    taker_fee = coalesce(dexes.taker_fee, EXCLUDED.taker_fee),
    fee_tiers = coalesce(dexes.fee_tiers, EXCLUDED.fee_tiers);
