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
