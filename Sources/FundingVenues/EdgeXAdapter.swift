import Foundation
import FundingCore

/// edgeX perpetuals (API V2).
///
/// Host: `https://edgex-prod-v2.edgex.exchange`. The V2 docs (edgex-1.gitbook.io, "API Docs V2" / WebSocket page:
/// "HTTP REST production domain: https://edgex-prod-v2.edgex.exchange") name it; the V1 host
/// `https://pro.edgex.exchange` (`/api/v1/...`, `*USDT` contracts) was reported answering `data: []` for market data
/// since 2026-09 (fixture `SOURCE.md`), so it is not used. Override with `FUNDINGD_EDGEX_BASE_URL` if that changes.
///
/// Endpoints, all wrapped in `{"code":"SUCCESS","data":...}` with numbers as strings:
/// - `GET /api/v2/public/meta/getMetaData` (1 request): `contractList` (`contractId`, `contractName`, `baseCoinId`,
///   `quoteCoinId`, `enableTrade`, `fundingRateIntervalMin`) and `coinList` (`coinId` → `coinName`). The base
///   asset is the base coin's name (`1000PEPE`, `HAJIMI` for the contract `哈基米USDC`), read via
///   `SymbolNormalizer` for the multiplier. Contracts with `enableTrade: false` are excluded as `inactive`.
/// - `GET /api/v2/public/funding/getLatestFundingRate?contractId=<id>,<id>,...` (comma-joined, 50 ids per request,
///   a cautious size: the page limit is not documented): `forecastFundingRate`, `fundingRate`, `fundingTime`,
///   `fundingTimestamp`, `fundingRateIntervalMin`, `markPrice`, `indexPrice`. A failing funding request fails the
///   venue (no rates, no rows); a traded contract absent from the answers is dropped as `missing_funding_rate`.
/// - `GET /api/v2/public/quote/getTicker?contractId=<id>` (V2 answers one contract per call), at most 4 in flight:
///   `openInterest`, `value`, `lastPrice`. When a ticker request fails or its body is malformed the market is
///   **kept** with nil open interest and volume, and counted as degraded (`open_interest`, `volume`).
///
/// Unit facts relied on (fixture `SOURCE.md`, checked against the recorded answers):
/// - Rates are fractions **per funding interval**, the interval being `fundingRateIntervalMin` minutes (240 = 4h on
///   every contract seen; settlements at 00/04/08/12/16/20 UTC; the docs' "every 8 hours" text is stale).
/// - `fundingRate` stored here is `forecastFundingRate`: the rate accruing for the interval in progress, charged at
///   `fundingTime + interval`. The ticker's `fundingRate` is this same number (BTC −0.00005592 in both
///   recordings) and it is what the venue shows as the current rate, like Hyperliquid's and Binance's current
///   estimate. The row's own `fundingRate` is the last *settled* rate (equal to the settlement row in
///   `getFundingRatePage`) and is used only when the forecast is missing. `predictedFundingRate` is not a
///   prediction (it is the interest floor, interest rate / periods per day) and is not read; `predictedRate` stays
///   nil.
/// - `nextFundingTime` = `fundingTime + fundingRateIntervalMin` (equals the ticker's `nextFundingTime`).
/// - `markPrice`/`indexPrice` in USDC per contract unit, from the funding row.
/// - Ticker `openInterest` is in base units (BTC 3285 ≈ $252M), so `openInterestUSD` = `openInterest × markPrice`;
///   ticker `value` is the quote (USDC) turnover of the venue's rolling ~24h window, used as the USD volume.
/// - No best bid/ask: the ticker has none and `getDepth` would double the per-contract requests;
///   `impactBidPrice`/`impactAskPrice` are impact prices, not the top of book.
public struct EdgeXAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "edgex", displayName: "edgeX", kind: .dex,
        defaultBaseURL: "https://edgex-prod-v2.edgex.exchange", defaultFundingIntervalHours: 4
    )

    public var maxInFlight: Int
    public var fundingBatchSize: Int

    public init(maxInFlight: Int = 4, fundingBatchSize: Int = 50) {
        self.maxInFlight = maxInFlight
        self.fundingBatchSize = fundingBatchSize
    }

    static let dex = "edgex"
    static let metaDataPath = "/api/v2/public/meta/getMetaData"
    static let latestFundingPath = "/api/v2/public/funding/getLatestFundingRate"
    static let tickerPath = "/api/v2/public/quote/getTicker"

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        let metaData = Data(try await client.get(Self.metaDataPath, baseURL: baseURL))
        let meta = try Self.unwrap(MetaData.self, from: metaData, endpoint: "getMetaData")
        let ids = meta.contractList.filter { $0.enableTrade != false }.map(\.contractId)

        let batches = stride(from: 0, to: ids.count, by: max(1, fundingBatchSize)).map {
            Array(ids[$0..<min($0 + max(1, fundingBatchSize), ids.count)])
        }
        var fundingPages: [Data] = []
        for batch in batches {
            let path = Self.latestFundingPath + "?contractId=" + batch.joined(separator: ",")
            fundingPages.append(Data(try await client.get(path, baseURL: baseURL)))
        }

        let tickerAnswers = await PerMarketRequests.gather(ids, limit: maxInFlight) { id in
            Data(try await client.get(Self.tickerPath + "?contractId=" + id, baseURL: baseURL))
        }
        let tickers = Dictionary(tickerAnswers.values.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var result = try Self.parse(metaData: metaData, latestFundingRates: fundingPages, tickers: tickers, now: now)
        result.stampLatency(since: start)
        return result
    }

    // MARK: - Parsing

    /// Snapshots from the metadata, the `getLatestFundingRate` answers and the tickers that answered
    /// (`contractId` → body).
    public static func parse(
        metaData: Data, latestFundingRates: [Data], tickers: [String: Data], now: Date
    ) throws -> VenueFetchResult {
        let meta = try unwrap(MetaData.self, from: metaData, endpoint: "getMetaData")
        var funding: [String: FundingRow] = [:]
        for page in latestFundingRates {
            for row in try unwrap([FundingRow].self, from: page, endpoint: "getLatestFundingRate") {
                funding[row.contractId] = row
            }
        }
        let coinNames = Dictionary(meta.coinList.map { ($0.coinId, $0.coinName) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for contract in meta.contractList {
            if contract.enableTrade == false {
                result.exclude(.inactive)
                continue
            }
            guard let row = funding[contract.contractId],
                  let rate = row.forecastFundingRate.number ?? row.fundingRate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            guard let minutes = row.fundingRateIntervalMin.number ?? contract.fundingRateIntervalMin.number,
                  minutes > 0 else {
                result.drop(.missingFundingInterval)
                continue
            }
            let intervalHours = minutes / 60

            // A ticker that failed or does not parse degrades this row only.
            var ticker: Ticker?
            if let body = tickers[contract.contractId] {
                ticker = (try? unwrap([Ticker].self, from: body, endpoint: "getTicker"))?
                    .first { $0.contractId == contract.contractId }
            }
            if ticker == nil {
                result.degrade(.openInterest)
                result.degrade(.volume)
            }

            let baseName = coinNames[contract.baseCoinId] ?? contract.contractName
            let normalized = SymbolNormalizer.normalize(contract.contractName, baseAsset: baseName)
            let quote = contract.quoteCoinId.flatMap { coinNames[$0] } ?? normalized.quote ?? "USDC"
            let mark = row.markPrice.number ?? ticker?.markPrice.number
            let oi = ticker?.openInterest.number
            let nextFunding = row.fundingTime.number.map {
                Date(timeIntervalSince1970: ($0 + minutes * 60_000) / 1000)
            } ?? ticker?.nextFundingTime.date(.milliseconds)
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: contract.contractName, symbol: normalized.symbol, quote: quote, margin: .linear,
                multiplier: normalized.multiplier, time: now,
                fundingRate: rate, fundingIntervalHours: intervalHours,
                nextFundingTime: nextFunding,
                markPrice: mark, indexPrice: row.indexPrice.number ?? ticker?.indexPrice.number,
                openInterestBase: oi,
                openInterestUSD: oi.times(mark),
                volume24hUSD: ticker?.value.number
            ))
        }
        let known = Set(meta.contractList.map(\.contractId))
        let orphans = funding.keys.filter { !known.contains($0) }.count
        result.drop(.unknownMarket, count: orphans)
        return result
    }

    /// Decodes `{"code":"SUCCESS","data":...}`; any other `code` is a payload error.
    static func unwrap<T: Decodable>(_ type: T.Type, from data: Data, endpoint: String) throws -> T {
        try decodeEnvelope(Envelope<T>.self, from: data, dex: dex, endpoint: endpoint)
    }

    struct Envelope<T: Decodable>: VenueEnvelope {
        var code: String
        var data: T?
        var msg: String?
        var failure: String? { code == "SUCCESS" ? nil : "code \(code)" + (msg.map { ": \($0)" } ?? "") }
        var payload: T? { data }
    }

    struct MetaData: Decodable {
        var coinList: [Coin]
        var contractList: [Contract]

        struct Coin: Decodable {
            var coinId: String
            var coinName: String
        }

        struct Contract: Decodable {
            var contractId: String
            var contractName: String
            var baseCoinId: String
            var quoteCoinId: String?
            var enableTrade: Bool?
            var fundingRateIntervalMin: LenientDouble?
        }
    }

    struct FundingRow: Decodable {
        var contractId: String
        var fundingTime: LenientDouble?
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var fundingRate: LenientDouble?
        var forecastFundingRate: LenientDouble?
        var fundingRateIntervalMin: LenientDouble?
    }

    struct Ticker: Decodable {
        var contractId: String
        var value: LenientDouble?
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var openInterest: LenientDouble?
        var nextFundingTime: LenientDouble?
    }
}
