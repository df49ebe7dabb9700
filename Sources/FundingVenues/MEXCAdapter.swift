import Foundation
import FundingCore

/// MEXC perpetual contracts (`mexc`, `https://api.mexc.com`; older docs use `https://contract.mexc.com`).
///
/// Endpoints (MEXC futures docs "Market Endpoints", https://www.mexc.com/api-docs/futures/market-endpoints, as
/// published 2025-10), three requests per cycle:
/// - `GET /api/v1/contract/detail` without `symbol`: every contract (10 requests / 2 s). This is the market list;
///   contracts whose `state` is not 0 (1 delivery, 2 delivered, 3 offline, 4 paused) are excluded (`inactive`).
///   A contract without a funding row is dropped (`missing_funding_rate`), one without a ticker too
///   (`missing_price`: no mark, index or open interest).
/// - `GET /api/v1/contract/ticker` without `symbol`: every contract's ticker (10 requests / 2 s).
/// - `GET /api/v1/contract/funding_rate` without `symbol`: every contract's funding. The docs page documents
///   the per-symbol form `funding_rate/{symbol}` (20 requests / 2 s); the all-contracts form is documented by
///   MEXC's own SDK (mexcdevelop/mexc-api-sdk `getFuturesFundingRate`: "If omitted, returns all contracts").
///   One request per contract would take about 80 s for ~800 contracts at that limit, beyond the collector's deadline.
///   `data` is one object for one contract and an array for many; both are read.
///
/// Unit facts (same docs page, response parameter tables; fixture `SOURCE.md`):
/// - funding `fundingRate`: fraction per interval; `collectCycle`: the interval in **hours** ("Funding cycle
///   (hours)" in the history table); `nextSettleTime`: ms. MEXC publishes no predicted rate.
/// - ticker `holdVol`: open interest in **contracts**; detail `contractSize`: base coin per contract ("Contract
///   value", 0.0001 BTC on BTC_USDT) → base = holdVol × contractSize, USD = base × `fairPrice`.
/// - ticker `fairPrice` is the mark price, `indexPrice` the index; `bid1` / `ask1` the best bid and ask.
/// - ticker `amount24`: 24 h turnover in the quote currency (docs example: 10,374,579,341 / (954,830,625
///   contracts × 0.0001) ≈ 108,650 ≈ the BTC price) → `volume24hUSD`; `volume24` is contracts.
/// - Coin-margined contracts (`settleCoin` = `baseCoin`, e.g. `BTC_USD`): the docs do not say whether their
///   `contractSize` is in USD or coin, nor the unit of their `amount24`, so their open interest and volume stay nil.
public struct MEXCAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "mexc", displayName: "MEXC", kind: .cex,
        defaultBaseURL: "https://api.mexc.com", defaultFundingIntervalHours: 8)

    static let dex = "mexc"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        async let detail = client.get("/api/v1/contract/detail", baseURL: baseURL)
        async let tickers = client.get("/api/v1/contract/ticker", baseURL: baseURL)
        async let funding = client.get("/api/v1/contract/funding_rate", baseURL: baseURL)
        return try Self.parse(detail: try await detail, tickers: try await tickers, funding: try await funding, now: now)
    }

    // MARK: - Parsing (pure)

    struct Envelope<T: Decodable>: VenueEnvelope {
        var success: Bool
        var code: Int
        var message: String?
        var data: OneOrMany<T>?
        var failure: String? { success && code == 0 ? nil : "code \(code): \(message ?? "")" }
        var payload: [T]? { data?.rows }
    }

    struct Contract: Decodable {
        var symbol: String
        var baseCoin: String
        var quoteCoin: String
        var settleCoin: String?
        var contractSize: LenientDouble?
        var state: Int?
    }

    struct Ticker: Decodable {
        var symbol: String
        var fairPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var holdVol: LenientDouble?
        var amount24: LenientDouble?
        var bid1: LenientDouble?
        var ask1: LenientDouble?
    }

    struct Funding: Decodable {
        var symbol: String
        var fundingRate: LenientDouble?
        var collectCycle: LenientDouble?
        var nextSettleTime: LenientDouble?
    }

    static func rows<T: Decodable>(_ type: T.Type, _ data: some DataProtocol, endpoint: String) throws -> [T] {
        try decodeEnvelope(Envelope<T>.self, from: data, dex: dex, endpoint: endpoint)
    }

    /// Snapshots from the `detail`, `ticker` and `funding_rate` answers.
    public static func parse(detail: some DataProtocol, tickers: some DataProtocol, funding: some DataProtocol,
                             now: Date) throws -> VenueFetchResult {
        let contracts = try rows(Contract.self, detail, endpoint: "/api/v1/contract/detail")
        let tickerBy = Dictionary(try rows(Ticker.self, tickers, endpoint: "/api/v1/contract/ticker").map { ($0.symbol, $0) },
                                  uniquingKeysWith: { a, _ in a })
        let fundingBy = Dictionary(try rows(Funding.self, funding, endpoint: "/api/v1/contract/funding_rate").map { ($0.symbol, $0) },
                                   uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for c in contracts {
            guard c.state ?? 0 == 0 else { result.exclude(.inactive); continue }
            guard let f = fundingBy[c.symbol], let rate = f.fundingRate.number else { result.drop(.missingFundingRate); continue }
            guard let hours = f.collectCycle.number, hours > 0 else { result.drop(.missingFundingInterval); continue }
            guard let t = tickerBy[c.symbol] else { result.drop(.missingPrice); continue }
            let name = SymbolNormalizer.normalize(c.symbol, baseAsset: c.baseCoin)
            let inverse = c.settleCoin == c.baseCoin
            let mark = t.fairPrice.number
            let oiBase = inverse ? nil : t.holdVol.number.times(c.contractSize.number)
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: c.symbol, symbol: name.symbol, quote: c.quoteCoin,
                margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: hours, predictedRate: nil,
                nextFundingTime: f.nextSettleTime.date(.milliseconds),
                markPrice: mark, indexPrice: t.indexPrice.number, openInterestBase: oiBase,
                openInterestUSD: oiBase.times(mark),
                volume24hUSD: inverse ? nil : t.amount24.number, bestBid: t.bid1.number, bestAsk: t.ask1.number))
        }
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v1/contract/funding_rate/history?symbol=&page_num=&page_size=` (MEXC futures docs "Get Funding Rate
/// History", same page as above: `page_size` "default 20, max 1000"; 20 requests / 2 s): newest first, by page
/// number, with **no time parameter** (`HistoryPaging.numberedPage`; the page size from `numberedRequest`, kept for
/// the whole walk). `data` is one object: `resultList` (rows),
/// `currentPage` and `totalPage`, so the walk ends where the venue says the last page is (or where a row reaches the
/// range's start), not at a short page: a server holding to the 2021 docs' maximum of 100 would cost more pages and
/// lose none. Rows: `fundingRate` a **fraction per interval** (a JSON number), `settleTime` epoch ms,
/// `collectCycle` the interval in **hours** (in the current docs' example; the 2021 example has none, and then the
/// interval is the time since the previous settlement). No price on the rows.
extension MEXCAdapter: FundingHistorySource {
    static let historyPageSize = 1000
    static let historyEndpoint = "/api/v1/contract/funding_rate/history"

    /// One `funding_rate/history` answer's `data`.
    struct HistoryAnswer: Decodable {
        struct Row: Decodable {
            var fundingRate: LenientDouble?
            var settleTime: LenientDouble?
            var collectCycle: LenientDouble?
        }
        var currentPage: Int?
        var totalPage: Int?
        var resultList: [Row]?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let (request, page) = try HistoryPaging.numberedRequest(request, maximum: Self.historyPageSize, dex: Self.dex,
                                                                endpoint: Self.historyEndpoint)
        let path = "\(Self.historyEndpoint)?symbol=\(request.dexSymbol)&page_num=\(page)&page_size=\(request.limit!)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        guard let answer = try rows(HistoryAnswer.self, data, endpoint: historyEndpoint).first else {
            throw VenuePayloadError(dex: dex, endpoint: historyEndpoint, reason: "no data")
        }
        let rows = try (answer.resultList ?? []).map { row in
            try SettlementRow.required(time: row.settleTime.date(.milliseconds), rate: row.fundingRate.number,
                                        intervalHours: row.collectCycle.number.flatMap { $0 > 0 ? $0 : nil },
                                        dex: dex, endpoint: historyEndpoint, fields: "fundingRate or settleTime")
        }
        // The venue's own count of pages ends the walk; without one, a short page does.
        let more = answer.currentPage.flatMap { current in answer.totalPage.map { current < $0 } }
            ?? (rows.count >= request.limit ?? historyPageSize)
        return try HistoryPaging.numberedPage(rows, more: more, request: request,
                                              defaultInterval: descriptor.defaultFundingIntervalHours,
                                              dex: dex, endpoint: historyEndpoint)
    }
}
