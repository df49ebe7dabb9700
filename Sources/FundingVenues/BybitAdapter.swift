import Foundation
import FundingCore

/// Bybit v5 perpetuals, USDT/USDC linear and coin-margined inverse (`bybit`, `https://api.bybit.com`).
///
/// Endpoint: `GET /v5/market/tickers?category=linear` and `?category=inverse`; without `symbol` each returns
/// every contract of the category in one answer (perpetuals and dated futures). Two requests per cycle against a
/// limit of 600 requests per 5 s per IP. Unit facts relied on (Bybit v5 docs `docs/v5/market/tickers.mdx` as
/// recorded in `Tests/Fixtures/bybit/SOURCE.md`, checked against the recorded inverse answer):
/// - `fundingRate`: string **fraction per funding interval**, charged at `nextFundingTime` (ms string). Bybit
///   publishes no separate predicted rate (`predictedRate` nil).
/// - `fundingIntervalHour`: the interval in **hours** (string, "8"). When a category's tickers lack it for some
///   perpetual, `GET /v5/market/instruments-info?category=<c>&limit=1000` is fetched once for that category and
///   its `fundingInterval` is used, which is in **minutes** (480 = 8 h; Bybit v5 docs
///   `docs/v5/market/instrument.mdx`, recorded `instruments-info-linear.json`). A perpetual found in neither is
///   dropped (`missing_funding_interval`) rather than given a guessed 8 h.
/// - Linear (`BTCUSDT`, `1000PEPEUSDT`, USDC perps `BTCPERP`): `openInterest` in base coin (contract units:
///   1000-PEPE lots on `1000PEPEUSDT`), `openInterestValue` in the quote coin → `openInterestUSD`;
///   `turnover24h` is quote-coin volume → `volume24hUSD` (`volume24h` is base).
/// - Inverse (`BTCUSD`): contracts are 1 USD each, so `openInterest` is USD → `openInterestUSD` and
///   `openInterestValue` is coin → `openInterestBase`; `volume24h` is USD → `volume24hUSD` (`turnover24h` is
///   coin). In the recording, 240,113,967 USD / mark 114,898.43 = 2,089.8 BTC = `openInterestValue` "2089.79".
/// - `markPrice`, `indexPrice`, `bid1Price`, `ask1Price` (best bid / ask) per contract unit.
///
/// Symbols: tickers carry no base-coin field, so the market name is normalised (`BTCPERP` → BTC/USDC,
/// `BTCUSD` → BTC/USD inverse, `1000PEPEUSDT` → PEPE × 1000); Bybit's trailing-multiplier names
/// (`SHIB1000USDT`) are read here as SHIB × 1000 (`SymbolNormalizer` only knows prefixes).
///
/// Excluded: dated futures (`deliveryTime` ≠ 0: `BTC-28MAR25`, `BTCUSDH25`) as `dated_future`. Dropped: rows
/// without a funding rate (pre-listing) as `missing_funding_rate`, without an interval as
/// `missing_funding_interval`, names whose quote cannot be read as `unknown_quote`. A failed or malformed tickers
/// answer costs its category only (a failed request); the venue fails when every category does.
public struct BybitAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "bybit", displayName: "Bybit", kind: .cex,
        defaultBaseURL: "https://api.bybit.com", defaultFundingIntervalHours: 8)

    static let dex = "bybit"

    public enum Category: String, Sendable, CaseIterable {
        case linear, inverse
    }

    /// The categories fetched (both by default).
    public var categories: [Category]

    public init(categories: [Category] = Category.allCases) {
        self.categories = categories
    }

    /// Each category is fetched on its own; one that fails costs only its markets (counted as
    /// `category_unavailable`), and the venue fails only when every category does.
    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let parts = await PerMarketRequests.gather(categories, limit: categories.count) { category in
            let start = ContinuousClock.now
            let body = try await client.get("/v5/market/tickers?category=\(category.rawValue)", baseURL: baseURL)
            var result = try Self.parseTickers(body, category: category, now: now)
            if let missing = result.dropped[.missingFundingInterval], missing > 0 {
                let path = "/v5/market/instruments-info?category=\(category.rawValue)&limit=1000"
                do {
                    let intervals = try Self.parseInstrumentIntervals(try await client.get(path, baseURL: baseURL))
                    result = try Self.parseTickers(body, category: category, intervals: intervals, now: now)
                } catch {
                    result.fail("GET " + path, error, marketsLost: missing)
                    result.dropped[.missingFundingInterval] = nil  // counted in the failed request
                }
            }
            result.stampLatency(since: start)
            return result
        }
        try parts.requireAny("GET /v5/market/tickers")
        var merged = VenueFetchResult()
        for part in parts.values { merged.merge(part.value) }
        // A failed category's markets are unknown: the loss is recorded without a count.
        for failure in parts.failures {
            merged.fail("GET /v5/market/tickers?category=\(failure.key.rawValue)", failure.error)
        }
        merged.snapshots.sort { $0.dexSymbol < $1.dexSymbol }
        return merged
    }

    // MARK: - Parsing (pure)

    struct Ticker: Decodable {
        var symbol: String
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var openInterest: LenientDouble?
        var openInterestValue: LenientDouble?
        var turnover24h: LenientDouble?
        var volume24h: LenientDouble?
        var fundingRate: LenientDouble?
        var nextFundingTime: LenientDouble?
        var deliveryTime: LenientDouble?
        var bid1Price: LenientDouble?
        var ask1Price: LenientDouble?
        var fundingIntervalHour: LenientDouble?
    }

    struct Instrument: Decodable {
        var symbol: String
        var fundingInterval: LenientDouble?
    }

    /// `{"retCode":0,"retMsg":"OK","result":{"list":[...]}}`.
    struct Envelope<Payload: Decodable>: VenueEnvelope {
        var retCode: Int
        var retMsg: String?
        var result: Payload?
        var failure: String? { retCode == 0 ? nil : "retCode \(retCode): \(retMsg ?? "")" }
        var payload: Payload? { result }
    }

    struct List<Row: Decodable>: Decodable {
        var list: [Row]
    }

    /// Funding interval in hours by symbol from one `instruments-info` answer (`fundingInterval` is minutes).
    public static func parseInstrumentIntervals(_ data: some DataProtocol) throws -> [String: Double] {
        let rows = try decodeEnvelope(Envelope<List<Instrument>>.self, from: data, dex: dex, endpoint: "/v5/market/instruments-info").list
        return Dictionary(rows.compactMap { row in row.fundingInterval.number.map { (row.symbol, $0 / 60) } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// Snapshots from one `GET /v5/market/tickers?category=` answer; `intervals` (hours by symbol, from
    /// instruments-info) serve tickers without `fundingIntervalHour`.
    public static func parseTickers(
        _ data: some DataProtocol, category: Category, intervals: [String: Double] = [:], now: Date
    ) throws -> VenueFetchResult {
        let endpoint = "/v5/market/tickers?category=\(category.rawValue)"
        let list = try decodeEnvelope(Envelope<List<Ticker>>.self, from: data, dex: dex, endpoint: endpoint).list

        var result = VenueFetchResult()
        for t in list {
            if let delivery = t.deliveryTime.number, delivery != 0 {
                result.exclude(.datedFuture)
                continue
            }
            guard let rate = t.fundingRate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            guard let hours = t.fundingIntervalHour.number ?? intervals[t.symbol], hours > 0 else {
                result.drop(.missingFundingInterval)
                continue
            }
            let name = normalize(t.symbol)
            guard let quote = name.quote ?? (category == .inverse ? "USD" : nil) else {
                result.drop(.unknownQuote)
                continue
            }
            var s = MarketSnapshot(
                dex: dex, dexSymbol: t.symbol, symbol: name.symbol, quote: quote,
                margin: category == .inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: hours, predictedRate: nil,
                nextFundingTime: t.nextFundingTime.date(.milliseconds),
                markPrice: t.markPrice.number, indexPrice: t.indexPrice.number,
                bestBid: t.bid1Price.number, bestAsk: t.ask1Price.number)
            switch category {
            case .linear:
                s.openInterestBase = t.openInterest.number
                s.openInterestUSD = t.openInterestValue.number
                s.volume24hUSD = t.turnover24h.number
            case .inverse:
                s.openInterestBase = t.openInterestValue.number
                s.openInterestUSD = t.openInterest.number
                s.volume24hUSD = t.volume24h.number
            }
            result.snapshots.append(s)
        }
        return result
    }

    /// `SymbolNormalizer`, plus Bybit's trailing multipliers (`SHIB1000USDT` → SHIB × 1000).
    static func normalize(_ venueSymbol: String) -> NormalizedSymbol {
        var name = SymbolNormalizer.normalize(venueSymbol)
        guard name.multiplier == 1 else { return name }
        for (suffix, m) in [("1000000", 1_000_000.0), ("10000", 10_000), ("1000", 1_000)] {
            let stem = name.symbol.dropLast(suffix.count)
            if name.symbol.hasSuffix(suffix), stem.count >= 2, stem.allSatisfy({ $0.isLetter }) {
                name.symbol = String(stem)
                name.multiplier = m
                break
            }
        }
        return name
    }
}

// MARK: - Settled funding history

/// `GET /v5/market/funding/history?category=&symbol=&startTime=&endTime=&limit=` (Bybit v5 docs
/// `market/history-fund-rate`): newest first, `limit` 1–200; only `startTime` is an error, so both ends are sent and
/// pages go backward by `endTime` (ms, inclusive). `fundingRate` a **fraction per interval** as a string,
/// `fundingRateTimestamp` epoch ms as a string; no interval and no price on the rows (the interval is the time since
/// the previous settlement). The category follows the symbol: inverse perpetuals are `<coin>USD` (`BTCUSD`), linear
/// ones end in `USDT`, `USDC` or `PERP`. 600 requests per 5 s per IP for all of api.bybit.com.
extension BybitAdapter: FundingHistorySource {
    static let historyPageSize = 200

    struct FundingHistoryRow: Decodable {
        var fundingRate: LenientDouble?
        var fundingRateTimestamp: LenientDouble?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = min(request.limit ?? Self.historyPageSize, Self.historyPageSize)
        let category = request.dexSymbol.hasSuffix("USD") ? "inverse" : "linear"
        let path = "/v5/market/funding/history?category=\(category)&symbol=\(request.dexSymbol)"
            + "&startTime=\(HistoryPaging.milliseconds(request.start))"
            + "&endTime=\(HistoryPaging.milliseconds(request.end) - 1)&limit=\(limit)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request,
                                            pageSize: limit)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest, pageSize: Int) throws
        -> FundingHistoryPage
    {
        let endpoint = "/v5/market/funding/history"
        let rows = try decodeEnvelope(Envelope<List<FundingHistoryRow>>.self, from: data, dex: dex, endpoint: endpoint)
            .list.map { row in
                try SettlementRow.required(time: row.fundingRateTimestamp.date(.milliseconds), rate: row.fundingRate.number,
                                            dex: dex, endpoint: endpoint, fields: "fundingRate or fundingRateTimestamp")
            }
        return HistoryPaging.page(rows, request: request, pageSize: pageSize, direction: .backward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
