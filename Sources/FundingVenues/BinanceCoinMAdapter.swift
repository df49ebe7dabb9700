import Foundation
import FundingCore

/// Binance COIN-M perpetual futures (`binance_coinm`, `https://dapi.binance.com`), all endpoints public.
///
/// Endpoints and unit facts (Binance COIN-M REST docs, "Exchange Information", "Index Price and Mark Price",
/// "Get Funding Rate Info", "24hr Ticker Price Change Statistics", "Symbol Order Book Ticker", "Open Interest",
/// as mirrored in `binance/binance-connector-python` and `Tests/Fixtures/binance-coinm/SOURCE.md`):
/// - `GET /dapi/v1/premiumIndex` (all symbols, weight 10): the market list. `lastFundingRate` is a string
///   **fraction per funding interval** (`""` for delivery contracts), charged at `nextFundingTime` (ms; 0 for
///   delivery contracts). `markPrice`, `indexPrice` in USD per coin. No predicted rate is published.
/// - `GET /dapi/v1/fundingInfo`: `fundingIntervalHours` of the symbols whose interval was adjusted; others 8 h.
/// - `GET /dapi/v1/exchangeInfo`: `contractSize` per symbol, **USD per contract** (docs example: 100 for BTCUSD;
///   10 for most other pairs per the contract specifications), `contractType` (`PERPETUAL`), `contractStatus`.
/// - `GET /dapi/v1/ticker/24hr` (all symbols): `volume` is in **contracts** → USD = `volume × contractSize`
///   (`baseVolume` is coin; the docs example agrees: 494,109 × 100 = 49.4 M USD ≈ 5,192.9 BTC × 9,547.3).
/// - `GET /dapi/v1/ticker/bookTicker` (all symbols): `bidPrice` / `askPrice`.
/// - `GET /dapi/v1/openInterest?symbol=` (per symbol only, weight 1): `openInterest` in **contracts** →
///   `openInterestUSD` = contracts × `contractSize`, `openInterestBase` (coin) = USD / `markPrice`.
///
/// Contracts are inverse (coin-margined), quoted in USD: `BTCUSD_PERP` → BTC / USD `.inverse`. Excluded: delivery
/// contracts (`BTCUSD_250328`, `nextFundingTime` 0) as `dated_future`; symbols exchangeInfo lists as not
/// `TRADING` as `inactive`. Dropped: a perpetual without a rate. premiumIndex or fundingInfo failing throws;
/// exchangeInfo, ticker, book or a per-symbol open interest failing keeps the rows, degraded (without a
/// `contractSize` neither open interest nor volume can be put in USD, so both stay nil).
public struct BinanceCoinMAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "binance_coinm", displayName: "Binance COIN-M", kind: .cex,
        defaultBaseURL: "https://dapi.binance.com", defaultFundingIntervalHours: 8)

    static let dex = "binance_coinm"

    /// Per-symbol open-interest requests in flight (about 40 perpetuals; weight 1 each of 2400 per minute).
    public var openInterestConcurrency: Int

    public init(openInterestConcurrency: Int = 4) {
        self.openInterestConcurrency = openInterestConcurrency
    }

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        let start = ContinuousClock.now
        async let premium = client.get("/dapi/v1/premiumIndex", baseURL: baseURL)
        async let info = client.get("/dapi/v1/fundingInfo", baseURL: baseURL)
        async let exchange = client.attempt("/dapi/v1/exchangeInfo", baseURL: baseURL)
        async let tickers = client.attempt("/dapi/v1/ticker/24hr", baseURL: baseURL)
        async let books = client.attempt("/dapi/v1/ticker/bookTicker", baseURL: baseURL)
        let (premiumBody, infoBody) = try await (premium, info)
        let (exchangeBody, tickerBody, bookBody) = await (try? exchange.get(), try? tickers.get(), try? books.get())
        var result = try Self.parse(premiumIndex: premiumBody, fundingInfo: infoBody, exchangeInfo: exchangeBody,
                                    tickers24h: tickerBody, bookTickers: bookBody, now: now)
        result.stampLatency(since: start)

        let sizes = Self.symbols(exchangeBody).compactMapValues(\.contractSize.number)
        let sized = result.snapshots.indices.filter { sizes[result.snapshots[$0].dexSymbol] != nil }
        let answers = await PerMarketRequests.run(sized.map { result.snapshots[$0].dexSymbol }, limit: openInterestConcurrency) {
            try BinanceAdapter.parseOpenInterest(try await client.get("/dapi/v1/openInterest?symbol=\($0)", baseURL: baseURL))
        }
        for (i, answer) in zip(sized, answers) {
            guard case .success(let contracts) = answer, let size = sizes[result.snapshots[i].dexSymbol] else { continue }
            let oi = Self.openInterest(contracts: contracts, contractSize: size, mark: result.snapshots[i].markPrice)
            result.snapshots[i].openInterestUSD = oi.usd
            result.snapshots[i].openInterestBase = oi.base
        }
        result.degrade(.openInterest, count: result.snapshots.filter { $0.openInterestUSD == nil }.count)
        return result
    }

    // MARK: - Parsing (pure)

    struct ExchangeInfo: Decodable {
        var symbols: [Symbol]
        struct Symbol: Decodable {
            var symbol: String
            var contractStatus: String?
            var contractSize: LenientDouble?
        }
    }

    struct TickerRow: Decodable {
        var symbol: String
        var volume: LenientDouble?
    }

    /// The symbols of an exchangeInfo answer by name (empty when absent or malformed: rows are then degraded).
    static func symbols(_ exchangeInfo: (some DataProtocol)?) -> [String: ExchangeInfo.Symbol] {
        guard let exchangeInfo,
              let info = try? decodePayload(ExchangeInfo.self, from: exchangeInfo, dex: dex, endpoint: "/dapi/v1/exchangeInfo")
        else { return [:] }
        return Dictionary(info.symbols.map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// 24 h volume in USD by symbol: ticker `volume` (contracts) × exchangeInfo `contractSize` (USD per contract).
    static func volumesUSD(_ tickers24h: (some DataProtocol)?, symbols: [String: ExchangeInfo.Symbol]) throws -> [String: Double] {
        guard let tickers24h else { return [:] }
        let rows = try decodePayload(OneOrMany<TickerRow>.self, from: tickers24h, dex: dex, endpoint: "/dapi/v1/ticker/24hr").rows
        return Dictionary(rows.compactMap { r in r.volume.number.times(symbols[r.symbol]?.contractSize.number).map { (r.symbol, $0) } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// Open interest from contracts: USD = contracts × `contractSize` (USD per contract), base = USD / mark.
    static func openInterest(contracts: Double, contractSize: Double, mark: Double?) -> (usd: Double, base: Double?) {
        let usd = contracts * contractSize
        return (usd, mark.map { usd / $0 })
    }

    /// Snapshots (open interest aside) from the all-symbol answers; every answer but premiumIndex may be nil.
    public static func parse(
        premiumIndex: some DataProtocol, fundingInfo: (some DataProtocol)?, exchangeInfo: (some DataProtocol)?,
        tickers24h: (some DataProtocol)?, bookTickers: (some DataProtocol)?, now: Date
    ) throws -> VenueFetchResult {
        let rows = try decodePayload([BinanceAdapter.PremiumIndexRow].self, from: premiumIndex, dex: dex, endpoint: "/dapi/v1/premiumIndex")
        let intervals = try BinanceAdapter.intervals(fundingInfo, dex: dex, endpoint: "/dapi/v1/fundingInfo")
        let symbols = symbols(exchangeInfo)
        let volumes = try volumesUSD(tickers24h, symbols: symbols)
        let books = try BinanceAdapter.books(bookTickers, dex: dex, endpoint: "/dapi/v1/ticker/bookTicker")

        var result = VenueFetchResult()
        for row in rows {
            guard let next = row.nextFundingTime.date(.milliseconds), row.symbol.hasSuffix("_PERP") else {
                result.exclude(.datedFuture)
                continue
            }
            if let status = symbols[row.symbol]?.contractStatus, status != "TRADING" {
                result.exclude(.inactive)
                continue
            }
            guard let rate = row.lastFundingRate.number else {
                result.drop(.missingFundingRate)
                continue
            }
            let base = String(row.symbol.dropLast("USD_PERP".count))
            let name = SymbolNormalizer.normalize(row.symbol, baseAsset: base)
            let volume = volumes[row.symbol]
            if volume == nil { result.degrade(.volume) }
            if books[row.symbol] == nil { result.degrade(.bookTop) }
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: row.symbol, symbol: name.symbol, quote: "USD", margin: .inverse,
                multiplier: name.multiplier, time: now, fundingRate: rate,
                fundingIntervalHours: intervals[row.symbol] ?? descriptor.defaultFundingIntervalHours,
                nextFundingTime: next, markPrice: row.markPrice.number, indexPrice: row.indexPrice.number,
                volume24hUSD: volume, bestBid: books[row.symbol]?.0, bestAsk: books[row.symbol]?.1))
        }
        return result
    }
}

/// `GET /dapi/v1/fundingRate?symbol=&startTime=&endTime=&limit=` (Binance COIN-M docs): the USDⓈ-M format and
/// paging (oldest first, `limit` at most 1000, fraction per interval, ms); delivery symbols answer an empty array.
extension BinanceCoinMAdapter: FundingHistorySource {
    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        try await BinanceAdapter.binanceStyleHistory(request, path: "/dapi/v1/fundingRate", client: client,
                                                     baseURL: baseURL, descriptor: Self.descriptor)
    }
}
