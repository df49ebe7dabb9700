import Foundation
import FundingCore

/// GRVT perpetuals (`grvt`, market data at `https://market-data.grvt.io`). Every market-data call is a POST with a
/// JSON body under `/full/v1/`.
///
/// Endpoints and the unit facts relied on (GRVT API docs, `api-docs.grvt.io` schemas `Ticker` and
/// `ApiFundingRate`, the `gravity-technologies/api-spec` and `grvt-pysdk` texts, and
/// `Tests/Fixtures/grvt/SOURCE.md`):
/// - `POST /full/v1/all_instruments` `{"is_active":true}`: one answer with every instrument; `kind` PERPETUAL
///   are kept, `base`/`quote` name the assets (`KBONK` = 1000 BONK, read by `SymbolNormalizer`),
///   `funding_interval_hours` is the instrument's interval in hours (8 or 4 in the recording).
/// - `POST /full/v1/ticker` `{"instrument":"BTC_USDT_Perp"}`: one request per instrument (no all-markets
///   ticker), at most `tickerConcurrency` in flight.
///   - `funding_rate` (fallback: the deprecated `funding_rate_8h_curr`) is in **percentage points per the
///     instrument's `funding_interval_hours`**, despite the "8h" in the old name: the current docs say
///     "expressed in percentage points" (an older schema text said "centibeeps", which the data contradicts:
///     resting rates are 0.01 on 8 h perps). It is divided by 100 here: 0.0037 → 0.000037 per interval. It is
///     the running estimate for `next_funding_time`; there is no separate predicted rate.
///   - `next_funding_time`: unix **nanoseconds** (string).
///   - `open_interest` in base-asset units (of the instrument's base: 1000-BONK lots on `KBONK_USDT_Perp`);
///     USD = `open_interest` × `mark_price`.
///   - 24 h volume in USD = `buy_volume_24h_q` + `sell_volume_24h_q` (taker buy + taker sell, quote units, USDT).
///   - `mark_price`, `index_price`, `best_bid_price`, `best_ask_price` per contract unit.
///
/// Skipped on purpose: non-perpetual instruments (`not_perpetual`), instruments without
/// `funding_interval_hours` (`missing_funding_interval`), and instruments whose ticker request failed or came
/// back without a funding rate (`ticker_unavailable`): the ticker carries the funding rate, so no row can be
/// built without it. When every ticker request fails, the first error is thrown (the venue is down, not a market).
public struct GRVTAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "grvt", displayName: "GRVT", kind: .dex,
        defaultBaseURL: "https://market-data.grvt.io", defaultFundingIntervalHours: 8)

    static let dex = "grvt"

    /// Per-instrument ticker requests in flight at once.
    public var tickerConcurrency: Int

    public init(tickerConcurrency: Int = 4) {
        self.tickerConcurrency = tickerConcurrency
    }

    /// One perpetual as `all_instruments` describes it.
    public struct Instrument: Sendable, Hashable {
        public var instrument: String
        public var symbol: String
        public var quote: String
        public var multiplier: Double
        public var fundingIntervalHours: Double
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let instrumentsBody = try await client.post(
            "/full/v1/all_instruments", json: Array(#"{"is_active":true}"#.utf8), baseURL: baseURL)
        var (instruments, result) = try Self.parseInstruments(instrumentsBody)

        let tickers = await PerMarketRequests.gather(instruments, limit: tickerConcurrency) { instrument in
            let start = ContinuousClock.now
            let body = try JSONEncoder().encode(["instrument": instrument.instrument])
            let answer = try await client.post("/full/v1/ticker", json: Array(body), baseURL: baseURL)
            guard var snapshot = try Self.parseTicker(answer, instrument: instrument, now: now) else {
                throw VenuePayloadError(dex: Self.dex, endpoint: "/full/v1/ticker", reason: "no funding_rate")
            }
            snapshot.collectionLatencyMs = Int((ContinuousClock.now - start).wholeMilliseconds)
            return snapshot
        }
        try tickers.requireAny("POST /full/v1/ticker")
        result.snapshots += tickers.values.map(\.value)
        tickers.recordFailures(on: &result, request: "POST /full/v1/ticker")
        return result
    }

    // MARK: - Parsing (pure)

    struct InstrumentsAnswer: Decodable {
        var result: [InstrumentRow]
    }

    struct InstrumentRow: Decodable {
        var instrument: String
        var base: String
        var quote: String
        var kind: String
        var funding_interval_hours: LenientDouble?
    }

    struct TickerAnswer: Decodable {
        var result: TickerRow
    }

    struct TickerRow: Decodable {
        var instrument: String?
        var mark_price: LenientDouble?
        var index_price: LenientDouble?
        var best_bid_price: LenientDouble?
        var best_ask_price: LenientDouble?
        var funding_rate: LenientDouble?
        var funding_rate_8h_curr: LenientDouble?
        var next_funding_time: LenientDouble?
        var open_interest: LenientDouble?
        var buy_volume_24h_q: LenientDouble?
        var sell_volume_24h_q: LenientDouble?
    }

    /// The perpetuals of one `all_instruments` answer, and the instruments skipped on purpose.
    public static func parseInstruments(_ data: some DataProtocol) throws -> ([Instrument], VenueFetchResult) {
        let answer = try decodePayload(InstrumentsAnswer.self, from: data, dex: dex, endpoint: "/full/v1/all_instruments")
        var instruments: [Instrument] = []
        var result = VenueFetchResult()
        for row in answer.result {
            guard row.kind == "PERPETUAL" else {
                result.exclude(.notPerpetual)
                continue
            }
            guard let hours = row.funding_interval_hours.number, hours > 0 else {
                result.drop(.missingFundingInterval)
                continue
            }
            let name = SymbolNormalizer.normalize(row.instrument, baseAsset: row.base)
            instruments.append(Instrument(
                instrument: row.instrument, symbol: name.symbol, quote: row.quote, multiplier: name.multiplier,
                fundingIntervalHours: hours))
        }
        return (instruments, result)
    }

    /// The snapshot of one `/full/v1/ticker` answer, or nil when it carries no funding rate.
    public static func parseTicker(_ data: some DataProtocol, instrument: Instrument, now: Date) throws -> MarketSnapshot? {
        let t = try decodePayload(TickerAnswer.self, from: data, dex: dex, endpoint: "/full/v1/ticker").result
        if let name = t.instrument, name != instrument.instrument {
            throw VenuePayloadError(
                dex: dex, endpoint: "/full/v1/ticker", reason: "asked for \(instrument.instrument), got \(name)")
        }
        guard let percent = t.funding_rate.number ?? t.funding_rate_8h_curr.number else { return nil }
        let mark = t.mark_price.number
        let volume: Double? = switch (t.buy_volume_24h_q.number, t.sell_volume_24h_q.number) {
        case (let buy?, let sell?): buy + sell
        default: nil
        }
        return MarketSnapshot(
            dex: dex, dexSymbol: instrument.instrument, symbol: instrument.symbol, quote: instrument.quote,
            margin: .linear, multiplier: instrument.multiplier,
            time: now,
            fundingRate: FundingUnits.fraction(fromPercent: percent),
            fundingIntervalHours: instrument.fundingIntervalHours, predictedRate: nil,
            nextFundingTime: t.next_funding_time.date(.nanoseconds),
            markPrice: mark, indexPrice: t.index_price.number,
            openInterestBase: t.open_interest.number,
            openInterestUSD: t.open_interest.number.times(mark),
            volume24hUSD: volume, bestBid: t.best_bid_price.number, bestAsk: t.best_ask_price.number)
    }
}
