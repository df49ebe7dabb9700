import Foundation
import FundingCore

/// Backpack Exchange perpetuals (`backpack`, `https://api.backpack.exchange`), four requests per cycle.
///
/// Endpoints and unit facts (Backpack API docs "Get markets", "Get all mark prices", "Get open interest", "Get
/// tickers" as quoted in `Tests/Fixtures/backpack/SOURCE.md`; the official SDK `bpx-api-client`; recordings of
/// 2026-09-13):
/// - `GET /api/v1/markets` (spot and perp): `marketType` `"PERP"` is a perpetual, `"SPOT"` is excluded as spot,
///   anything else as not a perpetual. `fundingInterval` is "Funding interval for perpetuals in **milliseconds**"
///   (docs, SDK), a JSON number in 2026 answers, a string in ccxt's older copy, null on spot → interval hours =
///   ms ÷ 3,600,000 (1 h since 2025-08-20, 8 h before). A perp without it is dropped (`missing_funding_interval`).
///   `orderBookState` (`Open`, `Closed`, `PostOnly`, …) is not used: no documentation text says what the states
///   mean for funding, so a listed perp is kept whatever its state. A failed `/markets` fails the venue.
/// - `GET /api/v1/markPrices` (all perps): `fundingRate` "the funding rate for the current interval", a
///   **fraction per interval**, paid at `nextFundingTimestamp` ("the end time of the current interval", epoch
///   **ms**, number or string) → `fundingRate`, `nextFundingTime`; `markPrice`, `indexPrice` USDC per contract
///   unit. A failed `/markPrices` fails the venue; a listed perp without a row is dropped (`missing_funding_rate`).
/// - `GET /api/v1/openInterest` (no symbol = every market, prediction contracts too): `openInterest` has no unit
///   in the docs; recorded values are **base units** (BTC 412.67 beside 126 M USDC daily volume) → USD = × mark.
/// - `GET /api/v1/tickers`: `quoteVolume` (USDC, the last 24 h) → `volume24hUSD`; `volume` is base units.
///   A failed (or unreadable) open-interest or ticker answer keeps the rows without those fields: degraded, and
///   the request is reported as failed (the run is partial).
/// - Symbols `BASE_USDC_PERP` quoted and settled in USDC; the base is `baseSymbol` (`kPEPE` = 1,000 PEPE via
///   `SymbolNormalizer`; equities keep the venue's name, `MU.US`). No best bid/ask in these answers (per-market
///   `/api/v1/depth` only).
public struct BackpackAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "backpack", displayName: "Backpack", kind: .cex,
        defaultBaseURL: "https://api.backpack.exchange", defaultFundingIntervalHours: 1)

    static let dex = "backpack"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let markets = client.get("/api/v1/markets", baseURL: baseURL)
        async let marks = client.get("/api/v1/markPrices", baseURL: baseURL)
        async let openInterest = client.attempt("/api/v1/openInterest", baseURL: baseURL)
        async let tickers = client.attempt("/api/v1/tickers", baseURL: baseURL)
        let (marketsBody, marksBody) = try await (markets, marks)
        let (oiAnswer, tickerAnswer) = await (openInterest, tickers)
        var result = try Self.parse(markets: marketsBody, markPrices: marksBody, openInterest: try? oiAnswer.get(),
                                    tickers: try? tickerAnswer.get(), now: now)
        for (path, answer) in [("/api/v1/openInterest", oiAnswer), ("/api/v1/tickers", tickerAnswer)] {
            if case .failure(let error) = answer { result.fail("GET \(path)", error) }
        }
        result.stampLatency(since: start)
        return result
    }

    struct Market: Decodable {
        var symbol: String
        var baseSymbol: String?
        var quoteSymbol: String?
        var marketType: String?
        var fundingInterval: LenientDouble?
    }

    struct MarkPrice: Decodable {
        var symbol: String
        var fundingRate: LenientDouble?
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var nextFundingTimestamp: LenientDouble?
    }

    struct OpenInterest: Decodable {
        var symbol: String
        var openInterest: LenientDouble?
    }

    struct Ticker: Decodable {
        var symbol: String
        var quoteVolume: LenientDouble?
    }

    /// Snapshots of every listed perpetual, symbol order. `openInterest` / `tickers` nil: not answered (the caller
    /// reports the failed request); an answer that does not decode is reported here. Either way the rows are
    /// kept without the field, counted as degraded.
    public static func parse(markets: some DataProtocol, markPrices: some DataProtocol, openInterest: (some DataProtocol)?,
                             tickers: (some DataProtocol)?, now: Date) throws -> VenueFetchResult {
        let listed = try decodePayload([Market].self, from: markets, dex: dex, endpoint: "/api/v1/markets")
        let marks = try decodePayload([MarkPrice].self, from: markPrices, dex: dex, endpoint: "/api/v1/markPrices")
        var result = VenueFetchResult()
        let oi = enrichment([OpenInterest].self, openInterest, "/api/v1/openInterest", &result)
            .map { Dictionary($0.map { ($0.symbol, $0.openInterest.number) }, uniquingKeysWith: { a, _ in a }) }
        let volumes = enrichment([Ticker].self, tickers, "/api/v1/tickers", &result)
            .map { Dictionary($0.map { ($0.symbol, $0.quoteVolume.number) }, uniquingKeysWith: { a, _ in a }) }
        let markBySymbol = Dictionary(marks.map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })

        for market in listed.sorted(by: { $0.symbol < $1.symbol }) {
            switch market.marketType?.uppercased() {
            case "PERP": break
            case "SPOT": result.exclude(.spot); continue
            default: result.exclude(.notPerpetual); continue
            }
            guard let ms = market.fundingInterval.number, ms > 0 else { result.drop(.missingFundingInterval); continue }
            guard let row = markBySymbol[market.symbol], let rate = row.fundingRate.number else {
                result.drop(.missingFundingRate); continue
            }
            let name = SymbolNormalizer.normalize(market.symbol, baseAsset: market.baseSymbol)
            let mark = row.markPrice.number
            let base = oi?[market.symbol] ?? nil
            let volume = volumes?[market.symbol] ?? nil
            if base == nil { result.degrade(.openInterest) }
            if volume == nil { result.degrade(.volume) }
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: market.symbol, symbol: name.symbol, quote: market.quoteSymbol ?? name.quote ?? "USDC",
                multiplier: name.multiplier, time: now, fundingRate: rate, fundingIntervalHours: ms / 3_600_000,
                nextFundingTime: row.nextFundingTimestamp.date(.milliseconds), markPrice: mark,
                indexPrice: row.indexPrice.number, openInterestBase: base, openInterestUSD: base.times(mark),
                volume24hUSD: volume))
        }
        let perps = Set(listed.filter { $0.marketType?.uppercased() == "PERP" }.map(\.symbol))
        result.drop(.unknownMarket, count: Set(marks.map(\.symbol)).subtracting(perps).count)
        return result
    }

    /// An optional answer's rows, or nil when it was not answered or does not decode (then reported as failed).
    static func enrichment<Row: Decodable>(_ type: [Row].Type, _ body: (some DataProtocol)?, _ path: String,
                                           _ result: inout VenueFetchResult) -> [Row]? {
        guard let body else { return nil }
        do { return try decodePayload(type, from: body, dex: dex, endpoint: path) } catch {
            result.fail("GET \(path)", error)
            return nil
        }
    }
}

// MARK: - Settled funding history

/// `GET /api/v1/fundingRates?symbol=&limit=&offset=` (Backpack API docs "Get funding interval rates": "Funding interval
/// rate history for futures", `limit` default 100, maximum 10,000 in the docs, at most 1,000 asked here (`HistoryPaging.newestFirstLimit`) as in
/// `Tests/Fixtures/backpack/SOURCE.md`; `offset` default 0): a JSON array, **newest first** in every recording (the
/// docs state no order, so a page out of that order fails: `HistoryPaging.newestFirst`), no time filter. The offset
/// is the walk's cursor: the next page asks `offset` + the rows received. A settlement published between two pages
/// shifts the offsets by one, so a row is answered twice (stored once), never skipped.
///
/// Unit facts relied on:
/// - `fundingRate` "the funding rate for the interval", a **fraction per interval**, positive: longs pay (as the
///   snapshot's `fundingRate`, which this row settles).
/// - `intervalEndTimestamp` "the end of the funding interval", a `naive-date-time` in UTC without a zone
///   (`2025-09-11T12:00:00`): the funding time. The newest row can be the interval still accruing (its end in the
///   future, its rate still moving); a backfill's range ends before now, so it is dropped with the other rows
///   outside the range.
/// - No interval field: the interval is the time since the previous row (1 h since 2025-08-20 08:00 UTC, 8 h
///   before), else the market's known interval.
/// A row without `intervalEndTimestamp` or `fundingRate` fails the page.
extension BackpackAdapter: FundingHistorySource {
    static let historyPageSize = 1000

    struct FundingRateRow: Decodable {
        var fundingRate: LenientDouble?
        var intervalEndTimestamp: String?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = HistoryPaging.newestFirstLimit(request, maximum: Self.historyPageSize)
        let offset = request.cursor.flatMap(Int.init) ?? 0
        let path = "/api/v1/fundingRates?symbol=\(request.dexSymbol)&limit=\(limit)&offset=\(offset)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request,
                                            offset: offset, pageSize: limit)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest, offset: Int,
                                    pageSize: Int) throws -> FundingHistoryPage {
        let endpoint = "/api/v1/fundingRates"
        let rows = try decodePayload([FundingRateRow].self, from: data, dex: dex, endpoint: endpoint).map { row in
            try SettlementRow.required(time: VenueTime.iso8601(row.intervalEndTimestamp), rate: row.fundingRate.number,
                                       dex: dex, endpoint: endpoint, fields: "intervalEndTimestamp or fundingRate")
        }
        // A short page is the last one; a full one may have older rows after it.
        let token = rows.count >= pageSize ? String(offset + rows.count) : nil
        return try HistoryPaging.newestFirst(rows, token: token, request: request,
                                             defaultInterval: descriptor.defaultFundingIntervalHours,
                                             dex: dex, endpoint: endpoint)
    }
}
