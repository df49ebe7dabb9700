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
    ]
}
