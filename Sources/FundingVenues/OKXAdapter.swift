import Foundation
import FundingCore

/// OKX perpetual swaps (`okx`, `https://www.okx.com`), public v5 REST endpoints.
///
/// Endpoints and the unit facts relied on (OKX v5 API docs, as carried by the OpenAPI spec recorded in
/// `Tests/Fixtures/okx/SOURCE.md` and the docs' field texts):
/// - `GET /api/v5/public/instruments?instType=SWAP` (one answer): `instId`, `ctType` (`linear` | `inverse`),
///   `instFamily`/`uly` (`BTC-USDT`: base and quote), `settleCcy`, `state` (`live` kept). `ctVal`/`ctMult`
///   are contract sizes (0.01 BTC, 100 USD); they are not symbol multipliers, because OKX prices are per coin
///   (no `1000`-prefixed names), so `multiplier` is 1 unless the base name itself carries a prefix.
///   Base-asset field: `baseCcy` is empty for swaps, so the base is read from `instFamily` (fallback `uly`).
/// - `GET /api/v5/public/funding-rate?instId=` (**per instrument**; a bulk `instId=ANY` is mentioned by third
///   parties but not documented, so it is not used). `fundingRate` is a string **fraction for the current
///   period**, settled at `fundingTime` (ms) → `nextFundingTime` of the snapshot; the interval is
///   `nextFundingTime − fundingTime` (there is no interval field; 8 h, 4 h, 2 h, 1 h occur). `nextFundingRate`
///   (the predicted rate of the following period) is `""` since OKX moved to `method: current_period`; it is
///   used when present. Sent with at most `fundingConcurrency` in flight and starts
///   spaced by `fundingSpacing` (default 0.1 s, inside the documented 20 requests / 2 s).
/// - `GET /api/v5/market/tickers?instType=SWAP`: `bidPx`, `askPx`, `last`; `volCcy24h` is the 24 h volume in
///   **base currency** for derivatives (BTC for both BTC-USDT-SWAP and BTC-USD-SWAP) → USD = `volCcy24h` × `last`
///   (an approximation at the current price); `vol24h` (contracts) is not used.
/// - `GET /api/v5/public/open-interest?instType=SWAP`: `oiCcy` (coin = base) → `openInterestBase`, `oiUsd` → `openInterestUSD`.
/// - `GET /api/v5/public/mark-price?instType=SWAP`: `markPx`.
/// Index prices come from `/api/v5/market/index-tickers` per underlying and are not fetched (`indexPrice` nil).
///
/// Margin: `ctType` `inverse` (`BTC-USD-SWAP`, coin-margined, 100 USD contracts) → `.inverse`, quote USD.
/// Excluded: instruments not `live` (`inactive`). A failed funding-rate request costs its instrument (a failed
/// request); when every one fails, the venue fails. The instruments request failing throws. tickers,
/// open-interest or mark-price failing keeps the rows, counted as degraded (`book_top` and `volume`,
/// `open_interest`, `mark_price`).
public struct OKXAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "okx", displayName: "OKX", kind: .cex,
        defaultBaseURL: "https://www.okx.com", defaultFundingIntervalHours: 8)

    static let dex = "okx"

    public var fundingConcurrency: Int
    public var fundingSpacing: Duration

    public init(fundingConcurrency: Int = 4, fundingSpacing: Duration = .milliseconds(100)) {
        self.fundingConcurrency = fundingConcurrency
        self.fundingSpacing = fundingSpacing
    }

    /// One live swap as `public/instruments` describes it.
    public struct Instrument: Sendable, Hashable {
        public var instId: String
        public var symbol: String
        public var quote: String
        public var margin: Margin
        public var multiplier: Double
    }

    /// One `public/funding-rate` answer.
    public struct Funding: Sendable, Hashable {
        public var instId: String
        public var rate: Double
        public var settlesAt: Date
        public var intervalHours: Double
        public var predictedRate: Double?
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        async let instrumentsBody = client.get("/api/v5/public/instruments?instType=SWAP", baseURL: baseURL)
        async let tickersBody = client.attempt("/api/v5/market/tickers?instType=SWAP", baseURL: baseURL)
        async let oiBody = client.attempt("/api/v5/public/open-interest?instType=SWAP", baseURL: baseURL)
        async let marksBody = client.attempt("/api/v5/public/mark-price?instType=SWAP", baseURL: baseURL)
        var (instruments, result) = try Self.parseInstruments(try await instrumentsBody)
        let (tickers, openInterest, marks) = await (try? tickersBody.get(), try? oiBody.get(), try? marksBody.get())

        let answers = await PerMarketRequests.gather(
            instruments.map(\.instId), limit: fundingConcurrency, spacing: fundingSpacing
        ) { instId in
            let start = ContinuousClock.now
            let body = try await client.get("/api/v5/public/funding-rate?instId=\(instId)", baseURL: baseURL)
            return (try Self.parseFundingRate(body, instId: instId), Int((ContinuousClock.now - start).wholeMilliseconds))
        }
        try answers.requireAny("GET /api/v5/public/funding-rate")
        answers.recordFailures(on: &result, request: "GET /api/v5/public/funding-rate")
        let fundings = Dictionary(answers.values.map { ($0.key, $0.value.0) }, uniquingKeysWith: { a, _ in a })
        let latency = Dictionary(answers.values.map { ($0.key, $0.value.1) }, uniquingKeysWith: { a, _ in a })
        instruments.removeAll { fundings[$0.instId] == nil }

        result.merge(try Self.assemble(
            instruments: instruments, fundings: fundings, tickers: tickers, openInterest: openInterest,
            markPrices: marks, now: now))
        for i in result.snapshots.indices { result.snapshots[i].collectionLatencyMs = latency[result.snapshots[i].dexSymbol] }
        let n = result.snapshots.count
        if tickers == nil { result.degrade(.bookTop, count: n); result.degrade(.volume, count: n) }
        if openInterest == nil { result.degrade(.openInterest, count: n) }
        if marks == nil { result.degrade(.markPrice, count: n) }
        return result
    }

    // MARK: - Parsing (pure)

    struct Envelope<Row: Decodable>: VenueEnvelope {
        var code: String
        var msg: String?
        var data: [Row]?
        var failure: String? { code == "0" ? nil : "code \(code): \(msg ?? "")" }
        var payload: [Row]? { data }
    }

    struct InstrumentRow: Decodable {
        var instId: String
        var ctType: String?
        var instFamily: String?
        var uly: String?
        var settleCcy: String?
        var state: String?
    }

    struct FundingRow: Decodable {
        var instId: String
        var fundingRate: LenientDouble?
        var fundingTime: LenientDouble?
        var nextFundingTime: LenientDouble?
        var nextFundingRate: LenientDouble?
    }

    struct TickerRow: Decodable {
        var instId: String
        var last: LenientDouble?
        var bidPx: LenientDouble?
        var askPx: LenientDouble?
        var volCcy24h: LenientDouble?
    }

    struct OpenInterestRow: Decodable {
        var instId: String
        var oiCcy: LenientDouble?
        var oiUsd: LenientDouble?
    }

    struct MarkRow: Decodable {
        var instId: String
        var markPx: LenientDouble?
    }

    static func rows<Row: Decodable>(_ type: Row.Type, _ data: some DataProtocol, endpoint: String) throws -> [Row] {
        try decodeEnvelope(Envelope<Row>.self, from: data, dex: dex, endpoint: endpoint)
    }

    /// The live swaps of one `public/instruments?instType=SWAP` answer, and the ones skipped on purpose.
    public static func parseInstruments(_ data: some DataProtocol) throws -> ([Instrument], VenueFetchResult) {
        let endpoint = "/api/v5/public/instruments"
        var instruments: [Instrument] = []
        var result = VenueFetchResult()
        for row in try rows(InstrumentRow.self, data, endpoint: endpoint) {
            guard row.state == "live" else {
                result.exclude(.inactive)
                continue
            }
            let family = (row.instFamily?.isEmpty == false ? row.instFamily : row.uly) ?? ""
            let parts = family.split(separator: "-").map(String.init)
            guard parts.count == 2 else {
                throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "\(row.instId): no instFamily/uly")
            }
            let name = SymbolNormalizer.normalize(row.instId, baseAsset: parts[0])
            instruments.append(Instrument(
                instId: row.instId, symbol: name.symbol, quote: parts[1],
                margin: row.ctType == "inverse" ? .inverse : .linear, multiplier: name.multiplier))
        }
        return (instruments, result)
    }

    /// One `public/funding-rate?instId=` answer. Throws when it lacks the rate or the two settlement times.
    public static func parseFundingRate(_ data: some DataProtocol, instId: String) throws -> Funding {
        let endpoint = "/api/v5/public/funding-rate"
        guard let row = try rows(FundingRow.self, data, endpoint: endpoint).first(where: { $0.instId == instId }) else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "no row for \(instId)")
        }
        guard let rate = row.fundingRate.number, let settles = row.fundingTime.number,
              let following = row.nextFundingTime.number, following > settles
        else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "\(instId): missing fundingRate or funding times")
        }
        return Funding(
            instId: instId, rate: rate, settlesAt: Date(timeIntervalSince1970: settles / 1000),
            intervalHours: (following - settles) / 3_600_000, predictedRate: row.nextFundingRate.number)
    }

    /// Snapshots for `instruments` from their funding answers and the all-swap answers (nil: not fetched).
    public static func assemble(
        instruments: [Instrument], fundings: [String: Funding], tickers: (some DataProtocol)?,
        openInterest: (some DataProtocol)?, markPrices: (some DataProtocol)?, now: Date
    ) throws -> VenueFetchResult {
        let tickerRows = try tickers.map { try rows(TickerRow.self, $0, endpoint: "/api/v5/market/tickers") } ?? []
        let oiRows = try openInterest.map { try rows(OpenInterestRow.self, $0, endpoint: "/api/v5/public/open-interest") } ?? []
        let markRows = try markPrices.map { try rows(MarkRow.self, $0, endpoint: "/api/v5/public/mark-price") } ?? []
        let tickerBy = Dictionary(tickerRows.map { ($0.instId, $0) }, uniquingKeysWith: { a, _ in a })
        let oiBy = Dictionary(oiRows.map { ($0.instId, $0) }, uniquingKeysWith: { a, _ in a })
        let markBy = Dictionary(markRows.map { ($0.instId, $0.markPx.number) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for instrument in instruments {
            guard let f = fundings[instrument.instId] else {
                result.drop(.missingFundingRate)
                continue
            }
            let ticker = tickerBy[instrument.instId]
            let oi = oiBy[instrument.instId]
            let mark = markBy[instrument.instId] ?? nil
            let volume: Double? = switch (ticker?.volCcy24h.number, ticker?.last.number ?? mark) {
            case (let base?, let price?): base * price
            default: nil
            }
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: instrument.instId, symbol: instrument.symbol, quote: instrument.quote,
                margin: instrument.margin, multiplier: instrument.multiplier, time: now,
                fundingRate: f.rate, fundingIntervalHours: f.intervalHours, predictedRate: f.predictedRate,
                nextFundingTime: f.settlesAt, markPrice: mark, indexPrice: nil,
                openInterestBase: oi?.oiCcy.number, openInterestUSD: oi?.oiUsd.number, volume24hUSD: volume,
                bestBid: ticker?.bidPx.number, bestAsk: ticker?.askPx.number))
        }
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v5/public/funding-rate-history?instId=&after=&limit=` (OKX v5 docs "Get funding rate history"): newest
/// first, `limit` at most 100, `after` = rows with `fundingTime` earlier than this ms time, so pages go backward.
/// `realizedRate` is the rate actually settled (a **fraction per interval**); `fundingRate` on these rows is the rate
/// predicted for that settlement and is not stored here. `fundingTime` epoch ms as a string. Only the last three
/// months are served. 10 requests per 2 s per IP and instrument.
extension OKXAdapter: FundingHistorySource {
    static let historyPageSize = 100

    struct FundingHistoryRow: Decodable {
        var fundingTime: LenientDouble?
        var realizedRate: LenientDouble?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = min(request.limit ?? Self.historyPageSize, Self.historyPageSize)
        let path = "/api/v5/public/funding-rate-history?instId=\(request.dexSymbol)"
            + "&after=\(HistoryPaging.milliseconds(request.end))&limit=\(limit)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request,
                                            pageSize: limit)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest, pageSize: Int) throws
        -> FundingHistoryPage
    {
        let endpoint = "/api/v5/public/funding-rate-history"
        let rows = try decodeEnvelope(Envelope<FundingHistoryRow>.self, from: data, dex: dex, endpoint: endpoint)
            .map { row in
                try SettlementRow.required(time: row.fundingTime.date(.milliseconds), rate: row.realizedRate.number,
                                            dex: dex, endpoint: endpoint, fields: "realizedRate or fundingTime")
            }
        return HistoryPaging.page(rows, request: request, pageSize: pageSize, direction: .backward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
