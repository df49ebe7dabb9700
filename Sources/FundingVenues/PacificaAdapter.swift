import Foundation
import FundingCore

/// Pacifica perpetuals (`pacifica`, `https://api.pacifica.fi`), two requests per cycle.
///
/// Endpoints and unit facts (Pacifica API docs "Markets → Get prices" and "Get market info", docs "Funding
/// Rates" — funding settles every hour on the hour —, `Tests/Fixtures/pacifica/SOURCE.md`):
/// - `GET /api/v1/info/prices` (every symbol, `{"success":true,"data":[…]}`): `funding` is a string **fraction
///   per 1 hour**, the rate fixed for the settlement at the next top of the hour (third-party live checks: the
///   docs' "paid in the past epoch" wording notwithstanding) → `fundingRate`, interval 1 h, `nextFundingTime` =
///   next top of the hour after `now`; `next_funding` is the running estimate for the settlement after it →
///   `predictedRate`. `mark` → mark price, `oracle` → index price (USD per coin).
/// - `open_interest` is in **base units** (the docs say USD, but recorded values are coins: BTC 412 beside
///   158 M USD of daily volume) → USD = open interest × mark. `volume_24h` is USD.
/// - `GET /api/v1/info` (market specs): `instrument_type` `"spot"` marks spot pairs (`SOL-USDC`), excluded;
///   absent (the docs' sample) or `"perpetual"` is a perpetual. A failed `/info` fails the venue: without it a
///   spot pair could pass as a perpetual.
/// - Symbols are bare base names quoted in USD (settled in USDC); `kBONK` is 1,000 BONK (`SymbolNormalizer`).
///   No best bid/ask in these answers (`mid` only; the book is per market).
public struct PacificaAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "pacifica", displayName: "Pacifica", kind: .dex,
        defaultBaseURL: "https://api.pacifica.fi", defaultFundingIntervalHours: 1)

    static let dex = "pacifica"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let prices = client.get("/api/v1/info/prices", baseURL: baseURL)
        async let info = client.get("/api/v1/info", baseURL: baseURL)
        var result = try Self.parse(prices: try await prices, info: try await info, now: now)
        result.stampLatency(since: start)
        return result
    }

    struct Envelope<T: Decodable>: VenueEnvelope {
        var success: Bool
        var data: [T]?
        var error: String?
        var failure: String? { success ? nil : (error ?? "success=false") }
        var payload: [T]? { data }
    }

    struct Price: Decodable {
        var symbol: String
        var funding: LenientDouble?
        var next_funding: LenientDouble?
        var mark: LenientDouble?
        var oracle: LenientDouble?
        var open_interest: LenientDouble?
        var volume_24h: LenientDouble?
    }

    struct Market: Decodable {
        var symbol: String
        var instrument_type: String?
    }

    /// Snapshots from one `/info/prices` answer, with `/info` telling perpetuals from spot pairs; symbol order.
    public static func parse(prices: some DataProtocol, info: some DataProtocol, now: Date) throws -> VenueFetchResult {
        let rows = try decodeEnvelope(Envelope<Price>.self, from: prices, dex: dex, endpoint: "/api/v1/info/prices")
        let markets = try decodeEnvelope(Envelope<Market>.self, from: info, dex: dex, endpoint: "/api/v1/info")
        let spot = Set(markets.filter { $0.instrument_type == "spot" }.map(\.symbol))
        var result = VenueFetchResult()
        for row in rows.sorted(by: { $0.symbol < $1.symbol }) {
            guard !spot.contains(row.symbol) else { result.exclude(.spot); continue }
            guard let rate = row.funding.number else { result.drop(.missingFundingRate); continue }
            let name = SymbolNormalizer.normalize(row.symbol)
            let mark = row.mark.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: row.symbol, symbol: name.symbol, quote: "USD", multiplier: name.multiplier,
                time: now, fundingRate: rate, fundingIntervalHours: 1, predictedRate: row.next_funding.number,
                nextFundingTime: VenueTime.nextTopOfHour(after: now), markPrice: mark, indexPrice: row.oracle.number,
                openInterestBase: row.open_interest.number, openInterestUSD: row.open_interest.number.times(mark),
                volume24hUSD: row.volume_24h.number))
        }
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v1/funding_rate/history?symbol=&limit=&cursor=` (Pacifica API docs "Markets → Get historical funding";
/// `Tests/Fixtures/pacifica/SOURCE.md`): `{"success":true,"data":[…],"next_cursor":…,"has_more":…}`, **newest
/// first**, `limit` at most 4,000 (the rows asked: `HistoryPaging.newestFirstLimit`), no time filter: walked back with `next_cursor` while `has_more`
/// (`HistoryPaging.newestFirst`).
///
/// Unit facts relied on:
/// - `funding_rate` is the rate **settled** at `created_at` (epoch **ms**, a few hundred ms after the hour, kept as
///   published), a fraction **per 1 hour** (docs: funding settles every hour on the hour, both rates are hourly);
///   `next_funding_rate` is the rate already fixed for the next hour and is not stored: in the live recording
///   (`funding_rate_history_live.json`) each row's `next_funding_rate` is the following hour's `funding_rate`
///   (0.00000632 at 21:00 then 0.00000383 fixed for 22:00, which settled 0.00000383). Positive: longs pay.
/// - Interval 1 h, stated: the rate is an hourly rate applied once per settlement, so a missed hour (the venue
///   has had a few two-hour gaps) does not make the next settlement a two-hour one.
/// - `oracle_price` is the oracle price at the settlement → index price. The impact prices are not stored.
/// A row without `created_at` or `funding_rate` fails the page.
extension PacificaAdapter: FundingHistorySource {
    static let historyPageSize = 4000

    struct HistoryAnswer: Decodable {
        var success: Bool
        var data: [Row]?
        var error: String?
        var next_cursor: String?
        var has_more: Bool?
        struct Row: Decodable {
            var funding_rate: LenientDouble?
            var oracle_price: LenientDouble?
            var created_at: LenientDouble?
        }
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = HistoryPaging.newestFirstLimit(request, maximum: Self.historyPageSize)
        var path = "/api/v1/funding_rate/history?symbol=\(request.dexSymbol)&limit=\(limit)"
        if let cursor = request.cursor { path += "&cursor=\(HistoryPaging.queryValue(cursor))" }
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let endpoint = "/api/v1/funding_rate/history"
        let answer = try decodePayload(HistoryAnswer.self, from: data, dex: dex, endpoint: endpoint)
        guard answer.success, let records = answer.data else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: answer.error ?? "success=false")
        }
        let rows = try records.map { record in
            var row = try SettlementRow.required(
                time: record.created_at.date(.milliseconds), rate: record.funding_rate.number,
                indexPrice: record.oracle_price.number.flatMap { $0 > 0 ? $0 : nil }, dex: dex, endpoint: endpoint,
                fields: "created_at or funding_rate")
            row.intervalHours = 1
            return row
        }
        return try HistoryPaging.newestFirst(rows, token: answer.has_more == false ? nil : answer.next_cursor,
                                             request: request,
                                             defaultInterval: descriptor.defaultFundingIntervalHours,
                                             dex: dex, endpoint: endpoint)
    }
}
