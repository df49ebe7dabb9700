-- 0003 seed the eight built-in venues.
--
-- Fees are base-tier (no volume, no token staking, no referral) perpetual fees as fractions of notional, from each
-- venue's public fee page as read in 2025. Fee schedules change; operators edit the rows, and ON CONFLICT (name)
-- DO NOTHING keeps those edits when migrations are re-applied to a database that already has the venue.
--   hyperliquid  0.015% / 0.045%  https://hyperliquid.gitbook.io/hyperliquid-docs/trading/fees (tier 0, 14-day volume
--                                 tiers; tiers below use that 14d volume in the min_volume_30d field)
--   lighter      0% / 0%          https://apidocs.lighter.xyz/docs/account-types ("Standard" account, the default;
--                                 the opt-in low-latency "Premium" account pays about 0.004% / 0.028%)
--   edgex        0.018% / 0.038%  https://pro.edgex.exchange/vip and edgeX help centre (non-VIP; tiers use 14-day
--                                 volume per the help centre, 30-day per the gitbook: unsure which is current)
--   paradex      0.003% / 0.02%   https://docs.paradex.trade/trading/trading-fee ("API - Standard" profile, the one a
--                                 bot trades under; the UI "Retail" profile is 0% / 0%)
--   grvt         0.027% / 0.055%  https://help.grvt.io (level 1). UNSURE: the GRVT gitbook fee table shows
--                                 0.03% / 0.05% for level 1 futures; check before relying on it.
--   binance      0.02% / 0.05%    https://www.binance.com/en/fee/futureFee (USDⓈ-M, VIP 0, no BNB discount)
--   bybit        0.02% / 0.055%   https://www.bybit.com/en/help-center/article/Trading-Fee-Structure (non-VIP perps)
--   okx          0.02% / 0.05%    https://www.okx.com/fees (regular user, USDT-margined perpetual swaps)

INSERT INTO dexes (name, display_name, kind, api_base_url, maker_fee, taker_fee, fee_tiers,
                   funding_interval_hours, collection_interval_seconds)
VALUES
    ('hyperliquid', 'Hyperliquid', 'dex', 'https://api.hyperliquid.xyz', 0.00015, 0.00045,
     '[{"min_volume_30d": 0,          "maker_fee": 0.00015, "taker_fee": 0.00045},
       {"min_volume_30d": 5000000,    "maker_fee": 0.00012, "taker_fee": 0.00040},
       {"min_volume_30d": 25000000,   "maker_fee": 0.00008, "taker_fee": 0.00035},
       {"min_volume_30d": 100000000,  "maker_fee": 0.00004, "taker_fee": 0.00030},
       {"min_volume_30d": 500000000,  "maker_fee": 0.0,     "taker_fee": 0.00028},
       {"min_volume_30d": 2000000000, "maker_fee": 0.0,     "taker_fee": 0.00026},
       {"min_volume_30d": 7000000000, "maker_fee": 0.0,     "taker_fee": 0.00024}]',
     1, 60),
    ('lighter', 'Lighter', 'dex', 'https://mainnet.zklighter.elliot.ai', 0.0, 0.0,
     '[{"min_volume_30d": 0, "maker_fee": 0.0, "taker_fee": 0.0}]',
     1, 60),
    ('edgex', 'edgeX', 'dex', 'https://pro.edgex.exchange', 0.00018, 0.00038,
     '[{"min_volume_30d": 0,          "maker_fee": 0.00018, "taker_fee": 0.00038},
       {"min_volume_30d": 10000000,   "maker_fee": 0.00015, "taker_fee": 0.00036},
       {"min_volume_30d": 25000000,   "maker_fee": 0.00012, "taker_fee": 0.00034},
       {"min_volume_30d": 100000000,  "maker_fee": 0.00008, "taker_fee": 0.00030},
       {"min_volume_30d": 500000000,  "maker_fee": 0.00004, "taker_fee": 0.00028},
       {"min_volume_30d": 2000000000, "maker_fee": 0.00002, "taker_fee": 0.00026},
       {"min_volume_30d": 7000000000, "maker_fee": 0.0,     "taker_fee": 0.00024}]',
     4, 60),
    ('paradex', 'Paradex', 'dex', 'https://api.prod.paradex.trade', 0.00003, 0.0002,
     '[{"min_volume_30d": 0, "maker_fee": 0.00003, "taker_fee": 0.0002}]',
     8, 60),
    ('grvt', 'GRVT', 'dex', 'https://market-data.grvt.io', 0.00027, 0.00055,
     '[{"min_volume_30d": 0, "maker_fee": 0.00027, "taker_fee": 0.00055}]',
     8, 60),
    ('binance', 'Binance', 'cex', 'https://fapi.binance.com', 0.0002, 0.0005,
     '[{"min_volume_30d": 0, "maker_fee": 0.0002, "taker_fee": 0.0005}]',
     8, 60),
    ('bybit', 'Bybit', 'cex', 'https://api.bybit.com', 0.0002, 0.00055,
     '[{"min_volume_30d": 0, "maker_fee": 0.0002, "taker_fee": 0.00055}]',
     8, 60),
    ('okx', 'OKX', 'cex', 'https://www.okx.com', 0.0002, 0.0005,
     '[{"min_volume_30d": 0, "maker_fee": 0.0002, "taker_fee": 0.0005}]',
     8, 60)
ON CONFLICT (name) DO NOTHING;
