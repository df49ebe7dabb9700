import Foundation
import FundingCore

/// dYdX v4 perpetuals (`dydx`, Indexer API at `https://indexer.dydx.trade`), one request per cycle.
///
/// Endpoint: `GET /v4/perpetualMarkets` (public, no parameters: every market), `{"markets": {ticker: market}}`.
/// Unit facts relied on (dYdX v4 Indexer API docs "Get Perpetual Markets", docs "Funding" — funding is paid every
/// hour —, and `Tests/Fixtures/dydx/SOURCE.md`, recorded from nautilus_trader's test data):
/// - `nextFundingRate`: a string **fraction per 1 hour**, the running estimate of the rate paid at the next top of
///   the hour (the recorded hourly settlements of `historicalFunding` are the same magnitude: BTC 0.000002375 vs
///   the estimate 0.0000025454). Stored as `fundingRate`, `fundingIntervalHours` = 1, `nextFundingTime` = the
///   next top of the hour after `now`. No separate predicted rate.
/// - `oraclePrice` (USD per coin): dYdX marks positions to the oracle, so it is both mark and index price.
/// - `openInterest` in **base units** → USD = `openInterest × oraclePrice`. `baseOpenInterest` (about 2× in the
///   recording) is not documented clearly and is not read.
/// - `volume24H`: 24 h notional in USD, used as is.
/// - Quote USD (settled in USDC); tickers `BTC-USD`. No best bid/ask: the book is per market only
///   (`/v4/orderbooks/perpetualMarket/{ticker}`), not fetched.
/// Excluded: `status` `FINAL_SETTLEMENT` (`delisted`), `PAUSED` and `INITIALIZING` (`inactive`); `CANCEL_ONLY`
/// and `POST_ONLY` markets still accrue funding and are kept. Dropped: a market without `nextFundingRate`.
public struct DYDXAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "dydx", displayName: "dYdX", kind: .dex,
        defaultBaseURL: "https://indexer.dydx.trade", defaultFundingIntervalHours: 1)

    static let dex = "dydx"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        var result = try Self.parse(try await client.get("/v4/perpetualMarkets", baseURL: baseURL), now: now)
        result.stampLatency(since: start)
        return result
    }

    struct Answer: Decodable {
        var markets: [String: Market]
    }

    struct Market: Decodable {
        var ticker: String
        var status: String?
        var oraclePrice: LenientDouble?
        var nextFundingRate: LenientDouble?
        var openInterest: LenientDouble?
        var volume24H: LenientDouble?
    }

    /// Snapshots from one `/v4/perpetualMarkets` answer, in ticker order.
    public static func parse(_ data: some DataProtocol, now: Date) throws -> VenueFetchResult {
        let markets = try decodePayload(Answer.self, from: data, dex: dex, endpoint: "/v4/perpetualMarkets").markets
        var result = VenueFetchResult()
        for market in markets.values.sorted(by: { $0.ticker < $1.ticker }) {
            switch market.status {
            case "FINAL_SETTLEMENT": result.exclude(.delisted); continue
            case "PAUSED", "INITIALIZING": result.exclude(.inactive); continue
            default: break
            }
            guard let rate = market.nextFundingRate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            let name = SymbolNormalizer.normalize(market.ticker)
            let oracle = market.oraclePrice.number
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: market.ticker, symbol: name.symbol, quote: name.quote ?? "USD",
                multiplier: name.multiplier, time: now, fundingRate: rate, fundingIntervalHours: 1,
                nextFundingTime: VenueTime.nextTopOfHour(after: now), markPrice: oracle, indexPrice: oracle,
                openInterestBase: market.openInterest.number, openInterestUSD: market.openInterest.number.times(oracle),
                volume24hUSD: market.volume24H.number))
        }
        return result
    }
}

// MARK: - Settled funding history

/// `GET /v4/historicalFunding/{ticker}?limit=&effectiveBeforeOrAt=` (dYdX v4 indexer API "Get Historical Funding"):
/// newest first, up to `effectiveBeforeOrAt` (ISO-8601, inclusive), so pages go backward. `limit` at most 100 here:
/// the indexer's `API_LIMIT_V4` is 1000 in current code but 100 on older deployments. `rate` a **fraction for that
/// 1 h payment**, `price` the oracle price at funding (stored as the index price), `effectiveAt` ISO-8601 a few
/// hundred ms after the hour.
extension DYDXAdapter: FundingHistorySource {
    static let historyPageSize = 100

    struct HistoricalFunding: Decodable {
        var historicalFunding: [Row]
        struct Row: Decodable {
            var rate: LenientDouble?
            var price: LenientDouble?
            var effectiveAt: String?
        }
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = min(request.limit ?? Self.historyPageSize, Self.historyPageSize)
        let before = HistoryPaging.isoMilliseconds(HistoryPaging.milliseconds(request.end) - 1)
        let path = "/v4/historicalFunding/\(request.dexSymbol)?limit=\(limit)&effectiveBeforeOrAt=\(before)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request,
                                            pageSize: limit)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest, pageSize: Int) throws
        -> FundingHistoryPage
    {
        let endpoint = "/v4/historicalFunding"
        let rows = try decodePayload(HistoricalFunding.self, from: data, dex: dex, endpoint: endpoint)
            .historicalFunding.map { row in
                try SettlementRow.required(time: VenueTime.iso8601(row.effectiveAt), rate: row.rate.number, indexPrice: row.price.number,
                                            dex: dex, endpoint: endpoint, fields: "rate or effectiveAt")
            }
        return HistoryPaging.page(rows, request: request, pageSize: pageSize, direction: .backward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
