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
///   `SymbolNormalizer` for the multiplier. Contracts with `enableTrade: false` are skipped as `trading_disabled`.
/// - `GET /api/v2/public/funding/getLatestFundingRate?contractId=<id>,<id>,...` (comma-joined, 50 ids per request,
///   a cautious size: the page limit is not documented): `forecastFundingRate`, `fundingRate`, `fundingTime`,
///   `fundingTimestamp`, `fundingRateIntervalMin`, `markPrice`, `indexPrice`. A failing funding request fails the
///   venue (no rates, no rows); a traded contract absent from the answers is skipped as `no_funding_rate`.
/// - `GET /api/v2/public/quote/getTicker?contractId=<id>` (V2 answers one contract per call), at most 4 in flight:
///   `openInterest`, `value`, `lastPrice`. When a ticker request fails or its body is malformed the market is
///   **kept** with nil open interest and volume, and counted under `skipped["ticker_unavailable"]` (a count of
///   degraded rows, not of dropped ones; `VenueFetchResult` has no separate counter for that).
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
/// - `markPrice`/`indexPrice` in USDC per contract unit, from the funding row (same instant as `time` =
///   `fundingTimestamp`, the venue's calculation time).
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
        let meta = try Self.decodeEnvelope(MetaData.self, from: metaData, endpoint: "getMetaData")
        let ids = meta.contractList.filter { $0.enableTrade != false }.map(\.contractId)

        let batches = stride(from: 0, to: ids.count, by: max(1, fundingBatchSize)).map {
            Array(ids[$0..<min($0 + max(1, fundingBatchSize), ids.count)])
        }
        var fundingPages: [Data] = []
        for batch in batches {
            let path = Self.latestFundingPath + "?contractId=" + batch.joined(separator: ",")
            fundingPages.append(Data(try await client.get(path, baseURL: baseURL)))
        }

        let tickerAnswers = await PerMarketRequests.run(ids, limit: maxInFlight) { id in
            try await client.get(Self.tickerPath + "?contractId=" + id, baseURL: baseURL)
        }
        var tickers: [String: Data] = [:]
        for (id, answer) in zip(ids, tickerAnswers) { if case .success(let bytes) = answer { tickers[id] = Data(bytes) } }

        var result = try Self.parse(metaData: metaData, latestFundingRates: fundingPages, tickers: tickers, now: now)
        let latency = elapsedMilliseconds(since: start)
        for i in result.snapshots.indices { result.snapshots[i].collectionLatencyMs = latency }
        return result
    }

    // MARK: - Parsing

    /// Snapshots from the metadata, the `getLatestFundingRate` answers and the tickers that answered
    /// (`contractId` → body). `now` is used only when a funding row has no `fundingTimestamp`.
    public static func parse(
        metaData: Data, latestFundingRates: [Data], tickers: [String: Data], now: Date
    ) throws -> VenueFetchResult {
        let meta = try decodeEnvelope(MetaData.self, from: metaData, endpoint: "getMetaData")
        var funding: [String: FundingRow] = [:]
        for page in latestFundingRates {
            for row in try decodeEnvelope([FundingRow].self, from: page, endpoint: "getLatestFundingRate") {
                funding[row.contractId] = row
            }
        }
        let coinNames = Dictionary(meta.coinList.map { ($0.coinId, $0.coinName) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for contract in meta.contractList {
            if contract.enableTrade == false {
                result.skip("trading_disabled")
                continue
            }
            guard let row = funding[contract.contractId],
                  let rate = row.forecastFundingRate.number ?? row.fundingRate.number else {
                result.skip("no_funding_rate")
                continue
            }
            guard let minutes = row.fundingRateIntervalMin.number ?? contract.fundingRateIntervalMin.number,
                  minutes > 0 else {
                result.skip("missing_interval")
                continue
            }
            let intervalHours = minutes / 60

            // A ticker that failed or does not parse degrades this row only.
            var ticker: Ticker?
            if let body = tickers[contract.contractId] {
                ticker = (try? decodeEnvelope([Ticker].self, from: body, endpoint: "getTicker"))?
                    .first { $0.contractId == contract.contractId }
            }
            if ticker == nil { result.skip("ticker_unavailable") }

            let baseName = coinNames[contract.baseCoinId] ?? contract.contractName
            let normalized = SymbolNormalizer.normalize(contract.contractName, baseAsset: baseName)
            let quote = contract.quoteCoinId.flatMap { coinNames[$0] } ?? normalized.quote ?? "USDC"
            let mark = row.markPrice.number ?? ticker?.markPrice.number
            let oi = ticker?.openInterest.number
            let nextFunding = row.fundingTime.number.map {
                Date(timeIntervalSince1970: ($0 + minutes * 60_000) / 1000)
            } ?? ticker?.nextFundingTime?.millisecondsDate
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: contract.contractName, symbol: normalized.symbol, quote: quote, margin: .linear,
                multiplier: normalized.multiplier, time: row.fundingTimestamp?.millisecondsDate ?? now,
                fundingRate: rate, fundingIntervalHours: intervalHours,
                nextFundingTime: nextFunding,
                markPrice: mark, indexPrice: row.indexPrice.number ?? ticker?.indexPrice.number,
                openInterestBase: oi,
                openInterestUSD: oi.flatMap { oi in mark.map { oi * $0 } },
                volume24hUSD: ticker?.value.number
            ))
        }
        let known = Set(meta.contractList.map(\.contractId))
        let orphans = funding.keys.filter { !known.contains($0) }.count
        if orphans > 0 { result.skip("unknown_contract", count: orphans) }
        return result
    }

    /// Decodes `{"code":"SUCCESS","data":...}`; any other `code` is a payload error.
    static func decodeEnvelope<T: Decodable>(_ type: T.Type, from data: Data, endpoint: String) throws -> T {
        let envelope = try decodePayload(Envelope<T>.self, from: data, dex: dex, endpoint: endpoint)
        guard envelope.code == "SUCCESS", let payload = envelope.data else {
            throw VenuePayloadError(
                dex: dex, endpoint: endpoint,
                reason: "code \(envelope.code)\(envelope.msg.map { ": \($0)" } ?? "")\(envelope.data == nil ? ", no data" : "")")
        }
        return payload
    }

    struct Envelope<T: Decodable>: Decodable {
        var code: String
        var data: T?
        var msg: String?
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
        var fundingTimestamp: LenientDouble?
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
