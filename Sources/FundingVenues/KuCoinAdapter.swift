import Foundation
import FundingCore

/// KuCoin Futures perpetuals, USDT-, USDC- and coin-margined (`kucoin`, `https://api-futures.kucoin.com`).
///
/// Endpoints, two requests per cycle (public pool weights 3 and 5; Kucoin/kucoin-universal-sdk
/// `spec/rest/api/openapi-futures-market.json`):
/// - `GET /api/v1/contracts/active`: every open contract with funding, mark, index, open interest and 24 h
///   volume. This is the market list; rows whose `status` is not `Open` are excluded (`inactive`), dated
///   futures (`expireDate` set) as `dated_future`.
/// - `GET /api/v1/allTickers`: `bestBidPrice` / `bestAskPrice` per symbol. A failed answer keeps the rows
///   without them (degraded `book_top`); a ticker with no contract row is dropped as `unknown_market`.
///
/// Unit facts (same spec, field descriptions; fixture `SOURCE.md`; ccxt `kucoinfutures` `parseMarket`):
/// - `fundingFeeRate`: fraction per interval; `predictedFundingFeeRate` → `predictedRate`.
/// - `fundingRateGranularity`: the interval in **milliseconds** (28800000 = 8 h).
/// - `nextFundingRateTime`: despite its name a **countdown** in ms to the next settlement (17752926 ≈ 4.9 h in
///   the docs example; other recorded rows show 3679792 and 27177007), so `nextFundingTime` = `now` + it,
///   rounded to the nearest whole hour: KuCoin settles on the hour (current-rate `timePoint` 1705896000000 =
///   04:00Z, every recorded history `timepoint` a whole hour), and `now` is off the venue's clock by the request
///   latency, which would otherwise move the time a little every cycle.
/// - `openInterest`: string, in **lots**; `multiplier` is the lot size in base coin on linear contracts
///   (0.001 BTC on XBTUSDTM) → base = lots × multiplier. Inverse contracts (`isInverse`, multiplier −1) count
///   lots of **1 USD** (ccxt: contractSize = |multiplier|, inverse) → USD = lots × |multiplier|, base = USD / mark.
/// - `volumeOf24h` is base coin and `turnoverOf24h` quote currency on linear contracts (docs example:
///   1,034,643,198 / 12,069.225 ≈ 85,725 ≈ the BTC price) → `volume24hUSD` = turnoverOf24h. On inverse contracts
///   the spec does not say which of the two is USD, so their volume stays nil.
/// - Names: `baseCurrency` `XBT` is BTC; prices are per coin.
public struct KuCoinAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "kucoin", displayName: "KuCoin", kind: .cex,
        defaultBaseURL: "https://api-futures.kucoin.com", defaultFundingIntervalHours: 8)

    static let dex = "kucoin"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        async let tickers = client.attempt("/api/v1/allTickers", baseURL: baseURL)
        let contracts = try await client.get("/api/v1/contracts/active", baseURL: baseURL)
        return try Self.parse(contracts: contracts, tickers: try? await tickers.get(), now: now)
    }

    // MARK: - Parsing (pure)

    /// `date` rounded to the nearest whole hour (UTC).
    static func nextSettlement(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded() * 3600)
    }

    struct Envelope<T: Decodable>: VenueEnvelope {
        var code: String
        var msg: String?
        var data: [T]?
        var failure: String? { code == "200000" ? nil : "code \(code): \(msg ?? "")" }
        var payload: [T]? { data }
    }

    struct Contract: Decodable {
        var symbol: String
        var baseCurrency: String
        var quoteCurrency: String
        var status: String?
        var expireDate: LenientDouble?
        var isInverse: Bool?
        var multiplier: LenientDouble?
        var fundingFeeRate: LenientDouble?
        var predictedFundingFeeRate: LenientDouble?
        var fundingRateGranularity: LenientDouble?
        var nextFundingRateTime: LenientDouble?
        var openInterest: LenientDouble?
        var turnoverOf24h: LenientDouble?
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
    }

    struct Ticker: Decodable {
        var symbol: String
        var bestBidPrice: LenientDouble?
        var bestAskPrice: LenientDouble?
    }

    /// Snapshots from `contracts/active` and `allTickers` (nil: not available).
    public static func parse(contracts: some DataProtocol, tickers: (some DataProtocol)?, now: Date) throws -> VenueFetchResult {
        let list = try decodeEnvelope(Envelope<Contract>.self, from: contracts, dex: dex, endpoint: "/api/v1/contracts/active")
        let tickerRows = try tickers.map {
            try decodeEnvelope(Envelope<Ticker>.self, from: $0, dex: dex, endpoint: "/api/v1/allTickers")
        }
        let tickerBy = Dictionary((tickerRows ?? []).map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for c in list {
            guard c.status == nil || c.status == "Open" else { result.exclude(.inactive); continue }
            guard c.expireDate.number == nil else { result.exclude(.datedFuture); continue }
            guard let rate = c.fundingFeeRate.number else { result.drop(.missingFundingRate); continue }
            guard let ms = c.fundingRateGranularity.number, ms > 0 else { result.drop(.missingFundingInterval); continue }
            let name = SymbolNormalizer.normalize(c.symbol, baseAsset: c.baseCurrency)
            let inverse = c.isInverse ?? false
            let mark = c.markPrice.number
            let lots = c.openInterest.number
            // lots × |multiplier| is base coin on linear contracts, USD on inverse ones
            let size = lots.times(c.multiplier.number.map(abs))
            let oiBase = inverse ? size.times(mark.flatMap { $0 > 0 ? 1 / $0 : nil }) : size
            let oiUSD = inverse ? size : size.times(mark)
            let ticker = tickerBy[c.symbol]
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: c.symbol, symbol: name.symbol, quote: c.quoteCurrency,
                margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: ms / 3_600_000,
                predictedRate: c.predictedFundingFeeRate.number,
                nextFundingTime: c.nextFundingRateTime.number.map { nextSettlement(now.addingTimeInterval($0 / 1000)) },
                markPrice: mark, indexPrice: c.indexPrice.number, openInterestBase: oiBase, openInterestUSD: oiUSD,
                volume24hUSD: inverse ? nil : c.turnoverOf24h.number,
                bestBid: ticker?.bestBidPrice.number, bestAsk: ticker?.bestAskPrice.number))
        }
        let known = Set(list.map(\.symbol))
        result.drop(.unknownMarket, count: tickerRows?.filter { !known.contains($0.symbol) }.count ?? 0)
        result.degrade(.bookTop, count: result.snapshots.filter { tickerBy[$0.dexSymbol] == nil }.count)
        return result
    }
}

// MARK: - Settled funding history

/// `GET /api/v1/contract/funding-rates?symbol=&from=&to=` (Kucoin/kucoin-universal-sdk
/// `spec/rest/api/openapi-futures-fundingfees.json`, "Get Public Funding History": `from` and `to` required, ms;
/// public pool weight 5): rows newest first, `fundingRate` a **fraction per interval** (a JSON number),
/// `timepoint` (lower-case p) epoch ms; no interval and no price (the interval is the time since the previous
/// settlement). The spec has no page-size parameter and states no cap (its example answers 69 rows for 23 days);
/// one client library treats 100 rows as a full answer, another pages by week-long windows, neither cites a
/// source. Rows come newest first, so a cut would drop the oldest: any answer with a row is taken as possibly cut
/// there, and the walk asks again for the
/// part of the range before its oldest row until an answer holds nothing (`pageSize` 1): one request more per
/// range than a known cap would need, and no silent cut whatever the cap. Both ends are inclusive (a client
/// library's live check), so `to` is the range's end less 1 ms.
extension KuCoinAdapter: FundingHistorySource {
    struct FundingHistoryRow: Decodable {
        var fundingRate: LenientDouble?
        var timepoint: LenientDouble?
    }

    static let historyEndpoint = "/api/v1/contract/funding-rates"

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let path = "\(Self.historyEndpoint)?symbol=\(request.dexSymbol)"
            + "&from=\(HistoryPaging.milliseconds(request.start))&to=\(HistoryPaging.milliseconds(request.end) - 1)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest) throws
        -> FundingHistoryPage
    {
        let rows = try decodeEnvelope(Envelope<FundingHistoryRow>.self, from: data, dex: dex, endpoint: historyEndpoint)
            .map { row in
                try SettlementRow.required(time: row.timepoint.date(.milliseconds), rate: row.fundingRate.number,
                                            dex: dex, endpoint: historyEndpoint, fields: "fundingRate or timepoint")
            }
        return HistoryPaging.page(rows, request: request, pageSize: 1, direction: .backward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
