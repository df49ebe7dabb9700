import Foundation
import FundingCore

/// Bitget perpetual futures, USDT-, USDC- and coin-margined (`bitget`, `https://api.bitget.com`), API v2.
///
/// Endpoints, per product type `USDT-FUTURES`, `USDC-FUTURES`, `COIN-FUTURES` (two requests each, six per
/// cycle, against 20 requests / s per IP on each):
/// - `GET /api/v2/mix/market/current-fund-rate?productType=`: without `symbol`, every perpetual of the
///   product type (Bitget v2 docs "Get Current Funding Rate": `symbol` not required). This is the market list.
/// - `GET /api/v2/mix/market/tickers?productType=`: every contract's prices, open interest and volume, joined
///   by `symbol`. A failed tickers answer (or a missing ticker row) keeps the rows without them (degraded
///   `book_top`, `volume`, `mark_price`); a ticker with no funding row is excluded as `dated_future`
///   (`deliveryTime` set) or dropped as `missing_funding_rate`.
/// A product type whose funding request fails costs only its markets (a failed request).
///
/// Unit facts (Bitget v2 docs; fixture `SOURCE.md`; ccxt `bitget` ticker stream example):
/// - `fundingRate`: string fraction per interval; `fundingRateInterval`: the interval in **hours** ("Unit: hour.
///   Enumeration values include 1, 2, 4, 8"); `nextUpdate`: the next settlement, ms. No predicted rate.
///   (The older answer shape carries only `symbol` and `fundingRate`: such rows are dropped as
///   `missing_funding_interval`; contracts' `fundInterval` is the same hours figure but is not fetched.)
/// - tickers `holdingAmount`: open interest in **base coin** on every product type (ccxt's BTCUSDT example:
///   50,670.787 at 43,476 ≈ 2.2 bn USD) → base; USD = base × `markPrice`.
/// - `quoteVolume`: 24 h volume in the quote currency (same example: 120,187.104 BTC ≈ 5,167,385,048.693 USDT)
///   → `volume24hUSD`; `baseVolume` is base coin.
/// - `markPrice`, `indexPrice`, `bidPr`, `askPr` per coin (absent fields stay nil: the 2023 docs example has no
///   `markPrice`).
public struct BitgetAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "bitget", displayName: "Bitget", kind: .cex,
        defaultBaseURL: "https://api.bitget.com", defaultFundingIntervalHours: 8)

    static let dex = "bitget"

    /// Product types fetched (all three by default).
    public var productTypes: [String]

    public init(productTypes: [String] = ["USDT-FUTURES", "USDC-FUTURES", "COIN-FUTURES"]) {
        self.productTypes = productTypes
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let parts = await PerMarketRequests.gather(productTypes, limit: 3) { type in
            async let tickers = client.attempt("/api/v2/mix/market/tickers?productType=\(type)", baseURL: baseURL)
            let funding = try await client.get("/api/v2/mix/market/current-fund-rate?productType=\(type)", baseURL: baseURL)
            return try Self.parse(funding: funding, tickers: try? await tickers.get(), productType: type, now: now)
        }
        try parts.requireAny("GET /api/v2/mix/market/current-fund-rate")
        var result = VenueFetchResult()
        for part in parts.values { result.merge(part.value) }
        // A failed product type's markets are unknown: the loss is recorded without a count.
        for failure in parts.failures {
            result.fail("GET /api/v2/mix/market/current-fund-rate?productType=\(failure.key)", failure.error)
        }
        return result
    }

    // MARK: - Parsing (pure)

    struct Envelope<T: Decodable>: VenueEnvelope {
        var code: String
        var msg: String?
        var data: [T]?
        var failure: String? { code == "00000" ? nil : "code \(code): \(msg ?? "")" }
        var payload: [T]? { data }
    }

    struct Funding: Decodable {
        var symbol: String
        var fundingRate: LenientDouble?
        var fundingRateInterval: LenientDouble?
        var nextUpdate: LenientDouble?
    }

    struct Ticker: Decodable {
        var symbol: String
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var holdingAmount: LenientDouble?
        var quoteVolume: LenientDouble?
        var bidPr: LenientDouble?
        var askPr: LenientDouble?
        var deliveryTime: LenientDouble?
    }

    /// Snapshots from one product type's `current-fund-rate` and `tickers` answers (nil: not available).
    public static func parse(funding: some DataProtocol, tickers: (some DataProtocol)?, productType: String,
                             now: Date) throws -> VenueFetchResult {
        let fundingRows = try decodeEnvelope(
            Envelope<Funding>.self, from: funding, dex: dex, endpoint: "/api/v2/mix/market/current-fund-rate")
        let tickerRows = try tickers.map {
            try decodeEnvelope(Envelope<Ticker>.self, from: $0, dex: dex, endpoint: "/api/v2/mix/market/tickers")
        }
        let tickerBy = Dictionary((tickerRows ?? []).map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        let inverse = productType == "COIN-FUTURES"

        var result = VenueFetchResult()
        for f in fundingRows {
            guard let rate = f.fundingRate.number else { result.drop(.missingFundingRate); continue }
            guard let hours = f.fundingRateInterval.number, hours > 0 else { result.drop(.missingFundingInterval); continue }
            let name = SymbolNormalizer.normalize(f.symbol)
            guard let quote = name.quote else { result.drop(.unknownQuote); continue }
            let t = tickerBy[f.symbol]
            let mark = t?.markPrice.number
            let oiBase = t?.holdingAmount.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: f.symbol, symbol: name.symbol, quote: quote,
                margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: hours, predictedRate: nil,
                nextFundingTime: f.nextUpdate.date(.milliseconds), markPrice: mark, indexPrice: t?.indexPrice.number,
                openInterestBase: oiBase, openInterestUSD: oiBase.times(mark),
                volume24hUSD: t?.quoteVolume.number, bestBid: t?.bidPr.number, bestAsk: t?.askPr.number))
        }
        let funded = Set(fundingRows.map(\.symbol))
        let unfunded = (tickerRows ?? []).filter { !funded.contains($0.symbol) }
        result.exclude(.datedFuture, count: unfunded.filter { $0.deliveryTime.number != nil }.count)
        result.drop(.missingFundingRate, count: unfunded.filter { $0.deliveryTime.number == nil }.count)
        let unticked = result.snapshots.filter { tickerBy[$0.dexSymbol] == nil }.count
        result.degrade(.bookTop, count: unticked)
        result.degrade(.volume, count: unticked)
        result.degrade(.markPrice, count: unticked)
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v2/mix/market/history-fund-rate?symbol=&productType=&pageSize=&pageNo=` (Bitget v2 docs "Get Historical
/// Funding Rates", https://www.bitget.com/api-doc/contract/market/Get-History-Funding-Rate: `pageSize` "Default: 20,
/// maximum: 100", 20 requests / s per IP): newest first, by page number, with **no time parameter**, so the walk goes
/// page by page from the newest settlement until a row reaches the range's start or a page is short
/// (`HistoryPaging.numberedPage`; pages of 100, as `newestFirstLimit` never asks fewer). `fundingRate` a **fraction
/// per interval** as a string, `fundingTime` epoch ms as a string; no interval and no price on the rows (the
/// interval is the time since the previous settlement). The
/// product type follows the symbol's quote, as the snapshot's market list gives it: `…USDT` USDT-FUTURES, `…PERP`
/// (USDC) USDC-FUTURES, `…USD` COIN-FUTURES. How far back is not documented; a client that walked it found about
/// 270 rows (90 days of 8 h settlements) and nothing older (third-party notes, unverified here).
extension BitgetAdapter: FundingHistorySource {
    static let historyPageSize = 100

    struct FundingHistoryRow: Decodable {
        var fundingRate: LenientDouble?
        var fundingTime: LenientDouble?
    }

    /// The product type a symbol is listed under, from its quote (`SymbolNormalizer`).
    static func productType(of symbol: String) -> String {
        switch SymbolNormalizer.normalize(symbol).quote {
        case "USDC": "USDC-FUTURES"
        case "USD": "COIN-FUTURES"
        default: "USDT-FUTURES"
        }
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let (request, page) = try HistoryPaging.numberedRequest(request, maximum: Self.historyPageSize, dex: Self.dex,
                                                                endpoint: Self.historyEndpoint)
        let path = "\(Self.historyEndpoint)?symbol=\(request.dexSymbol)&productType=\(Self.productType(of: request.dexSymbol))"
            + "&pageSize=\(request.limit!)&pageNo=\(page)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static let historyEndpoint = "/api/v2/mix/market/history-fund-rate"

    /// One page of `request` (its `limit` the page size asked for).
    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let rows = try decodeEnvelope(Envelope<FundingHistoryRow>.self, from: data, dex: dex, endpoint: historyEndpoint)
            .map { row in
                try SettlementRow.required(time: row.fundingTime.date(.milliseconds), rate: row.fundingRate.number,
                                            dex: dex, endpoint: historyEndpoint, fields: "fundingRate or fundingTime")
            }
        // A short page is the last one.
        return try HistoryPaging.numberedPage(rows, more: rows.count >= request.limit ?? historyPageSize,
                                              request: request, defaultInterval: descriptor.defaultFundingIntervalHours,
                                              dex: dex, endpoint: historyEndpoint)
    }
}
