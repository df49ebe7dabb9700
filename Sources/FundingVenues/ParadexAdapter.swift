import Foundation
import FundingCore

/// Paradex perpetuals.
///
/// Endpoints (public GET on `https://api.prod.paradex.trade`), two requests per cycle:
/// - `GET /v1/markets/summary?market=ALL`: one row per market (perps, options, ...) with `funding_rate`,
///   `mark_price`, `underlying_price`, `open_interest`, `volume_24h`, `bid`, `ask`.
/// - `GET /v1/markets`: market definitions with `asset_kind` (`PERP`, `PERP_OPTION`, ...), `base_currency`,
///   `quote_currency` and `funding_period_hours`. A failing definitions request fails the venue: without it the
///   rate's period is unknown.
///
/// Unit facts relied on:
/// - `funding_rate` is a fraction **per the market's funding period** (`funding_period_hours`), not per 8h and not
///   per hour. Paradex docs "Funding Mechanism" (tradeparadex/paradex-docs, `fern/pages/risk-system/
///   funding-mechanism.mdx`): rates "are all quoted per the market's Funding Period", default 8h, and the funding
///   index advances by premium × Δt / funding-period seconds. The `funding/data` history carries both
///   `funding_rate` and `funding_rate_8h` (added in API v1.114.0), which only makes sense if the two differ when
///   the period is not 8h. The rate already includes the per-market funding multiplier (0.5 on TradFi markets).
/// - So `fundingIntervalHours` = `funding_period_hours`; when a summary market is missing from `/v1/markets` or its
///   definition has no `funding_period_hours` (older API answers), the documented default of 8 is used.
/// - Funding accrues **continuously** (recomputed every second, settled into PnL when a position changes): there
///   is no settlement time, so `nextFundingTime` is nil; the interval is only the rate's basis.
/// - Prices in USD per contract unit: `mark_price`; `underlying_price` (the spot index) as the index price, or
///   `oracle_price` in older answers. `bid` / `ask` are the top of book ("" when a side is empty → nil).
/// - `open_interest` is in base units, so `openInterestUSD` = `open_interest × mark_price`; `volume_24h` is the
///   24h notional in USD, used as is.
/// - Quote: the definition's `quote_currency` (`USD`; settlement is in USDC), else the quote in the name.
///   Symbol from `base_currency`, else from the market name (`BTC-USD-PERP`).
/// - Only perpetuals: `asset_kind` `PERP`; option kinds (`PERP_OPTION`, `OPTION`) are skipped as `option`, other
///   kinds as `not_perpetual`. A summary row with no definition counts as a perp when its name ends in `-PERP`, as an
///   option when it ends in `-C`/`-P`. A perp row with an empty `funding_rate` is skipped as
///   `missing_funding_rate`.
public struct ParadexAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "paradex", displayName: "Paradex", kind: .dex,
        defaultBaseURL: "https://api.prod.paradex.trade", defaultFundingIntervalHours: 8
    )

    public init() {}

    static let dex = "paradex"
    /// Paradex's documented default funding period.
    static let defaultFundingPeriodHours: Double = 8

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let summary = client.get("/v1/markets/summary?market=ALL", baseURL: baseURL)
        async let markets = client.get("/v1/markets", baseURL: baseURL)
        var result = try Self.parse(summary: Data(try await summary), markets: Data(try await markets), now: now)
        result.stampLatency(since: start)
        return result
    }

    // MARK: - Parsing

    /// Snapshots from a `markets/summary` answer and the `markets` definitions.
    public static func parse(summary: Data, markets: Data, now: Date) throws -> VenueFetchResult {
        let rows = try decodePayload(Results<SummaryRow>.self, from: summary, dex: dex, endpoint: "markets/summary").results
        let definitions = try decodePayload(Results<Definition>.self, from: markets, dex: dex, endpoint: "markets").results
        let bySymbol = Dictionary(definitions.map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for row in rows {
            let definition = bySymbol[row.symbol]
            if let reason = exclusion(symbol: row.symbol, assetKind: definition?.assetKind) {
                result.exclude(reason)
                continue
            }
            guard let rate = row.fundingRate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            let normalized = SymbolNormalizer.normalize(row.symbol, baseAsset: definition?.baseCurrency)
            let mark = row.markPrice.number
            let oi = row.openInterest.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: row.symbol, symbol: normalized.symbol,
                quote: definition?.quoteCurrency ?? normalized.quote ?? "USD", margin: .linear,
                multiplier: normalized.multiplier, time: now,
                fundingRate: rate,
                fundingIntervalHours: definition?.fundingPeriodHours.number ?? defaultFundingPeriodHours,
                nextFundingTime: nil,
                markPrice: mark, indexPrice: row.underlyingPrice.number ?? row.oraclePrice.number,
                openInterestBase: oi,
                openInterestUSD: oi.times(mark),
                volume24hUSD: row.volume24h.number,
                bestBid: row.bid.number, bestAsk: row.ask.number
            ))
        }
        return result
    }

    /// Why a market is not a perpetual we collect, or nil when it is one.
    static func exclusion(symbol: String, assetKind: String?) -> ExclusionReason? {
        if let kind = assetKind?.uppercased() {
            if kind == "PERP" { return nil }
            return kind.contains("OPTION") ? .option : .notPerpetual
        }
        let upper = symbol.uppercased()
        if upper.hasSuffix("-PERP") { return nil }
        if upper.hasSuffix("-C") || upper.hasSuffix("-P") { return .option }
        return .notPerpetual
    }

    struct Results<Row: Decodable>: Decodable {
        var results: [Row]
    }

    struct SummaryRow: Decodable {
        var symbol: String
        var markPrice: LenientDouble?
        var underlyingPrice: LenientDouble?
        var oraclePrice: LenientDouble?
        var bid: LenientDouble?
        var ask: LenientDouble?
        var volume24h: LenientDouble?
        var openInterest: LenientDouble?
        var fundingRate: LenientDouble?
        enum CodingKeys: String, CodingKey {
            case symbol, bid, ask
            case markPrice = "mark_price", underlyingPrice = "underlying_price", oraclePrice = "oracle_price"
            case volume24h = "volume_24h", openInterest = "open_interest", fundingRate = "funding_rate"
        }
    }

    struct Definition: Decodable {
        var symbol: String
        var baseCurrency: String?
        var quoteCurrency: String?
        var assetKind: String?
        var fundingPeriodHours: LenientDouble?
        enum CodingKeys: String, CodingKey {
            case symbol
            case baseCurrency = "base_currency", quoteCurrency = "quote_currency", assetKind = "asset_kind"
            case fundingPeriodHours = "funding_period_hours"
        }
    }
}
