import Foundation
import FundingCore

/// Deribit perpetuals: the coin-margined inverse `BTC-PERPETUAL` / `ETH-PERPETUAL` and the USDC-margined linear
/// `*_USDC-PERPETUAL` (`deribit`, `https://www.deribit.com`, JSON-RPC over HTTP GET).
///
/// Endpoints (Deribit API v2 docs, docs.deribit.com, `public/get_instruments` and `public/ticker`):
/// - `GET /api/v2/public/get_instruments?currency=any&kind=future&expired=false`: every live future; the
///   perpetuals are those with `settlement_period` `perpetual`; dated futures are excluded as `dated_future`,
///   other kinds (combos) as `not_perpetual`.
/// - `GET /api/v2/public/ticker?instrument_name=` per perpetual (about 20), at most 4 in flight with starts
///   50 ms apart: inside the public (non-matching-engine) budget of 20 requests / s. A failed ticker costs only
///   that market (a failed request), and so does a malformed ticker answer.
///   `get_book_summary_by_currency` would take four requests but carries
///   no index price; no recording of its perpetual rows exists here.
///
/// Unit facts:
/// - `funding_8h`: the funding rate over 8 hours, a fraction. Deribit funding **accrues continuously** (it is
///   charged every millisecond on the mark-index premium), so there is no settlement and no next funding time.
///   Stored as `fundingRate` = `funding_8h` with `fundingIntervalHours` = 8: the rate per hour
///   (`funding_8h` / 8) is what a position pays on average per hour. `current_funding` (instantaneous) is not
///   used; no predicted rate.
/// - `open_interest`: "for perpetual and inverse futures the amount is in USD units, for options and linear
///   futures the underlying base currency" (docs, `amount`). Inverse (`instrument_type` `reversed`): USD, base
///   = USD / mark. Linear (`instrument_type` `linear`, USDC perps): base coin, USD = base × mark.
/// - `stats.volume_usd`: 24 h volume in USD; `mark_price`, `index_price`, `best_bid_price`, `best_ask_price`
///   in the quote currency (USD for inverse, USDC for linear).
public struct DeribitAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "deribit", displayName: "Deribit", kind: .cex,
        defaultBaseURL: "https://www.deribit.com", defaultFundingIntervalHours: 8)

    static let dex = "deribit"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let body = try await client.get("/api/v2/public/get_instruments?currency=any&kind=future&expired=false", baseURL: baseURL)
        let (perpetuals, listed) = try Self.parseInstruments(body)
        var result = listed
        let tickers = await PerMarketRequests.gather(perpetuals, limit: 4, spacing: .milliseconds(50)) { instrument in
            let body = try await client.get("/api/v2/public/ticker?instrument_name=\(instrument.name)", baseURL: baseURL)
            return try Self.parseTicker(body, instrument: instrument, now: now)
        }
        try tickers.requireAny("GET /api/v2/public/ticker")
        tickers.recordFailures(on: &result, request: "GET /api/v2/public/ticker")
        result.snapshots += tickers.values.map(\.value)
        return result
    }

    // MARK: - Parsing (pure)

    struct Envelope<T: Decodable>: VenueEnvelope {
        var result: T?
        var error: RPCError?
        var failure: String? { error.map { "error \($0.code): \($0.message)" } }
        var payload: T? { result }
    }

    struct RPCError: Decodable {
        var code: Int
        var message: String
    }

    /// One perpetual as `get_instruments` lists it.
    public struct Instrument: Decodable, Sendable, CustomStringConvertible {
        var instrument_name: String
        var kind: String?
        var base_currency: String
        var quote_currency: String
        var instrument_type: String?
        var settlement_period: String?

        public var name: String { instrument_name }
        public var description: String { instrument_name }
    }

    struct Ticker: Decodable {
        struct Stats: Decodable {
            var volume_usd: LenientDouble?
        }
        var funding_8h: LenientDouble?
        var mark_price: LenientDouble?
        var index_price: LenientDouble?
        var open_interest: LenientDouble?
        var best_bid_price: LenientDouble?
        var best_ask_price: LenientDouble?
        var stats: Stats?
    }

    /// The perpetuals of one `get_instruments` answer, and the instruments excluded.
    public static func parseInstruments(_ data: some DataProtocol) throws -> ([Instrument], VenueFetchResult) {
        var result = VenueFetchResult()
        var perpetuals: [Instrument] = []
        for i in try decodeEnvelope(Envelope<[Instrument]>.self, from: data, dex: dex, endpoint: "public/get_instruments") {
            if i.kind != "future" {
                result.exclude(.notPerpetual)
            } else if i.settlement_period == "perpetual" {
                perpetuals.append(i)
            } else {
                result.exclude(.datedFuture)
            }
        }
        return (perpetuals, result)
    }

    /// The snapshot of one perpetual from its `public/ticker` answer.
    public static func parseTicker(_ data: some DataProtocol, instrument: Instrument, now: Date) throws -> MarketSnapshot {
        let endpoint = "public/ticker"
        let t = try decodeEnvelope(Envelope<Ticker>.self, from: data, dex: dex, endpoint: endpoint)
        guard let rate = t.funding_8h.number else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "\(instrument.name): no funding_8h")
        }
        let inverse = instrument.instrument_type == "reversed"
        let mark = t.mark_price.number
        let oi = t.open_interest.number
        let oiUSD = inverse ? oi : oi.times(mark)
        let oiBase = inverse ? oi.times(mark.flatMap { $0 > 0 ? 1 / $0 : nil }) : oi
        let name = SymbolNormalizer.normalize(instrument.name, baseAsset: instrument.base_currency)
        return MarketSnapshot(
            dex: dex, dexSymbol: instrument.name, symbol: name.symbol, quote: instrument.quote_currency,
            margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
            fundingRate: rate, fundingIntervalHours: 8, markPrice: mark, indexPrice: t.index_price.number,
            openInterestBase: oiBase, openInterestUSD: oiUSD, volume24hUSD: t.stats?.volume_usd.number,
            bestBid: t.best_bid_price.number, bestAsk: t.best_ask_price.number)
    }
}

// MARK: - Settled funding history

/// `GET /api/v2/public/get_funding_rate_history?instrument_name=&start_timestamp=&end_timestamp=` (Deribit API v2
/// docs: "hourly historical funding rate (interest rate) data for a PERPETUAL instrument"; all three parameters
/// required, ms): rows ascending by `timestamp`, one per hour, with `interest_1h`, `interest_8h`, `index_price`
/// and `prev_index_price`.
///
/// What one stored settlement is here: Deribit has no funding times (funding accrues every millisecond, see
/// above), so each hourly row is taken as one settlement of **1 hour**, at `timestamp`, with `fundingRate` =
/// `interest_1h`, the funding accrued over the hour that ends at `timestamp` as a **fraction** (the docs call it
/// the "1hour interest rate"; OpenBB's Deribit model "the funding rate over the hour", with `index_price` "at the
/// end of the hour" and `prev_index_price` "at the start"). `index_price` is stored as the index at that time.
/// `interest_8h` is not the same quantity times 8: in the docs example (2019-10-01) it is about 200 times
/// `interest_1h` (−9.23e-5 against −4.74e-7 on the first row; the same hour as an 8 h rate would be −3.8e-6), so
/// it is not that hour's rate scaled; OpenBB describes it as "the funding rate over the trailing eight hours". ccxt's
/// `fetchFundingRateHistory` reports `interest_8h` on every hourly row with interval "8h": summed, that would count
/// each hour up to eight times; Σ `interest_1h` is what a position was charged, which is what realised funding
/// sums.
///
/// Paging: the cap per answer is not in the docs; ccxt reads 744 rows (31 days) as the most one answer holds, and
/// an older client 500. Each request covers at most 480 hours (`.windows`), under both, so no answer is cut.
/// The snapshot path stores `funding_8h` with an 8 h interval; these rows carry 1 h: both are fractions per
/// their own interval, so `rate_1h` compares across them. The market's interval is therefore 8 h while a
/// settlement is due every hour (`settlementIntervalHours`), which is what a backfill's refresh follows.
extension DeribitAdapter: FundingHistorySource {
    /// Hourly rows: a backfill refreshes every hour, not on the 8 h the snapshots quote.
    public static var settlementIntervalHours: Double? { 1 }
    static let historyWindow: TimeInterval = 480 * 3600
    static let historyEndpoint = "public/get_funding_rate_history"

    struct FundingHistoryRow: Decodable {
        var timestamp: LenientDouble?
        var interest_1h: LenientDouble?
        var index_price: LenientDouble?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let end = HistoryPaging.windowEnd(request, span: Self.historyWindow)
        let path = "/api/v2/\(Self.historyEndpoint)?instrument_name=\(request.dexSymbol)"
            + "&start_timestamp=\(HistoryPaging.milliseconds(request.start))"
            + "&end_timestamp=\(HistoryPaging.milliseconds(end) - 1)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let rows = try decodeEnvelope(Envelope<[FundingHistoryRow]>.self, from: data, dex: dex, endpoint: historyEndpoint)
            .map { row in
                try SettlementRow.required(time: row.timestamp.date(.milliseconds), rate: row.interest_1h.number,
                                            intervalHours: 1, indexPrice: row.index_price.number,
                                            dex: dex, endpoint: historyEndpoint, fields: "interest_1h or timestamp")
            }
        return HistoryPaging.page(rows, request: request, pageSize: .max, direction: .windows(historyWindow),
                                  defaultInterval: 1)
    }
}
