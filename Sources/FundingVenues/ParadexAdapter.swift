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

// MARK: - Settled funding history

/// Paradex settles nothing at set times: funding accrues every second into a per-market **funding index** (Paradex
/// docs "Funding Mechanism", tradeparadex/paradex-docs `fern/pages/risk-system/funding-mechanism.mdx`):
/// `Index_t = Index_{t−1} + Premium × Δt / funding period`, `Premium = Funding Rate × Spot Oracle Price / USDC Oracle
/// Price` (USDC per unit of the asset per period), the index frozen while funding is paused (a tick gap over 30 s),
/// and a position's funding is `−size × (index now − index cached)`: a rising index is paid by longs. The index
/// difference between two times is therefore exactly the funding one unit of a long paid between them, pauses
/// included, in USDC.
///
/// **One settlement row here** is the funding accrued over one funding period of the market, ending at a period
/// boundary: boundaries are multiples of the market's `funding_period_hours` since 1970 (00:00, 08:00, 16:00 UTC for
/// the usual 8 h; every hour for a 1 h market), the period taken from the request (`markets.funding_interval_hours`,
/// which the snapshots fill from `funding_period_hours`), else Paradex's default of 8 h. For a boundary B:
/// `fundingRate = (index(B) − index(B − period)) / spot(B)`, `fundingIntervalHours = period`, `fundingTime = B`
/// (a time chosen here, not the venue's), `indexPrice = spot(B)`. Dividing by the spot price (USDC) turns the per-
/// unit amount into a fraction of notional; since the index adds up `rate × spot × Δt / period`, the row is the
/// period's time-weighted rate (exactly so while the spot price stands still), which is what the snapshots'
/// `funding_rate` (per period) predicts, so the two compare directly. Sums over whole periods are the funding
/// actually paid per unit, each period valued at the spot price at its end.
///
/// Why the period and not every hour: each boundary costs one request (below), so an 8 h market costs 3 a day
/// instead of 24 (a 30-day backfill: about 100 requests a market, ~10,000 for 100 markets, against Paradex's 1,500
/// a minute per IP), and the backfill's own due-time rule assumes funding times on multiples of the market's interval
/// since 1970, which this grid is. A row needs a known boundary before it: the first period after a listing (or
/// after an unknown boundary that opens a page) is not stored.
///
/// Endpoint: `GET /v1/funding/data?market=&start_at=&end_at=&page_size=` (ms, `page_size` at most 5,000; Paradex
/// OpenAPI `get-funding-data`, fields `created_at` ms, `funding_index`, `funding_rate` per `funding_period_hours`,
/// `funding_rate_8h`, `funding_premium`, all decimal strings but the times). Samples come every few seconds and the
/// order of `results` is not documented, so `index(B)` is read from the samples of the minute before B
/// (`start_at = B − 60 s`, `end_at = B`): the one with the largest `created_at` ≤ B, whatever the order. When that
/// minute has none (funding paused: the index is frozen at the last sample before the pause), the hour before B is
/// asked (up to 5,000 rows, more than an hour of samples); an answer that fills its page may be cut at either end,
/// so the boundary is then unknown, as it is when the hour has no sample either. A row needs both of its
/// boundaries; an unknown interior boundary merges the two periods around it into one row of twice the interval.
/// `spot(B)` = `funding_premium / funding_rate` of that sample (the premium is the rate times spot/USDC; a live
/// `funding_data` sample of 2025-10-07 quoted by a third party has HYPER-USD-PERP rate 0.00001250176896, premium
/// 0.000003498531863578: spot 0.2798), else of the newest sample of the same answer whose rate is not zero, else the opening
/// boundary's; a row whose index moved but whose spot price is unknown fails the page. A page holds
/// `historyPageSize` periods (`HistoryPaging.Direction.windows`), probed one request at a time.
extension ParadexAdapter: FundingHistorySource {
    /// Periods (rows) per page: a page asks one more boundary than it has rows.
    static let historyPageSize = 12
    /// How far before a boundary its sample is looked for first.
    static let probeWindow: TimeInterval = 60
    static let probePageSize = 1000
    /// How far before a boundary its sample is looked for when the minute before it has none (at most the period):
    /// an hour of samples fits one page even at one a second.
    static let fallbackWindow: TimeInterval = 3600
    /// The largest page Paradex serves, for the fallback.
    static let fallbackPageSize = 5000

    struct FundingData: Decodable {
        var results: [Sample]
        struct Sample: Decodable {
            var created_at: LenientDouble?
            var funding_index: LenientDouble?
            var funding_rate: LenientDouble?
            var funding_premium: LenientDouble?
        }
    }

    /// The funding index at a boundary and the spot price (USDC per unit) its samples imply.
    struct IndexPoint: Sendable, Hashable {
        var index: Double
        var spot: Double?
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let period = Self.periodHours(request)
        let limit = max(1, min(request.limit ?? Self.historyPageSize, Self.historyPageSize))
        let span = Double(limit) * period * 3600
        let boundaries = FundingGrid.times(from: request.start, to: HistoryPaging.windowEnd(request, span: span),
                                           intervalHours: period)
        var points: [(time: Date, point: IndexPoint?)] = []
        if let first = boundaries.first {
            for boundary in [first.addingTimeInterval(-period * 3600)] + boundaries {
                try Task.checkCancellation()
                points.append((boundary, try await Self.index(at: boundary, market: request.dexSymbol,
                                                              periodHours: period, client: client, baseURL: baseURL)))
            }
        }
        return HistoryPaging.page(try Self.rows(points), request: request, pageSize: limit,
                                  direction: .windows(span), defaultInterval: period)
    }

    /// The market's funding period in hours: the request's known interval, else Paradex's default.
    static func periodHours(_ request: FundingHistoryRequest) -> Double {
        guard let hours = request.intervalHours, hours.isFinite, hours > 0 else { return defaultFundingPeriodHours }
        return hours
    }


    /// The funding index at `boundary`: the latest sample of the minute before it, else of the period before it.
    static func index(at boundary: Date, market: String, periodHours: Double, client: some HTTPFetching,
                      baseURL: String) async throws -> IndexPoint? {
        for (lookback, pageSize) in [(probeWindow, probePageSize), (min(fallbackWindow, periodHours * 3600), fallbackPageSize)] {
            let path = "/v1/funding/data?market=\(market)"
                + "&start_at=\(HistoryPaging.milliseconds(boundary.addingTimeInterval(-lookback)))"
                + "&end_at=\(HistoryPaging.milliseconds(boundary))&page_size=\(pageSize)"
            let answer = try await client.get(path, baseURL: baseURL)
            if let point = try latest(answer, atOrBefore: boundary, pageSize: pageSize) { return point }
        }
        return nil
    }

    /// The index point of the latest sample at or before `boundary` in one answer; nil when there is none or the
    /// answer filled its page (it may be cut at either end, and which is not documented).
    static func latest(_ data: some DataProtocol, atOrBefore boundary: Date, pageSize: Int) throws -> IndexPoint? {
        let endpoint = "/v1/funding/data"
        let samples = try decodePayload(FundingData.self, from: data, dex: dex, endpoint: endpoint).results
        guard samples.count < pageSize else { return nil }
        var dated: [(time: Date, sample: FundingData.Sample)] = []
        for sample in samples {
            guard let time = sample.created_at.date(.milliseconds) else {
                throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "a sample without created_at")
            }
            if time <= boundary { dated.append((time, sample)) }
        }
        dated.sort { $0.time > $1.time }
        guard let newest = dated.first else { return nil }
        guard let index = newest.sample.funding_index.number, index.isFinite else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "a sample without funding_index")
        }
        return IndexPoint(index: index, spot: dated.lazy.compactMap { spot($0.sample) }.first)
    }

    /// Spot per USDC implied by one sample (`funding_premium / funding_rate`), nil when the rate is zero or the
    /// ratio is not a positive number.
    static func spot(_ sample: FundingData.Sample) -> Double? {
        guard let premium = sample.funding_premium.number, let rate = sample.funding_rate.number, rate != 0 else {
            return nil
        }
        let spot = premium / rate
        return spot.isFinite && spot > 0 ? spot : nil
    }

    /// One row per known boundary after the first known one: the index moved since the previous known boundary,
    /// over the spot price, for the hours between them.
    static func rows(_ points: [(time: Date, point: IndexPoint?)]) throws -> [SettlementRow] {
        var rows: [SettlementRow] = []
        var previous: (time: Date, point: IndexPoint)?
        for (time, point) in points {
            guard let point else { continue }
            if let previous {
                let moved = point.index - previous.point.index
                let spot = point.spot ?? previous.point.spot
                let rate: Double
                if moved == 0 {
                    rate = 0
                } else if let spot {
                    rate = moved / spot
                } else {
                    throw VenuePayloadError(dex: dex, endpoint: "/v1/funding/data",
                                            reason: "no spot price for the funding index at \(time) (every funding_rate zero)")
                }
                rows.append(SettlementRow(fundingTime: time, fundingRate: rate,
                                          intervalHours: time.timeIntervalSince(previous.time) / 3600,
                                          indexPrice: spot))
            }
            previous = (time, point)
        }
        return rows
    }
}
