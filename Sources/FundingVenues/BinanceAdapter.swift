import Foundation
import FundingCore

/// Binance USDⓈ-M perpetual futures (`binance`, `https://fapi.binance.com`), all endpoints public.
///
/// Endpoints and the unit facts relied on (Binance USDⓈ-M REST docs as mirrored in
/// `binance/binance-connector-python` and `Tests/Fixtures/binance-usdm/SOURCE.md`):
/// - `GET /fapi/v1/premiumIndex` (no `symbol`: every symbol, weight 10). `lastFundingRate` is a decimal
///   **fraction per funding interval** sent as a string (`"0.00010000"` = 0.01 % per interval); despite its
///   name it is the running rate that will be charged at `nextFundingTime` (epoch ms, a number). There is no
///   separate predicted rate, so `predictedRate` stays nil. `markPrice`, `indexPrice` are per contract unit
///   (per 1000 PEPE on `1000PEPEUSDT`).
/// - `GET /fapi/v1/fundingInfo` (weight 0). Lists **only** symbols whose cap, floor or interval was adjusted,
///   with `fundingIntervalHours` (integer hours); every other symbol settles every 8 h.
/// - `GET /fapi/v1/ticker/24hr` (no `symbol`, weight 40). `quoteVolume` is the 24 h volume in the quote asset
///   (USDT or USDC), used as USD volume; `volume` (base) is not used.
/// - `GET /fapi/v1/ticker/bookTicker` (no `symbol`, weight 5): best `bidPrice` / `askPrice`.
/// - `GET /fapi/v1/openInterest?symbol=` (per symbol only, weight 1): `openInterest` in base-asset units of the
///   contract (1000-PEPE lots on `1000PEPEUSDT`); USD = `openInterest` × `markPrice` (linear contracts). Sent with
///   at most `openInterestConcurrency` in flight; a cycle costs about 55 + one weight per market against the
///   2400-per-minute IP budget.
///
/// Symbols come from the market name via `SymbolNormalizer` (premiumIndex has no base-asset field):
/// `1000PEPEUSDT` → PEPE × 1000, `1MBABYDOGEUSDT` → BABYDOGE × 10⁶, `BTCUSDC` → BTC quoted in USDC.
///
/// Excluded: delivery contracts (`BTCUSDT_250328`: a `_` date suffix, `nextFundingTime` 0) as `dated_future`;
/// markets quoted in a non-USD asset (`ETHBTC`, `BNBBTC`: prices and volume in BTC) as `non_usd_quote`.
/// Dropped: rows without a funding rate (`missing_funding_rate`).
/// Failures: premiumIndex or fundingInfo failing throws (without fundingInfo, 4 h and 1 h markets would be
/// written with an 8 h interval). ticker/24hr, bookTicker or a per-symbol openInterest failing keeps the rows
/// with those fields nil, counted as degraded (`volume`, `book_top`, `open_interest`).
public struct BinanceAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "binance", displayName: "Binance USDⓈ-M", kind: .cex,
        defaultBaseURL: "https://fapi.binance.com", defaultFundingIntervalHours: 8)

    static let dex = "binance"
    /// Quote assets whose volume and prices are taken as USD.
    static let usdQuotes: Set<String> = ["USDT", "USDC", "USD", "FDUSD", "BUSD"]

    /// Per-symbol `/fapi/v1/openInterest` requests in flight at once.
    public var openInterestConcurrency: Int

    public init(openInterestConcurrency: Int = 8) {
        self.openInterestConcurrency = openInterestConcurrency
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        var result = try await Self.fetchBulk(client: client, baseURL: baseURL, now: now, dex: Self.dex)

        let symbols = result.snapshots.map(\.dexSymbol)
        let answers = await PerMarketRequests.run(symbols, limit: openInterestConcurrency) { symbol in
            let body = try await client.get("/fapi/v1/openInterest?symbol=\(symbol)", baseURL: baseURL)
            return try Self.parseOpenInterest(body)
        }
        for i in result.snapshots.indices {
            guard case .success(let oi) = answers[i] else {
                result.degrade(.openInterest)
                continue
            }
            result.snapshots[i].openInterestBase = oi
            result.snapshots[i].openInterestUSD = result.snapshots[i].markPrice.map { oi * $0 }
        }
        return result
    }

    /// The all-symbol requests (premiumIndex, fundingInfo, ticker/24hr, bookTicker) and their rows, for Binance and
    /// the USDⓈ-M-compatible venues (Aster). premiumIndex or fundingInfo failing throws; a failed ticker or book
    /// request keeps the rows, degraded.
    static func fetchBulk(client: some HTTPFetching, baseURL: String, now: Date, dex: String) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let premium = client.get("/fapi/v1/premiumIndex", baseURL: baseURL)
        async let info = client.get("/fapi/v1/fundingInfo", baseURL: baseURL)
        async let tickers = client.attempt("/fapi/v1/ticker/24hr", baseURL: baseURL)
        async let books = client.attempt("/fapi/v1/ticker/bookTicker", baseURL: baseURL)
        let (premiumBody, infoBody) = try await (premium, info)
        let (tickerBody, bookBody) = await (try? tickers.get(), try? books.get())
        var result = try parse(premiumIndex: premiumBody, fundingInfo: infoBody, tickers24h: tickerBody,
                               bookTickers: bookBody, now: now, dex: dex)
        result.stampLatency(since: start)
        if tickerBody == nil { result.degrade(.volume, count: result.snapshots.count) }
        if bookBody == nil { result.degrade(.bookTop, count: result.snapshots.count) }
        return result
    }

    // MARK: - Parsing (pure)

    struct PremiumIndexRow: Decodable {
        var symbol: String
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var lastFundingRate: LenientDouble?
        var nextFundingTime: LenientDouble?
    }

    struct FundingInfoRow: Decodable {
        var symbol: String
        var fundingIntervalHours: LenientDouble?
    }

    struct Ticker24hRow: Decodable {
        var symbol: String
        var quoteVolume: LenientDouble?
    }

    struct BookTickerRow: Decodable {
        var symbol: String
        var bidPrice: LenientDouble?
        var askPrice: LenientDouble?
    }

    struct OpenInterestAnswer: Decodable {
        var symbol: String
        var openInterest: LenientDouble
    }

    /// Snapshots from the all-symbol answers. `fundingInfo`, `tickers24h` and `bookTickers` may be nil (not
    /// fetched); open interest is filled in by `fetch` from the per-symbol requests. `dex` lets a
    /// USDⓈ-M-compatible venue (Aster) share the mapping; its symbols absent from fundingInfo settle every 8 h too.
    public static func parse(
        premiumIndex: some DataProtocol, fundingInfo: (some DataProtocol)?, tickers24h: (some DataProtocol)?,
        bookTickers: (some DataProtocol)?, now: Date, dex: String = descriptor.name
    ) throws -> VenueFetchResult {
        let rows = try decodePayload([PremiumIndexRow].self, from: premiumIndex, dex: dex, endpoint: "/fapi/v1/premiumIndex")
        let intervals = try Self.intervals(fundingInfo, dex: dex, endpoint: "/fapi/v1/fundingInfo")
        var volumes: [String: Double] = [:]
        if let tickers24h {
            for row in try decodePayload(OneOrMany<Ticker24hRow>.self, from: tickers24h, dex: dex, endpoint: "/fapi/v1/ticker/24hr").rows {
                volumes[row.symbol] = row.quoteVolume.number
            }
        }
        let books = try Self.books(bookTickers, dex: dex, endpoint: "/fapi/v1/ticker/bookTicker")

        var result = VenueFetchResult()
        for row in rows {
            let nextFunding = row.nextFundingTime.number ?? 0
            if row.symbol.contains("_") || nextFunding == 0 {
                result.exclude(.datedFuture)
                continue
            }
            let name = SymbolNormalizer.normalize(row.symbol)
            guard let quote = name.quote, usdQuotes.contains(quote) else {
                result.exclude(.nonUSDQuote)
                continue
            }
            guard let rate = row.lastFundingRate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            let book = books[row.symbol]
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: row.symbol, symbol: name.symbol, quote: quote, margin: .linear,
                multiplier: name.multiplier,
                time: now,
                fundingRate: rate, fundingIntervalHours: intervals[row.symbol] ?? descriptor.defaultFundingIntervalHours,
                predictedRate: nil, nextFundingTime: Date(timeIntervalSince1970: nextFunding / 1000),
                markPrice: row.markPrice.number, indexPrice: row.indexPrice.number,
                volume24hUSD: volumes[row.symbol] ?? nil, bestBid: book?.0, bestAsk: book?.1))
        }
        return result
    }

    /// Funding interval hours of the symbols a `fundingInfo` answer lists (USDⓈ-M and COIN-M share the format).
    static func intervals(_ fundingInfo: (some DataProtocol)?, dex: String, endpoint: String) throws -> [String: Double] {
        guard let fundingInfo else { return [:] }
        let rows = try decodePayload([FundingInfoRow].self, from: fundingInfo, dex: dex, endpoint: endpoint)
        return Dictionary(rows.compactMap { r in r.fundingIntervalHours.number.map { (r.symbol, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Best bid and ask by symbol from a `bookTicker` answer (USDⓈ-M and COIN-M share the format).
    static func books(_ bookTickers: (some DataProtocol)?, dex: String, endpoint: String) throws -> [String: (Double?, Double?)] {
        guard let bookTickers else { return [:] }
        let rows = try decodePayload(OneOrMany<BookTickerRow>.self, from: bookTickers, dex: dex, endpoint: endpoint).rows
        return Dictionary(rows.map { ($0.symbol, ($0.bidPrice.number, $0.askPrice.number)) }, uniquingKeysWith: { a, _ in a })
    }

    /// Open interest in base-asset units from one `/fapi/v1/openInterest?symbol=` answer.
    public static func parseOpenInterest(_ data: some DataProtocol) throws -> Double {
        let answer = try decodePayload(OpenInterestAnswer.self, from: data, dex: dex, endpoint: "/fapi/v1/openInterest")
        guard let oi = answer.openInterest.value else {
            throw VenuePayloadError(dex: dex, endpoint: "/fapi/v1/openInterest", reason: "empty openInterest")
        }
        return oi
    }
}

// MARK: - Settled funding history

/// `GET /fapi/v1/fundingRate?symbol=&startTime=&endTime=&limit=` (Binance USDⓈ-M docs "Get Funding Rate History"):
/// oldest first from `startTime` (ms, inclusive; `endTime` inclusive), `limit` at most 1000; `fundingRate` a
/// decimal **fraction per interval** as a string, `fundingTime` epoch ms, `markPrice` the mark price the payment used
/// (absent on older rows). Rows carry no interval: it is the time since the previous settlement. Shares a
/// 500-requests-per-5-minutes budget with `fundingInfo`. History reaches back to the contract's listing.
extension BinanceAdapter: FundingHistorySource {
    static let historyPageSize = 1000

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        try await Self.binanceStyleHistory(request, path: "/fapi/v1/fundingRate", client: client, baseURL: baseURL,
                                           descriptor: Self.descriptor)
    }

    struct FundingRateRow: Decodable {
        var fundingRate: LenientDouble?
        var fundingTime: LenientDouble?
        var markPrice: LenientDouble?
    }

    /// The history request and mapping shared by the USDⓈ-M-compatible venues (Binance USDⓈ-M and COIN-M, Aster).
    static func binanceStyleHistory(_ request: FundingHistoryRequest, path: String, client: some HTTPFetching,
                                    baseURL: String, descriptor: DexDescriptor) async throws -> FundingHistoryPage {
        let limit = min(request.limit ?? historyPageSize, historyPageSize)
        let query = "symbol=\(request.dexSymbol)&startTime=\(HistoryPaging.milliseconds(request.start))"
            + "&endTime=\(HistoryPaging.milliseconds(request.end) - 1)&limit=\(limit)"
        let body = try await client.get("\(path)?\(query)", baseURL: baseURL)
        return try parseBinanceStyleHistory(body, request: request, pageSize: limit, descriptor: descriptor,
                                            endpoint: path)
    }

    /// One `fundingRate` answer as a page; a row without a rate or time fails the page (a silent drop would leave a gap).
    static func parseBinanceStyleHistory(_ data: some DataProtocol, request: FundingHistoryRequest, pageSize: Int,
                                         descriptor: DexDescriptor, endpoint: String) throws -> FundingHistoryPage {
        let dex = descriptor.name
        let rows = try decodePayload([FundingRateRow].self, from: data, dex: dex, endpoint: endpoint).map { row in
            try SettlementRow.required(time: row.fundingTime.date(.milliseconds), rate: row.fundingRate.number, markPrice: row.markPrice.number,
                                        dex: dex, endpoint: endpoint, fields: "fundingRate or fundingTime")
        }
        return HistoryPaging.page(rows, request: request, pageSize: pageSize, direction: .forward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
