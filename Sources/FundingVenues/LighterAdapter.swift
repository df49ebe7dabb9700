import Foundation
import FundingCore

/// Lighter (zkLighter) perpetuals.
///
/// Endpoints (public GET on `https://mainnet.zklighter.elliot.ai`), two requests per cycle:
/// - `GET /api/v1/orderBookDetails`: every market with numeric `market_id`, bare `symbol` (`ETH`, `1000PEPE`-style
///   where applicable), `market_type`, `status`, `open_interest`, `daily_quote_token_volume`,
///   `last_trade_price`, and since the 2026-09 API `mark_price` / `index_price` (strings). Spot books come in a
///   separate `spot_order_book_details` list and are not read; a row in the perp list whose `market_type` is not
///   `perp` is skipped as `not_perp`, an inactive market as `inactive`.
/// - `GET /api/v1/funding-rates`: the current rate of every Lighter market **and relayed rows of other exchanges**
///   (`exchange` = `binance`, `bybit`, `hyperliquid`, ...). Only `exchange == "lighter"` rows are used; the others
///   are counted as skipped `relayed`. Rows join the details by `market_id`; a Lighter row with no details row is
///   `unknown_market`, an active perp with no Lighter rate row is `no_funding_rate`.
///
/// Unit facts relied on:
/// - `funding-rates` `rate` is a fraction quoted as an **8-hour equivalent**, while Lighter settles every hour at
///   1/8 of it. Sources: Lighter docs "Funding" (https://docs.lighter.xyz/perpetual-futures/funding: "Funding
///   payments occur at each hour mark"), the `df-lighter-core` SDK (`src/markets/funding.rs`: "`funding-rates`
///   writes each venue's current rate as a fraction over eight hours ... an hour's is what Lighter settles") and
///   the fixture `SOURCE.md`. Consistent with that, the recorded hourly ETH settlements (`fundings`, `rate` in
///   percent per hour) are 0.0012 % = 0.000012 per hour, while the recorded `funding-rates` ETH row is
///   0.000096 = 8 × 0.000012 (different moments, so a plausibility check, not a proof). ccxt passes the number
///   through unconverted, which is why this is spelled out. So `fundingRate` (per 1h) = `rate / 8`,
///   `fundingIntervalHours` = 1, `nextFundingTime` = the next top of the hour after `now`.
/// - `open_interest` is in base units (ETH 27k in the 2026-05 capture ≈ sensible); the one third-party claim that
///   it is USD refers to the WebSocket stream and is unverified. `openInterestUSD` = `open_interest × mark_price`,
///   or `× last_trade_price` when the details carry no mark (pre-2026-09 API).
/// - `daily_quote_token_volume` is the 24h volume in the quote asset (USDC ≈ USD), used as is.
/// - Perps are USDC-margined and quoted (`quote` = `USDC`). No best bid/ask: it needs one `orderBookOrders`
///   request per market, so `bestBid`/`bestAsk` stay nil. The REST answers carry no timestamp; rows carry `now`.
public struct LighterAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "lighter", displayName: "Lighter", kind: .dex,
        defaultBaseURL: "https://mainnet.zklighter.elliot.ai", defaultFundingIntervalHours: 1
    )

    public init() {}

    static let dex = "lighter"

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let details = client.get("/api/v1/orderBookDetails", baseURL: baseURL)
        async let rates = client.get("/api/v1/funding-rates", baseURL: baseURL)
        var result = try Self.parse(fundingRates: Data(try await rates), orderBookDetails: Data(try await details), now: now)
        result.stampLatency(since: start)
        return result
    }

    // MARK: - Parsing

    /// Joins `funding-rates` with `orderBookDetails` into snapshots.
    public static func parse(fundingRates: Data, orderBookDetails: Data, now: Date) throws -> VenueFetchResult {
        let rates = try decodePayload(FundingRates.self, from: fundingRates, dex: dex, endpoint: "funding-rates")
        let details = try decodePayload(OrderBookDetails.self, from: orderBookDetails, dex: dex, endpoint: "orderBookDetails")

        var result = VenueFetchResult()
        var rateByMarket: [Int: Double] = [:]
        for row in rates.fundingRates {
            guard row.exchange.lowercased() == "lighter" else {
                result.exclude(.relayed)
                continue
            }
            guard let rate = row.rate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            rateByMarket[row.marketId] = rate
        }

        let nextFunding = VenueTime.nextTopOfHour(after: now)
        var seen = Set<Int>()
        for market in details.orderBookDetails {
            seen.insert(market.marketId)
            if let type = market.marketType, type.lowercased() != "perp" {
                result.exclude(.notPerpetual)
                continue
            }
            if let status = market.status, status.lowercased() != "active" {
                result.exclude(.inactive)
                continue
            }
            guard let rate8h = rateByMarket[market.marketId] else {
                result.drop(.missingFundingRate)
                continue
            }
            let normalized = SymbolNormalizer.normalize(market.symbol, baseAsset: market.symbol)
            let mark = market.markPrice.number
            let oi = market.openInterest.number
            let oiPrice = mark ?? market.lastTradePrice.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: market.symbol, symbol: normalized.symbol, quote: "USDC", margin: .linear,
                multiplier: normalized.multiplier, time: now,
                fundingRate: FundingUnits.rate(from8hEquivalent: rate8h, intervalHours: 1),
                fundingIntervalHours: 1,
                nextFundingTime: nextFunding,
                markPrice: mark, indexPrice: market.indexPrice.number,
                openInterestBase: oi,
                openInterestUSD: oi.times(oiPrice),
                volume24hUSD: market.dailyQuoteTokenVolume.number
            ))
        }
        // Lighter rate rows whose market the details do not list.
        let orphans = rateByMarket.keys.filter { !seen.contains($0) }.count
        result.drop(.unknownMarket, count: orphans)
        return result
    }

    struct FundingRates: Decodable {
        var fundingRates: [Row]
        enum CodingKeys: String, CodingKey { case fundingRates = "funding_rates" }

        struct Row: Decodable {
            var marketId: Int
            var exchange: String
            var symbol: String?
            var rate: LenientDouble?
            enum CodingKeys: String, CodingKey {
                case marketId = "market_id", exchange, symbol, rate
            }
        }
    }

    struct OrderBookDetails: Decodable {
        var orderBookDetails: [Market]
        enum CodingKeys: String, CodingKey { case orderBookDetails = "order_book_details" }

        struct Market: Decodable {
            var symbol: String
            var marketId: Int
            var marketType: String?
            var status: String?
            var markPrice: LenientDouble?
            var indexPrice: LenientDouble?
            var lastTradePrice: LenientDouble?
            var openInterest: LenientDouble?
            var dailyQuoteTokenVolume: LenientDouble?
            enum CodingKeys: String, CodingKey {
                case symbol, status
                case marketId = "market_id", marketType = "market_type", markPrice = "mark_price"
                case indexPrice = "index_price", lastTradePrice = "last_trade_price"
                case openInterest = "open_interest", dailyQuoteTokenVolume = "daily_quote_token_volume"
            }
        }
    }
}
