import Foundation
import FundingCore

/// Gate perpetual futures (`gate`, `https://api.gateio.ws`), API v4.
///
/// Endpoints, per settle currency `usdt` (linear, USDT-margined) and `btc` (inverse, BTC-margined), four
/// requests per cycle (public futures endpoints allow far more than that):
/// - `GET /api/v4/futures/{settle}/contracts`: every contract of the settle currency, with funding, mark, index
///   and open interest. This is the market list.
/// - `GET /api/v4/futures/{settle}/tickers`: every contract's best bid/ask and 24 h volume, joined by `contract`.
///   A tickers answer that fails, or a contract without a ticker, keeps the row without those fields (degraded
///   `book_top`, `volume`); a ticker with no contract row is dropped as `unknown_market`.
///
/// Unit facts (Gate API v4 docs, models `Contract` and `FuturesTicker` of gateio/gateapi-python
/// docs/Contract.md and docs/FuturesTicker.md; fixture `SOURCE.md`):
/// - `funding_rate`: string fraction for the current interval; `funding_rate_indicative`: the indicative rate of
///   the next period → `predictedRate`.
/// - `funding_interval`: the interval in **seconds** (28800 = 8 h); `funding_next_apply`: Unix **seconds**.
/// - `position_size`: open interest in **contracts** ("current total long position size", one side).
///   `quanto_multiplier`: base units per contract ("multiplier used in converting from invoicing to settlement
///   currency"; 0.0001 BTC on BTC_USDT) → base = contracts × quanto_multiplier, USD = base × mark.
///   Inverse (`type` = `inverse`, settle btc) contracts: their USD face value is not stated in the docs read,
///   so their open interest stays nil.
/// - `mark_price`, `index_price` per coin (Gate lists small coins natively, with a large quanto multiplier,
///   so the symbol multiplier is 1 unless the name has a prefix).
/// - tickers `highest_bid` / `lowest_ask`; `volume_24h_quote`: 24 h volume in the quote currency → USD.
/// Contracts `trade_size` is cumulative, not 24 h, and is not used.
public struct GateAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "gate", displayName: "Gate", kind: .cex,
        defaultBaseURL: "https://api.gateio.ws", defaultFundingIntervalHours: 8)

    static let dex = "gate"

    /// Settle currencies fetched (both by default).
    public var settles: [String]

    public init(settles: [String] = ["usdt", "btc"]) {
        self.settles = settles
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let parts = await PerMarketRequests.gather(settles, limit: 2) { settle in
            async let tickers = client.attempt("/api/v4/futures/\(settle)/tickers", baseURL: baseURL)
            let contracts = try await client.get("/api/v4/futures/\(settle)/contracts", baseURL: baseURL)
            return try Self.parse(contracts: contracts, tickers: try? await tickers.get(), now: now)
        }
        try parts.requireAny("GET /api/v4/futures/{settle}/contracts")
        var result = VenueFetchResult()
        for part in parts.values { result.merge(part.value) }
        // A failed settle currency's markets are unknown: the loss is recorded without a count.
        for failure in parts.failures { result.fail("GET /api/v4/futures/\(failure.key)/contracts", failure.error) }
        return result
    }

    // MARK: - Parsing (pure)

    struct Contract: Decodable {
        var name: String
        var type: String?
        var quanto_multiplier: LenientDouble?
        var mark_price: LenientDouble?
        var index_price: LenientDouble?
        var funding_rate: LenientDouble?
        var funding_rate_indicative: LenientDouble?
        var funding_interval: LenientDouble?
        var funding_next_apply: LenientDouble?
        var position_size: LenientDouble?
    }

    struct Ticker: Decodable {
        var contract: String
        var highest_bid: LenientDouble?
        var lowest_ask: LenientDouble?
        var volume_24h_quote: LenientDouble?
    }

    /// Snapshots from one settle currency's `contracts` answer and its `tickers` answer (nil: not available).
    public static func parse(contracts: some DataProtocol, tickers: (some DataProtocol)?, now: Date) throws -> VenueFetchResult {
        let rows = try decodePayload([Contract].self, from: contracts, dex: dex, endpoint: "/futures/{settle}/contracts")
        let tickerRows = try tickers.map {
            try decodePayload([Ticker].self, from: $0, dex: dex, endpoint: "/futures/{settle}/tickers")
        }
        let tickerBy = Dictionary((tickerRows ?? []).map { ($0.contract, $0) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for c in rows {
            guard let rate = c.funding_rate.number else { result.drop(.missingFundingRate); continue }
            guard let seconds = c.funding_interval.number, seconds > 0 else { result.drop(.missingFundingInterval); continue }
            let name = SymbolNormalizer.normalize(c.name)
            guard let quote = name.quote else { result.drop(.unknownQuote); continue }
            let inverse = c.type == "inverse"
            let ticker = tickerBy[c.name]
            let size = inverse ? nil : c.quanto_multiplier.number.flatMap { $0 > 0 ? $0 : nil }
            let oiBase = c.position_size.number.times(size)
            let mark = c.mark_price.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: c.name, symbol: name.symbol, quote: quote,
                margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: seconds / 3600,
                predictedRate: c.funding_rate_indicative.number, nextFundingTime: c.funding_next_apply.date(.seconds),
                markPrice: mark, indexPrice: c.index_price.number, openInterestBase: oiBase,
                openInterestUSD: oiBase.times(mark),
                volume24hUSD: ticker?.volume_24h_quote.number,
                bestBid: ticker?.highest_bid.number, bestAsk: ticker?.lowest_ask.number))
        }
        let known = Set(rows.map(\.name))
        result.drop(.unknownMarket, count: tickerRows?.filter { !known.contains($0.contract) }.count ?? 0)
        let unticked = result.snapshots.filter { tickerBy[$0.dexSymbol] == nil }.count
        result.degrade(.bookTop, count: unticked)
        result.degrade(.volume, count: unticked)
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v4/futures/{settle}/funding_rate?contract=&from=&to=&limit=` (Gate API v4 "Funding rate history"; its
/// parameters `from`/`to` in **seconds** and `limit` are also in Gate's own MCP tool schema): rows `{t, r}`, `t` epoch
/// seconds, `r` a **fraction per interval** as a string. `limit` defaults to 100; the maximum and the order of rows
/// when a range holds more than `limit` are not confirmed in the docs read, so each request covers at most 96 h
/// (96 settlements at the shortest, hourly interval: never a full page of 100) and a full page is an error rather than
/// a silent cut. The settle currency follows the contract: `…_USDT` is `usdt`, `…_USD` (inverse) is `btc`.
extension GateAdapter: FundingHistorySource {
    static let historyPageSize = 100
    static let historyWindow: TimeInterval = 96 * 3600

    struct FundingRateRow: Decodable {
        var t: LenientDouble?
        var r: LenientDouble?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let settle = request.dexSymbol.hasSuffix("_USD") ? "btc" : "usdt"
        let from = Int64(request.start.timeIntervalSince1970.rounded(.up))
        let to = Int64((HistoryPaging.windowEnd(request, span: Self.historyWindow).timeIntervalSince1970 - 0.001)
            .rounded(.down))
        let path = "/api/v4/futures/\(settle)/funding_rate?contract=\(request.dexSymbol)&from=\(from)&to=\(to)"
            + "&limit=\(Self.historyPageSize)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let endpoint = "/api/v4/futures/{settle}/funding_rate"
        let rows = try decodePayload([FundingRateRow].self, from: data, dex: dex, endpoint: endpoint).map { row in
            try SettlementRow.required(time: row.t.date(.seconds), rate: row.r.number,
                                        dex: dex, endpoint: endpoint, fields: "t or r")
        }
        guard rows.count < historyPageSize else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint,
                                    reason: "a full page of \(historyPageSize) rows in a 96 h window: rows may be cut off")
        }
        return HistoryPaging.page(rows, request: request, pageSize: historyPageSize,
                                  direction: .windows(historyWindow),
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
