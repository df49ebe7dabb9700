import Foundation
import FundingCore

/// Drift perpetuals on Solana (`drift`, Data API `https://data.api.drift.trade`), one request per cycle.
///
/// Endpoint: `GET /stats/markets` (spot and perp markets of the venue). Unit facts relied on
/// (`Tests/Fixtures/drift/SOURCE.md`; Drift SDK `calculateFormattedLiveFundingRate`, whose `'hour'` period gives
/// "the hourly payment as a percentage"; Drift docs "Funding Rates": funding is settled hourly):
/// - `fundingRate.long` / `.short`: **percent per hour**, written as each side's P&L, so longs paying shows as a
///   negative `long`. The rate longs pay as a fraction per hour is `−long / 100` (recording: mark 68,481.85 below
///   oracle 68,525.84, so shorts pay, and `long` is +0.00093). `fundingIntervalHours` = 1; funding is updated
///   lazily on-chain at most hourly, so `nextFundingTime` = the next top of the hour after `now`.
/// - `openInterest.long` / `.short` in **base units per side** (short negative); the AMM holds the difference, so
///   the larger side is stored: `openInterestBase` = max(|long|, |short|), USD = that × `markPrice`.
/// - `markPrice`, `oraclePrice` (index) in the quote asset per coin; `quoteVolume` is the 24 h volume in the quote
///   asset (USDC; USDT on the Velocity relaunch named in SOURCE.md), taken as USD.
/// - Quote from `quoteAsset`; base from `baseAsset` (multiplier prefixes such as `1MBONK` read by
///   `SymbolNormalizer`). No best bid/ask: the top of book is per market on the DLOB server (`/l2`), not fetched.
/// Excluded: `marketType` other than `perp` (`spot`), `status` other than `active` (`inactive`). Dropped: a perp
/// without `fundingRate.long`.
public struct DriftAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "drift", displayName: "Drift", kind: .dex,
        defaultBaseURL: "https://data.api.drift.trade", defaultFundingIntervalHours: 1)

    static let dex = "drift"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        var result = try Self.parse(try await client.get("/stats/markets", baseURL: baseURL), now: now)
        result.stampLatency(since: start)
        return result
    }

    struct Answer: Decodable {
        var markets: [Market]
    }

    struct Sides: Decodable {
        var long: LenientDouble?
        var short: LenientDouble?
    }

    struct Market: Decodable {
        var symbol: String
        var marketType: String
        var baseAsset: String?
        var quoteAsset: String?
        var status: String?
        var oraclePrice: LenientDouble?
        var markPrice: LenientDouble?
        var quoteVolume: LenientDouble?
        var openInterest: Sides?
        var fundingRate: Sides?
    }

    /// Snapshots from one `/stats/markets` answer.
    public static func parse(_ data: some DataProtocol, now: Date) throws -> VenueFetchResult {
        var result = VenueFetchResult()
        for m in try decodePayload(Answer.self, from: data, dex: dex, endpoint: "/stats/markets").markets {
            guard m.marketType == "perp" else { result.exclude(.spot); continue }
            guard m.status == "active" else { result.exclude(.inactive); continue }
            guard let longPnLPercent = m.fundingRate?.long.number else { result.drop(.missingFundingRate); continue }
            let name = SymbolNormalizer.normalize(m.symbol, baseAsset: m.baseAsset)
            let sides = [m.openInterest?.long.number, m.openInterest?.short.number].compactMap { $0.map(abs) }
            let oi = sides.max()
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: m.symbol, symbol: name.symbol, quote: m.quoteAsset ?? "USDC",
                multiplier: name.multiplier, time: now,
                fundingRate: -FundingUnits.fraction(fromPercent: longPnLPercent), fundingIntervalHours: 1,
                nextFundingTime: VenueTime.nextTopOfHour(after: now),
                markPrice: m.markPrice.number, indexPrice: m.oraclePrice.number,
                openInterestBase: oi, openInterestUSD: oi.times(m.markPrice.number),
                volume24hUSD: m.quoteVolume.number))
        }
        return result
    }
}

// MARK: - Settled funding history

/// `GET /market/{symbol}/fundingRates?limit=&page=` (Drift Data API; `Tests/Fixtures/drift/SOURCE.md`, recorded from
/// the Velocity relaunch with the same shapes): one record per on-chain funding update, **newest first**, `limit` at
/// most 750 (the rows asked: `HistoryPaging.newestFirstLimit`), no time filter; `meta.nextPage` is the token of the next (older) page, passed back as `page`. About 31
/// days are kept. Walked with `HistoryPaging.newestFirst`.
///
/// Unit facts relied on:
/// - `fundingRateLong` is **quote per 1 base unit** for one funding period, what a long paid: Drift protocol-v2
///   `controller/funding.rs` computes `funding_rate = clamped (mark_twap − oracle_twap + offset) / period_adjustment`
///   (24 for the 1 h period of every perp: one hour's payment per record however late the lazy update ran) and
///   `math/funding.rs` charges it as "longs pay shorts" (a long's payment is −delta × base, so a positive rate is
///   paid by longs). `fundingRateLong` equals the rate except when longs receive and the AMM's fee pool caps what it
///   pays (`calculate_funding_rate_long_short`), so it is exactly what a long paid or received; `fundingRateShort`
///   is capped the other way and is not used.
/// - As a fraction: `fundingRateLong / oraclePriceTwap`, the protocol's own `(mark_twap − oracle_twap) / oracle_twap
///   / 24` (recording: 6.399237833 / 77333.726817 = 0.0000827483 per hour, mark TWAP 77502.77 above the oracle
///   TWAP, so longs pay: positive). Interval 1 h, stated (each record is one period's payment, so a missed hour does
///   not make the next record a 2 h one).
/// - `ts` is the update's Unix time in **seconds**, kept as published (a lazy update lands a little after the hour:
///   22:01:00, 21:00:59). The oracle TWAP is an hourly average, not a price at settlement, so no price is stored.
/// A record without `ts`, `fundingRateLong` or a positive `oraclePriceTwap` fails the page.
extension DriftAdapter: FundingHistorySource {
    static let historyPageSize = 750

    struct FundingRates: Decodable {
        var records: [Record]
        var meta: Meta?
        struct Meta: Decodable {
            var nextPage: String?
        }
        struct Record: Decodable {
            var ts: LenientDouble?
            var fundingRateLong: LenientDouble?
            var oraclePriceTwap: LenientDouble?
        }
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = HistoryPaging.newestFirstLimit(request, maximum: Self.historyPageSize)
        var path = "/market/\(request.dexSymbol)/fundingRates?limit=\(limit)"
        if let cursor = request.cursor { path += "&page=\(HistoryPaging.queryValue(cursor))" }
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let endpoint = "/market/{symbol}/fundingRates"
        let answer = try decodePayload(FundingRates.self, from: data, dex: dex, endpoint: endpoint)
        let rows = try answer.records.map { record in
            let twap = record.oraclePriceTwap.number.flatMap { $0 > 0 ? $0 : nil }
            var row = try SettlementRow.required(
                time: record.ts.date(.seconds), rate: record.fundingRateLong.number.flatMap { r in twap.map { r / $0 } },
                dex: dex, endpoint: endpoint, fields: "ts, fundingRateLong or a positive oraclePriceTwap")
            row.intervalHours = 1
            return row
        }
        return try HistoryPaging.newestFirst(rows, token: answer.meta?.nextPage, request: request,
                                             defaultInterval: descriptor.defaultFundingIntervalHours,
                                             dex: dex, endpoint: endpoint)
    }
}
