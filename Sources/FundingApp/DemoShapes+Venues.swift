import FundingVenues

/// The venues the demo fills with the demo market, each endpoint its adapter calls in a cycle declared once against
/// the recording whose shape it keeps (the keys filled are the ones the adapter reads, per its documented units,
/// and their obvious siblings). Shares are of Binance's volume; counts are how many of the universe's assets the
/// venue lists (the largest first, so the majors trade everywhere and the tail on fewer venues).
extension DemoShapes {
    static let venues: [DemoVenue] = [
        DemoVenue(dex: "binance", symbol: "{B}USDT", intervalHours: 8, share: 1, count: 300, endpoints: [
            DemoEndpoint(path: "/fapi/v1/premiumIndex", file: "premium-index-all.json", markets: .list([]), fields: [
                "symbol": .symbol, "markPrice": .mark, "indexPrice": .index, "estimatedSettlePrice": .index,
                "lastFundingRate": .rate, "nextFundingTime": .fundingTime(.milliseconds), "time": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/fapi/v1/ticker/24hr", file: "ticker-24hr.json", markets: .wrapped([]), fields: [
                "symbol": .symbol, "lastPrice": .last, "weightedAvgPrice": .mark, "openPrice": .mark,
                "highPrice": .ask, "lowPrice": .bid, "priceChange": .text("0"), "priceChangePercent": .text("0"),
                "volume": .volumeBase, "quoteVolume": .volumeUSD, "closeTime": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/fapi/v1/ticker/bookTicker", file: "book-ticker.json", markets: .wrapped([]), fields: [
                "symbol": .symbol, "bidPrice": .bid, "askPrice": .ask, "time": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/fapi/v1/openInterest", file: "open-interest.json",
                         markets: .one(query: "symbol", at: []), fields: [
                "symbol": .symbol, "openInterest": .openInterestBase, "time": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "bybit", symbol: "{B}USDT", intervalHours: 8, share: 0.6, count: 280, endpoints: [
            // Linear tickers in the recorded inverse answer's shape: for linear contracts `openInterest` and
            // `volume24h` are in base units and `turnover24h` in USDT.
            DemoEndpoint(path: "/v5/market/tickers", match: ["category": "linear"], file: "tickers-inverse.json",
                         markets: .list([.key("result"), .key("list")]), fields: [
                "symbol": .symbol, "lastPrice": .last, "indexPrice": .index, "markPrice": .mark,
                "prevPrice24h": .mark, "prevPrice1h": .mark, "highPrice24h": .ask, "lowPrice24h": .bid,
                "price24hPcnt": .text("0"), "openInterest": .openInterestBase, "openInterestValue": .openInterestUSD,
                "turnover24h": .volumeUSD, "volume24h": .volumeBase, "fundingRate": .rate,
                "nextFundingTime": .fundingTime(.milliseconds), "bid1Price": .bid, "ask1Price": .ask,
                "fundingIntervalHour": .text("8"),
            ]),
            // Inverse (coin-margined) contracts of the first five assets, a quarter of the linear ones' size: open
            // interest and volume in USD, `openInterestValue` and `turnover24h` in coin.
            DemoEndpoint(path: "/v5/market/tickers", match: ["category": "inverse"], file: "tickers-inverse.json",
                         markets: .list([.key("result"), .key("list")]), fields: [
                "symbol": .symbol, "lastPrice": .last, "indexPrice": .index, "markPrice": .mark,
                "prevPrice24h": .mark, "prevPrice1h": .mark, "highPrice24h": .ask, "lowPrice24h": .bid,
                "price24hPcnt": .text("0"), "openInterest": .scaled(.openInterestUSD, 1),
                "openInterestValue": .openInterestBase, "turnover24h": .volumeBase, "volume24h": .scaled(.volumeUSD, 1),
                "fundingRate": .rate, "nextFundingTime": .fundingTime(.milliseconds), "bid1Price": .bid,
                "ask1Price": .ask, "fundingIntervalHour": .text("8"),
            ], symbol: "{B}USD", count: 5, share: 0.15),
        ]),
        DemoVenue(dex: "okx", symbol: "{B}-USDT-SWAP", intervalHours: 8, share: 0.45, count: 220, endpoints: [
            // Every contract is 0.01 of its base (BTC-USDT-SWAP's `ctVal`, which the template keeps).
            DemoEndpoint(path: "/api/v5/public/instruments", match: ["instType": "SWAP"], file: "instruments-swap.json",
                         markets: .list([.key("data")]), fields: [
                "instId": .symbol, "instFamily": .name("{B}-USDT"), "uly": .name("{B}-USDT"), "ctValCcy": .name("{B}"),
                "ctType": .text("linear"), "settleCcy": .text("USDT"), "ctVal": .text("0.01"), "state": .text("live"),
            ]),
            DemoEndpoint(path: "/api/v5/market/tickers", match: ["instType": "SWAP"], file: "tickers-swap.json",
                         markets: .list([.key("data")]), fields: [
                "instId": .symbol, "last": .last, "askPx": .ask, "bidPx": .bid, "open24h": .mark, "high24h": .ask,
                "low24h": .bid, "volCcy24h": .volumeBase, "ts": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/api/v5/public/open-interest", match: ["instType": "SWAP"], file: "open-interest.json",
                         markets: .list([.key("data")]), fields: [
                "instId": .symbol, "oi": .openInterestContracts(0.01), "oiCcy": .openInterestBase,
                "oiUsd": .openInterestUSD, "ts": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/api/v5/public/mark-price", match: ["instType": "SWAP"], file: "mark-price.json",
                         markets: .list([.key("data")]), fields: [
                "instId": .symbol, "markPx": .mark, "ts": .now(.milliseconds),
            ]),
            // OKX's `fundingTime` is the coming settlement and `nextFundingTime` the one after (the adapter reads
            // the interval as their difference).
            DemoEndpoint(path: "/api/v5/public/funding-rate", file: "funding-rate.json",
                         markets: .one(query: "instId", at: [.key("data")]), fields: [
                "instId": .symbol, "fundingRate": .rate, "fundingTime": .fundingTime(.milliseconds),
                "nextFundingTime": .fundingTime(.milliseconds, after: 1), "ts": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "gate", symbol: "{B}_USDT", intervalHours: 8, share: 0.25, count: 260, endpoints: [
            // Every contract is 0.01 of its base (`quanto_multiplier`).
            DemoEndpoint(path: "/api/v4/futures/usdt/contracts", file: "contracts.json", markets: .list([]), fields: [
                "name": .symbol, "type": .text("direct"), "quanto_multiplier": .text("0.01"), "last_price": .last,
                "mark_price": .mark, "index_price": .index, "funding_rate": .rate, "funding_rate_indicative": .rate,
                "funding_next_apply": .fundingTime(.seconds), "position_size": .openInterestContracts(0.01),
            ]),
            // The demo lists no BTC-settled contracts: an empty answer, as a venue without them gives.
            DemoEndpoint(path: "/api/v4/futures/btc/contracts", file: "contracts.json", markets: .list([]), fields: [:],
                         count: 0),
            DemoEndpoint(path: "/api/v4/futures/btc/tickers", file: "tickers.json", markets: .list([]), fields: [:],
                         count: 0),
            DemoEndpoint(path: "/api/v4/futures/usdt/tickers", file: "tickers.json", markets: .list([]), fields: [
                "contract": .symbol, "last": .last, "mark_price": .mark, "index_price": .index, "funding_rate": .rate,
                "funding_rate_indicative": .rate, "highest_bid": .bid, "lowest_ask": .ask, "low_24h": .bid,
                "high_24h": .ask, "change_percentage": .text("0"), "volume_24h_quote": .volumeUSD,
                "volume_24h_usd": .volumeUSD, "volume_24h_settle": .volumeUSD, "volume_24h_base": .volumeBase,
                "total_size": .openInterestContracts(0.01),
            ]),
        ]),
        DemoVenue(dex: "bitget", symbol: "{B}USDT", intervalHours: 8, share: 0.35, count: 240, endpoints: [
            DemoEndpoint(path: "/api/v2/mix/market/current-fund-rate", match: ["productType": "USDT-FUTURES"],
                         file: "current-fund-rate-2025.json", markets: .list([.key("data")]), fields: [
                "symbol": .symbol, "fundingRate": .rate, "fundingRateInterval": .text("8"),
                "nextUpdate": .fundingTime(.milliseconds),
            ]),
            // No USDC- or coin-margined contracts in the demo: empty answers.
            DemoEndpoint(path: "/api/v2/mix/market/current-fund-rate", match: ["productType": "USDC-FUTURES"],
                         file: "current-fund-rate-2025.json", markets: .list([.key("data")]), fields: [:], count: 0),
            DemoEndpoint(path: "/api/v2/mix/market/current-fund-rate", match: ["productType": "COIN-FUTURES"],
                         file: "current-fund-rate-2025.json", markets: .list([.key("data")]), fields: [:], count: 0),
            DemoEndpoint(path: "/api/v2/mix/market/tickers", match: ["productType": "USDC-FUTURES"], file: "tickers.json",
                         markets: .list([.key("data")]), fields: [:], count: 0),
            DemoEndpoint(path: "/api/v2/mix/market/tickers", match: ["productType": "COIN-FUTURES"], file: "tickers.json",
                         markets: .list([.key("data")]), fields: [:], count: 0),
            // USDT-margined tickers in the recorded coin-margined answer's shape.
            DemoEndpoint(path: "/api/v2/mix/market/tickers", match: ["productType": "USDT-FUTURES"], file: "tickers.json",
                         markets: .list([.key("data")]), fields: [
                "symbol": .symbol, "lastPr": .last, "askPr": .ask, "bidPr": .bid, "high24h": .ask, "low24h": .bid,
                "open24h": .mark, "indexPrice": .index, "markPrice": .mark, "fundingRate": .rate,
                "holdingAmount": .openInterestBase, "baseVolume": .volumeBase, "quoteVolume": .volumeUSD,
                "usdtVolume": .volumeUSD, "ts": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "hyperliquid", symbol: "{B}", intervalHours: 1, share: 0.4, count: 180, endpoints: [
            DemoEndpoint(method: "POST", path: "/info", match: ["type": "metaAndAssetCtxs", "dex": ""],
                         file: "metaAndAssetCtxs.json",
                         markets: .parallel([.index(0), .key("universe")], [.index(1)]), fields: [
                "name": .symbol, "funding": .rate, "markPx": .mark, "midPx": .mark, "oraclePx": .index,
                "openInterest": .openInterestBase, "dayNtlVlm": .volumeUSD, "prevDayPx": .mark,
            ]),
            // The builder dex `flx` that perpDexs lists has no recording: answered with no markets (`xyz` keeps
            // its recorded ones).
            DemoEndpoint(method: "POST", path: "/info", match: ["type": "metaAndAssetCtxs", "dex": "flx"],
                         file: "metaAndAssetCtxs_dex_xyz.json",
                         markets: .parallel([.index(0), .key("universe")], [.index(1)]), fields: [:], count: 0),
        ]),
        DemoVenue(dex: "dydx", symbol: "{B}-USD", intervalHours: 1, share: 0.03, count: 150, endpoints: [
            DemoEndpoint(path: "/v4/perpetualMarkets", file: "perpetualMarkets.json",
                         markets: .keyed([.key("markets")]), fields: [
                "ticker": .symbol, "status": .text("ACTIVE"), "oraclePrice": .index, "nextFundingRate": .rate,
                "openInterest": .openInterestBase, "volume24H": .volumeUSD,
            ]),
        ]),
        DemoVenue(dex: "paradex", symbol: "{B}-USD-PERP", intervalHours: 8, share: 0.05, count: 120, endpoints: [
            DemoEndpoint(path: "/v1/markets/summary", match: ["market": "ALL"], file: "markets_summary_prod.json",
                         markets: .list([.key("results")]), fields: [
                "symbol": .symbol, "mark_price": .mark, "underlying_price": .index, "last_traded_price": .last,
                "bid": .bid, "ask": .ask, "volume_24h": .volumeUSD, "open_interest": .openInterestBase,
                "funding_rate": .rate, "created_at": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/v1/markets", file: "markets.json", markets: .list([.key("results")]), fields: [
                "symbol": .symbol, "base_currency": .name("{B}"), "asset_kind": .text("PERP"),
            ]),
        ]),
        DemoVenue(dex: "aster", symbol: "{B}USDT", intervalHours: 8, share: 0.08, count: 120, endpoints: [
            DemoEndpoint(path: "/fapi/v1/premiumIndex", file: "premiumIndex.json", markets: .list([]), fields: [
                "symbol": .symbol, "markPrice": .mark, "indexPrice": .index, "estimatedSettlePrice": .index,
                "lastFundingRate": .rate, "nextFundingTime": .fundingTime(.milliseconds), "time": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/fapi/v1/fundingInfo", file: "fundingInfo.json", markets: .list([]), fields: [
                "symbol": .symbol, "fundingIntervalHours": .text("8"), "time": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/fapi/v1/ticker/24hr", file: "ticker_24hr.json", markets: .list([]), fields: [
                "symbol": .symbol, "lastPrice": .last, "weightedAvgPrice": .mark, "openPrice": .mark,
                "highPrice": .ask, "lowPrice": .bid, "priceChange": .text("0"), "priceChangePercent": .text("0"),
                "volume": .volumeBase, "quoteVolume": .volumeUSD, "closeTime": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "phemex", symbol: "{B}USDT", intervalHours: 8, share: 0.1, count: 200, endpoints: [
            // USDT perpetuals (real-valued v3 fields) and, for the first eight assets, coin-margined ones (v1
            // scaled integers: prices × 10^4 and ratios × 10^8 as the copied BTCUSD product's scales say;
            // contracts of 1 USD).
            DemoEndpoint(path: "/public/products", file: "products.json",
                         markets: .list([.key("data"), .key("perpProductsV2")]), fields: [
                "symbol": .symbol, "baseCurrency": .name("{A}"), "contractUnderlyingAssets": .name("{A}"),
                "displaySymbol": .name("{A} / USDT"), "indexSymbol": .name(".{B}USDT"),
                "fundingRate8hSymbol": .name(".{B}USDTFR8H"), "status": .text("Listed"),
            ], more: [
                DemoEndpoint(path: "", file: "", markets: .list([.key("data"), .key("products")]), fields: [
                    "symbol": .symbol, "displaySymbol": .name("{A} / USD"), "indexSymbol": .name(".{B}"),
                    "fundingRate8hSymbol": .name(".{B}FR8H"), "status": .text("Listed"),
                ], symbol: "{B}USD", count: 8),
            ]),
            DemoEndpoint(path: "/md/v3/ticker/24hr/all", file: "ticker-24hr-v3-usdt-perp.json",
                         markets: .wrapped([.key("result")]), fields: [
                "symbol": .symbol, "fundingRateRr": .rate, "predFundingRateRr": .rate, "markRp": .mark,
                "indexRp": .index, "bidRp": .bid, "askRp": .ask, "lastRp": .last, "openRp": .mark, "highRp": .ask,
                "lowRp": .bid, "openInterestRv": .openInterestBase, "turnoverRv": .volumeUSD,
                "volumeRq": .volumeBase, "timestamp": .now(.nanoseconds),
            ]),
            DemoEndpoint(path: "/md/v1/ticker/24hr/all", file: "ticker-24hr-v1-coinm.json",
                         markets: .wrapped([.key("result")]), fields: [
                "symbol": .symbol, "fundingRateEr": .scaled(.rate, 1e8), "predFundingRateEr": .scaled(.rate, 1e8),
                "markEp": .scaled(.mark, 1e4), "indexEp": .scaled(.index, 1e4), "bidEp": .scaled(.bid, 1e4),
                "askEp": .scaled(.ask, 1e4), "lastEp": .scaled(.last, 1e4), "openEp": .scaled(.mark, 1e4),
                "highEp": .scaled(.ask, 1e4), "lowEp": .scaled(.bid, 1e4),
                "openInterest": .scaled(.openInterestUSD, 1), "volume": .scaled(.volumeUSD, 1),
                "timestamp": .now(.nanoseconds),
            ], symbol: "{B}USD", count: 8, share: 0.02),
        ]),
        DemoVenue(dex: "kraken", symbol: "PF_{B}USD", intervalHours: 1, share: 0.04, count: 150, aliases: ["BTC": "XBT"],
                  endpoints: [
            // Multi-collateral linear perpetuals (`PF_`, contracts of 1 base unit) in the shape of the recorded
            // PF_ETHUSD; funding is Kraken's absolute figure per contract per hour (fraction × size × mark).
            DemoEndpoint(path: "/derivatives/api/v3/instruments", file: "instruments.json",
                         markets: .list([.key("instruments")]), fields: [
                "symbol": .symbol, "type": .text("flexible_futures"), "base": .name("{A}"), "quote": .text("USD"),
                "pair": .name("{A}:USD"),
            ], model: "PF_ETHUSD"),
            DemoEndpoint(path: "/derivatives/api/v3/tickers", file: "tickers.json", markets: .list([.key("tickers")]),
                         fields: [
                "symbol": .symbol, "tag": .text("perpetual"), "pair": .name("{A}:USD"), "markPrice": .mark,
                "indexPrice": .index, "bid": .bid, "ask": .ask, "last": .last, "open24h": .mark, "high24h": .ask,
                "low24h": .bid, "vol24h": .volumeBase, "volumeQuote": .volumeUSD, "openInterest": .openInterestBase,
                "fundingRate": .rateTimesMark(1), "fundingRatePrediction": .rateTimesMark(1),
            ], model: "PF_ETHUSD"),
        ]),
        DemoVenue(dex: "mexc", symbol: "{B}_USDT", intervalHours: 8, share: 0.3, count: 250, endpoints: [
            // Every contract is 0.0001 of its base (BTC_USDT's `contractSize`, which the template keeps).
            DemoEndpoint(path: "/api/v1/contract/detail", file: "contract-detail.json", markets: .wrapped([.key("data")]),
                         fields: [
                "symbol": .symbol, "baseCoin": .name("{A}"), "baseCoinName": .name("{A}"),
                "displayNameEn": .name("{A}_USDT PERPETUAL"),
            ]),
            DemoEndpoint(path: "/api/v1/contract/ticker", file: "ticker-2025.json", markets: .wrapped([.key("data")]),
                         fields: [
                "symbol": .symbol, "lastPrice": .last, "bid1": .bid, "ask1": .ask, "fairPrice": .mark,
                "indexPrice": .index, "holdVol": .openInterestContracts(0.0001), "amount24": .volumeUSD,
                "volume24": .scaled(.volumeBase, 10_000), "fundingRate": .rate, "lower24Price": .bid,
                "high24Price": .ask, "timestamp": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/api/v1/contract/funding_rate", file: "funding-rate-2025.json",
                         markets: .wrapped([.key("data")]), fields: [
                "symbol": .symbol, "fundingRate": .rate, "nextSettleTime": .fundingTime(.milliseconds),
                "timestamp": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "kucoin", symbol: "{B}USDTM", intervalHours: 8, share: 0.15, count: 220, aliases: ["BTC": "XBT"],
                  endpoints: [
            // Lots of 0.001 base (XBTUSDTM's `multiplier`, which the template keeps).
            DemoEndpoint(path: "/api/v1/contracts/active", file: "contracts-active.json", markets: .list([.key("data")]),
                         fields: [
                "symbol": .symbol, "baseCurrency": .name("{B}"), "status": .text("Open"), "fundingFeeRate": .rate,
                "predictedFundingFeeRate": .rate, "nextFundingRateTime": .untilFunding(.milliseconds),
                "openInterest": .openInterestContracts(0.001), "turnoverOf24h": .volumeUSD,
                "volumeOf24h": .volumeBase, "markPrice": .mark, "indexPrice": .index, "lastTradePrice": .last,
            ]),
            DemoEndpoint(path: "/api/v1/allTickers", file: "all-tickers.json", markets: .list([.key("data")]), fields: [
                "symbol": .symbol, "bestBidPrice": .bid, "bestAskPrice": .ask, "price": .last, "ts": .now(.nanoseconds),
            ]),
        ]),
        DemoVenue(dex: "backpack", symbol: "{B}_USDC_PERP", intervalHours: 1, share: 0.03, count: 80, endpoints: [
            DemoEndpoint(path: "/api/v1/markets", file: "markets.json", markets: .list([]), fields: [
                "symbol": .symbol, "baseSymbol": .name("{B}"), "marketType": .text("PERP"),
            ]),
            DemoEndpoint(path: "/api/v1/markPrices", file: "markPrices.json", markets: .list([]), fields: [
                "symbol": .symbol, "fundingRate": .rate, "indexPrice": .index, "markPrice": .mark,
                "nextFundingTimestamp": .fundingTime(.milliseconds),
            ]),
            DemoEndpoint(path: "/api/v1/openInterest", file: "openInterest.json", markets: .list([]), fields: [
                "symbol": .symbol, "openInterest": .openInterestBase, "timestamp": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/api/v1/tickers", file: "tickers.json", markets: .list([]), fields: [
                "symbol": .symbol, "firstPrice": .mark, "high": .ask, "low": .bid, "lastPrice": .last,
                "priceChange": .text("0"), "priceChangePercent": .text("0"), "quoteVolume": .volumeUSD,
                "volume": .volumeBase,
            ]),
        ]),
        DemoVenue(dex: "lighter", symbol: "{B}", intervalHours: 1, share: 0.1, count: 120, endpoints: [
            // Markets join the two answers by `market_id` (the asset's rank here); `rate` is an 8-hour equivalent.
            DemoEndpoint(path: "/api/v1/orderBookDetails", file: "orderBookDetails_2026-09.json",
                         markets: .list([.key("order_book_details")]), fields: [
                "symbol": .symbol, "market_id": .id(0), "market_type": .text("perp"), "status": .text("active"),
                "mark_price": .mark, "index_price": .index, "open_interest": .openInterestBase,
                "daily_quote_token_volume": .volumeUSD, "daily_base_token_volume": .volumeBase,
            ]),
            DemoEndpoint(path: "/api/v1/funding-rates", file: "funding-rates.json",
                         markets: .list([.key("funding_rates")]), fields: [
                "symbol": .symbol, "market_id": .id(0), "exchange": .text("lighter"), "rate": .times(.rate, 8),
            ], model: "ETH"),
        ]),
        DemoVenue(dex: "pacifica", symbol: "{B}", intervalHours: 1, share: 0.04, count: 100, endpoints: [
            DemoEndpoint(path: "/api/v1/info/prices", file: "info_prices.json", markets: .list([.key("data")]), fields: [
                "symbol": .symbol, "funding": .rate, "next_funding": .rate, "mark": .mark, "mid": .mark,
                "oracle": .index, "open_interest": .openInterestBase, "volume_24h": .volumeUSD,
                "yesterday_price": .mark, "timestamp": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/api/v1/info", file: "info_live.json", markets: .list([.key("data")]), fields: [
                "symbol": .symbol, "base_asset": .name("{B}"), "instrument_type": .text("perpetual"),
                "funding_rate": .rate, "next_funding_rate": .rate,
            ]),
        ]),
        DemoVenue(dex: "grvt", symbol: "{B}_USDT_Perp", intervalHours: 8, share: 0.03, count: 60, endpoints: [
            // GRVT's rates are percentage points per interval; 24 h volume is taker buys + sells in USDT (half each).
            DemoEndpoint(method: "POST", path: "/full/v1/all_instruments", match: [:], file: "all_instruments_live.json",
                         markets: .list([.key("result")]), fields: [
                "instrument": .symbol, "base": .name("{B}"), "quote": .text("USDT"), "kind": .text("PERPETUAL"),
            ]),
            DemoEndpoint(method: "POST", path: "/full/v1/ticker", file: "ticker.json",
                         markets: .one(query: "instrument", at: [.key("result")]), fields: [
                "instrument": .symbol, "mark_price": .mark, "index_price": .index, "last_price": .last,
                "mid_price": .mark, "best_bid_price": .bid, "best_ask_price": .ask,
                "funding_rate": .times(.rate, 100), "funding_rate_8h_curr": .times(.rate, 100),
                "funding_rate_8h_avg": .times(.rate, 100), "open_interest": .openInterestBase,
                "buy_volume_24h_q": .times(.volumeUSD, 0.5), "sell_volume_24h_q": .times(.volumeUSD, 0.5),
                "buy_volume_24h_b": .times(.volumeBase, 0.5), "sell_volume_24h_b": .times(.volumeBase, 0.5),
                "event_time": .now(.nanoseconds), "next_funding_time": .fundingTime(.nanoseconds),
            ]),
        ]),
        DemoVenue(dex: "drift", symbol: "{B}-PERP", intervalHours: 1, share: 0.01, count: 60, endpoints: [
            // Funding as each side's P&L in percent per hour (longs paying: a negative `long`); open interest
            // per side in base units (the AMM holds the difference).
            DemoEndpoint(path: "/stats/markets", file: "stats_markets.json", markets: .list([.key("markets")]), fields: [
                "symbol": .symbol, "baseAsset": .name("{A}"), "marketIndex": .id(0), "marketType": .text("perp"),
                "status": .text("active"), "oraclePrice": .index, "markPrice": .mark, "price": .last,
                "baseVolume": .volumeBase, "quoteVolume": .volumeUSD, "openInterest.long": .openInterestBase,
                "openInterest.short": .times(.openInterestBase, -1), "fundingRate.long": .times(.rate, -100),
                "fundingRate.short": .times(.rate, 100), "fundingRateUpdateTs": .now(.seconds),
            ]),
        ]),
        DemoVenue(dex: "deribit", symbol: "{B}-PERPETUAL", intervalHours: 8, share: 0.05, count: 2, endpoints: [
            // The coin-margined (`reversed`) BTC and ETH perpetuals: open interest in USD, `funding_8h` a fraction
            // per 8 h (funding accrues continuously, so there is no next funding time).
            DemoEndpoint(path: "/api/v2/public/get_instruments", file: "get-instruments-future.json",
                         markets: .list([.key("result")]), fields: [
                "instrument_name": .symbol, "kind": .text("future"), "settlement_period": .text("perpetual"),
                "instrument_type": .text("reversed"), "base_currency": .name("{A}"),
            ]),
            DemoEndpoint(path: "/api/v2/public/ticker", file: "ticker-btc-perpetual.json",
                         markets: .one(query: "instrument_name", at: [.key("result")]), fields: [
                "instrument_name": .symbol, "mark_price": .mark, "index_price": .index, "last_price": .last,
                "best_bid_price": .bid, "best_ask_price": .ask, "funding_8h": .rate, "current_funding": .rate,
                "open_interest": .openInterestUSD, "stats.volume_usd": .volumeUSD, "stats.volume": .volumeBase,
                "estimated_delivery_price": .index, "timestamp": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "binance_coinm", symbol: "{B}USD_PERP", intervalHours: 8, share: 0.08, count: 10, endpoints: [
            // Inverse contracts of 100 USD each (the copied BTCUSD contract's size): volume and open interest in
            // contracts.
            DemoEndpoint(path: "/dapi/v1/premiumIndex", file: "premium-index.json", markets: .list([]), fields: [
                "symbol": .symbol, "pair": .name("{B}USD"), "markPrice": .mark, "indexPrice": .index,
                "estimatedSettlePrice": .index, "lastFundingRate": .rate,
                "nextFundingTime": .fundingTime(.milliseconds), "time": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/dapi/v1/exchangeInfo", file: "exchange-info.json", markets: .list([.key("symbols")]),
                         fields: [
                "symbol": .symbol, "pair": .name("{B}USD"), "contractType": .text("PERPETUAL"),
                "contractStatus": .text("TRADING"), "baseAsset": .name("{A}"), "contractSize": .text("100"),
            ], model: "BTCUSD_200925"),
            DemoEndpoint(path: "/dapi/v1/ticker/24hr", file: "ticker-24hr.json", markets: .list([]), fields: [
                "symbol": .symbol, "pair": .name("{B}USD"), "lastPrice": .last, "weightedAvgPrice": .mark,
                "openPrice": .mark, "highPrice": .ask, "lowPrice": .bid, "priceChange": .text("0"),
                "priceChangePercent": .text("0"), "volume": .scaled(.volumeUSD, 0.01), "baseVolume": .volumeBase,
                "closeTime": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/dapi/v1/ticker/bookTicker", file: "book-ticker.json", markets: .list([]), fields: [
                "symbol": .symbol, "pair": .name("{B}USD"), "bidPrice": .bid, "askPrice": .ask, "time": .now(.milliseconds),
            ]),
            DemoEndpoint(path: "/dapi/v1/openInterest", file: "open-interest.json",
                         markets: .one(query: "symbol", at: []), fields: [
                "symbol": .symbol, "pair": .name("{B}USD"), "contractType": .text("PERPETUAL"),
                "openInterest": .scaled(.openInterestUSD, 0.01), "time": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "bitmex", symbol: "{B}USD", intervalHours: 8, share: 0.02, count: 20, aliases: ["BTC": "XBT"],
                  endpoints: [
            // USD perpetuals settled in XBt (satoshi) in the shape of the recorded XBTUSD: XBTUSD is inverse
            // (contracts of 1 USD: `openValue` is the open interest in satoshi), the others quanto, for which the
            // adapter reports no open interest or volume (their value per contract is not a plain conversion).
            DemoEndpoint(path: "/api/v1/instrument/active", file: "instrument-active-2024-03-02.json", markets: .list([]),
                         fields: [
                "symbol": .symbol, "rootSymbol": .name("{B}"), "underlying": .name("{B}"), "typ": .text("FFWCSX"),
                "state": .text("Open"), "quoteCurrency": .text("USD"), "settlCurrency": .text("XBt"),
                "isInverse": .when(base: "BTC", .flag(true), otherwise: .flag(false)),
                "isQuanto": .when(base: "BTC", .flag(false), otherwise: .flag(true)),
                "fundingRate": .rate, "indicativeFundingRate": .rate, "fundingTimestamp": .fundingTimeISO,
                "markPrice": .mark, "indicativeSettlePrice": .index, "lastPrice": .last, "bidPrice": .bid,
                "askPrice": .ask, "openValue": .scaled(.openInterestBase, 1e8), "openInterest": .scaled(.openInterestUSD, 1),
                "foreignNotional24h": .volumeUSD, "homeNotional24h": .volumeBase, "volume24h": .scaled(.volumeUSD, 1),
                "turnover24h": .scaled(.volumeBase, 1e8),
            ]),
        ]),
        DemoVenue(dex: "edgex", symbol: "{B}USDC", intervalHours: 4, share: 0.01, count: 40, endpoints: [
            // Contracts are numbered 30000001 + rank, their base coins 1001 + rank (the recorded BTCUSDC's ids);
            // the metadata's coin list names them (USDC, the quote, is then unnamed: the adapter reads it from the
            // contract's name).
            DemoEndpoint(path: "/api/v2/public/meta/getMetaData", file: "getMetaData.json",
                         markets: .list([.key("data"), .key("contractList")]), fields: [
                "contractId": .id(30_000_001), "contractName": .symbol, "baseCoinId": .id(1_001),
                "quoteCoinId": .text("1000"), "enableTrade": .flag(true), "enableDisplay": .flag(true),
                "fundingRateIntervalMin": .text("240"),
            ], more: [
                DemoEndpoint(path: "", file: "", markets: .list([.key("data"), .key("coinList")]), fields: [
                    "coinId": .id(1_001), "coinName": .name("{A}"),
                ]),
            ]),
            // Every answer lists every contract (the adapter asks in batches of 50 ids and keeps each contract's
            // row); `fundingTime` is the interval in progress' start, the rate the forecast for it.
            DemoEndpoint(path: "/api/v2/public/funding/getLatestFundingRate", file: "getLatestFundingRate.json",
                         markets: .list([.key("data")]), fields: [
                "contractId": .id(30_000_001), "fundingTime": .fundingTime(.milliseconds, after: -1),
                "fundingTimestamp": .now(.milliseconds), "forecastFundingRate": .rate, "fundingRate": .rate,
                "previousFundingRate": .rate, "markPrice": .mark, "oraclePrice": .index, "indexPrice": .index,
                "fundingRateIntervalMin": .text("240"), "isSettlement": .flag(false),
            ]),
            // One contract per request, by id: open interest in base units, `value` the 24 h USDC turnover.
            DemoEndpoint(path: "/api/v2/public/quote/getTicker", file: "getTicker.json",
                         markets: .one(query: "contractId", at: [.key("data")]), fields: [
                "contractId": .id(30_000_001), "contractName": .symbol, "openInterest": .openInterestBase,
                "value": .volumeUSD, "size": .volumeBase, "lastPrice": .last, "close": .last, "open": .mark,
                "high": .ask, "low": .bid, "priceChange": .text("0"), "priceChangePercent": .text("0"),
                "markPrice": .mark, "oraclePrice": .index, "indexPrice": .index, "fundingRate": .rate,
                "fundingTime": .fundingTime(.milliseconds, after: -1), "nextFundingTime": .fundingTime(.milliseconds),
                "endTime": .now(.milliseconds),
            ]),
        ]),
        DemoVenue(dex: "hibachi", symbol: "{B}/USDT-P", intervalHours: 1, share: 0.005, count: 30, endpoints: [
            // Each market is a `contract` spec and its live `info`; the interval (1 h) comes from the recorded
            // BTC/USDT-P settlements.
            DemoEndpoint(path: "/market/inventory", file: "inventory.json", markets: .list([.key("markets")]), fields: [
                "contract.symbol": .symbol, "contract.underlyingSymbol": .name("{A}"),
                "contract.displayName": .name("{A}/USDT Perps"), "contract.id": .id(2), "contract.status": .text("LIVE"),
                "info.estimatedFundingRate": .rate, "info.markPrice": .mark, "info.spotPrice": .index,
                "info.bestBidPrice": .bid, "info.bestAskPrice": .ask, "info.priceLatest": .last,
                "info.price24hAgo": .mark, "info.openInterestQuantity": .openInterestBase, "info.volume24h": .volumeUSD,
            ]),
        ]),
    ]
}
