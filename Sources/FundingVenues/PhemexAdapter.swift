import Foundation
import FundingCore

/// Phemex perpetuals: USDT-margined "hedged" perpetuals (real-valued v3 fields) and coin-margined contracts
/// (scaled integer v1 fields) (`phemex`, `https://api.phemex.com`).
///
/// Endpoints (Phemex API docs, phemex-docs.github.io `_contract.md` / `_generic.md`; 5,000 requests per 5 min
/// per IP), three requests per cycle:
/// - `GET /public/products`: `perpProductsV2` (USDT perpetuals) and `products` of `type` `Perpetual`
///   (coin-margined), with `fundingInterval` in **seconds**, `status` (`Listed` kept, others `inactive`) and,
///   for coin-margined products, the scales `priceScale` and `ratioScale`. This is the market list; its failure
///   fails the venue.
/// - `GET /md/v3/ticker/24hr/all`: every USDT perpetual's ticker with real values: `fundingRateRr` (fraction
///   per interval), `predFundingRateRr` (predicted), `markRp`, `indexRp`, `bidRp`, `askRp`, `openInterestRv`
///   (base quantity: ETHUSDT 7,115 at 1,906 in the docs example, which as USDT would be implausibly small; third
///   parties read it against `volumeRq`, the base volume), `turnoverRv` (24 h quote volume).
/// - `GET /md/v1/ticker/24hr/all`: every coin-margined ticker with **scaled integers**: `…Ep` prices are
///   price × 10^priceScale (4 on BTCUSD), `…Er` ratios are ratio × 10^ratioScale (8: `fundingRateEr` 235950 =
///   0.0023595), `openInterest` and `volume` are contracts of `contractSize` `contractUnderlyingAssets`
///   (1 USD on BTCUSD: "Each contract is worth 1 USD") → USD directly, base = USD / mark.
/// A ticker request that fails is recorded and costs only its own markets, dropped as `missing_funding_rate`
/// like a product without a ticker row; a ticker with no perpetual product is dropped as `unknown_market`.
/// Next funding times are published only by `contract-biz/public/real-funding-rates` (paged, page size not
/// documented in the sources read) and are not fetched: `nextFundingTime` stays nil.
public struct PhemexAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "phemex", displayName: "Phemex", kind: .cex,
        defaultBaseURL: "https://api.phemex.com", defaultFundingIntervalHours: 8)

    static let dex = "phemex"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        async let usdt = client.attempt("/md/v3/ticker/24hr/all", baseURL: baseURL)
        async let coin = client.attempt("/md/v1/ticker/24hr/all", baseURL: baseURL)
        let products = try Self.parseProducts(try await client.get("/public/products", baseURL: baseURL))
        var result = try Self.parse(
            products: products, usdtTickers: try? await usdt.get(), coinTickers: try? await coin.get(), now: now)
        for (path, answer) in [("/md/v3/ticker/24hr/all", await usdt), ("/md/v1/ticker/24hr/all", await coin)] {
            if case .failure(let error) = answer { result.fail("GET \(path)", error) }
        }
        return result
    }

    // MARK: - Parsing (pure)

    /// One perpetual of `/public/products`.
    public struct Product: Decodable, Sendable {
        var symbol, quoteCurrency: String
        var type, status, baseCurrency, contractUnderlyingAssets: String?
        /// The symbol of the product's settled funding-rate series (`.BTCFR8H`); see `fundingRateSymbol(of:)`.
        var fundingRate8hSymbol: String?
        var contractSize, fundingInterval: LenientDouble?
        var priceScale, ratioScale: Int?
    }

    /// The `{code, msg, data}` answer of `/public/products` and of the `/api-data` endpoints.
    struct DataEnvelope<T: Decodable>: VenueEnvelope {
        var code: Int, msg: String?
        var data: T?
        var failure: String? { code == 0 ? nil : "code \(code): \(msg ?? "")" }
        var payload: T? { data }
    }

    struct ProductLists: Decodable {
        var products: [Product]?
        var perpProductsV2: [Product]?
    }

    struct Envelope<T: Decodable>: VenueEnvelope {
        struct Failure: Decodable {
            var code: Int?, message: String?
        }
        var error: Failure?, result: OneOrMany<T>?
        var failure: String? { error.map { "error \($0.code ?? 0): \($0.message ?? "")" } }
        var payload: [T]? { result?.rows }
    }

    struct RealTicker: Decodable {
        var symbol: String
        var fundingRateRr, predFundingRateRr, markRp, indexRp, bidRp, askRp, openInterestRv, turnoverRv: LenientDouble?
    }

    struct ScaledTicker: Decodable {
        var symbol: String
        var fundingRateEr, predFundingRateEr, markEp, indexEp, bidEp, askEp, openInterest, volume: LenientDouble?
    }

    /// The perpetual products (USDT and coin-margined) of one `/public/products` answer.
    public static func parseProducts(_ data: some DataProtocol) throws -> [Product] {
        let lists = try decodeEnvelope(DataEnvelope<ProductLists>.self, from: data, dex: dex, endpoint: "/public/products")
        return (lists.perpProductsV2 ?? []) + (lists.products ?? []).filter { $0.type == "Perpetual" }
    }

    /// Snapshots of `products` from the two ticker answers (nil: not available).
    public static func parse(products: [Product], usdtTickers: (some DataProtocol)?, coinTickers: (some DataProtocol)?,
                             now: Date) throws -> VenueFetchResult {
        let real = try usdtTickers.map {
            try decodeEnvelope(Envelope<RealTicker>.self, from: $0, dex: dex, endpoint: "/md/v3/ticker/24hr/all")
        } ?? []
        let scaled = try coinTickers.map {
            try decodeEnvelope(Envelope<ScaledTicker>.self, from: $0, dex: dex, endpoint: "/md/v1/ticker/24hr/all")
        } ?? []
        let realBy = Dictionary(real.map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })
        let scaledBy = Dictionary(scaled.map { ($0.symbol, $0) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for p in products {
            guard p.status == nil || p.status == "Listed" else { result.exclude(.inactive); continue }
            guard let seconds = p.fundingInterval.number, seconds > 0 else { result.drop(.missingFundingInterval); continue }
            let name = SymbolNormalizer.normalize(p.symbol, baseAsset: p.baseCurrency)
            let s = p.type == "Perpetual"
                ? scaledBy[p.symbol].flatMap { coinMargined($0, p, name, hours: seconds / 3600, now: now) }
                : realBy[p.symbol].flatMap { usdtMargined($0, p, name, hours: seconds / 3600, now: now) }
            if let s { result.snapshots.append(s) } else { result.drop(.missingFundingRate) }
        }
        let unlisted = (real.map(\.symbol) + scaled.map(\.symbol)).filter { t in !products.contains { $0.symbol == t } }
        result.drop(.unknownMarket, count: unlisted.count)
        return result
    }

    static func usdtMargined(_ t: RealTicker, _ p: Product, _ name: NormalizedSymbol, hours: Double, now: Date) -> MarketSnapshot? {
        guard let rate = t.fundingRateRr.number else { return nil }
        let (mark, base) = (t.markRp.number, t.openInterestRv.number)
        return MarketSnapshot(
            dex: dex, dexSymbol: p.symbol, symbol: name.symbol, quote: p.quoteCurrency, margin: .linear,
            multiplier: name.multiplier, time: now, fundingRate: rate, fundingIntervalHours: hours,
            predictedRate: t.predFundingRateRr.number, markPrice: mark, indexPrice: t.indexRp.number,
            openInterestBase: base, openInterestUSD: base.times(mark),
            volume24hUSD: t.turnoverRv.number, bestBid: t.bidRp.number, bestAsk: t.askRp.number)
    }

    static func coinMargined(_ t: ScaledTicker, _ p: Product, _ name: NormalizedSymbol, hours: Double, now: Date) -> MarketSnapshot? {
        guard let priceScale = p.priceScale, let ratioScale = p.ratioScale, let rateEr = t.fundingRateEr.number else { return nil }
        let price = { (v: LenientDouble?) in v.number.map { $0 / pow(10, Double(priceScale)) } }
        let ratio = { (v: LenientDouble?) in v.number.map { $0 / pow(10, Double(ratioScale)) } }
        // Contracts count in quote-currency units only when the contract is worth a fixed amount of the quote.
        let usdPerContract = p.contractUnderlyingAssets == p.quoteCurrency ? p.contractSize.number : nil
        let mark = price(t.markEp)
        let oiUSD = t.openInterest.number.times(usdPerContract)
        return MarketSnapshot(
            dex: dex, dexSymbol: p.symbol, symbol: name.symbol, quote: p.quoteCurrency, margin: .inverse,
            multiplier: name.multiplier, time: now, fundingRate: rateEr / pow(10, Double(ratioScale)),
            fundingIntervalHours: hours, predictedRate: ratio(t.predFundingRateEr), markPrice: mark,
            indexPrice: price(t.indexEp), openInterestBase: oiUSD.times(mark.flatMap { $0 > 0 ? 1 / $0 : nil }),
            openInterestUSD: oiUSD, volume24hUSD: t.volume.number.times(usdPerContract),
            bestBid: price(t.bidEp), bestAsk: price(t.askEp))
    }
}

// MARK: - Settled funding history

/// `GET /api-data/public/data/funding-rate-history?symbol=&start=&end=&limit=` (Phemex docs `_contract.md` "Query
/// funding rate history"): `symbol` is the product's **funding-rate symbol**, not its trading symbol; `start` and
/// `end` epoch ms, both inclusive; `limit` "default 100, max 100"; rows **ascending** by `fundingTime`, and when the
/// range holds more than `limit` the answer is `start` plus `limit` rows, so pages go forward. Rows: `fundingRate`
/// a **fraction per interval** as a string, `fundingTime` epoch ms, `intervalSeconds` the interval. No price.
/// The same path serves coin-margined symbols (ccxt's `/v1` prefix for them fails, as a third-party probe found).
///
/// The funding-rate symbol: the docs give the pattern `.<BASECURRENCY>FR8H` for coin-margined products and
/// `.<BASECURRENCY><QUOTECURRENCY>FR8H` for USDT-margined ones (their `.…FR` symbols are the *predicted* rate), and
/// `/public/products` lists it per product as `fundingRate8hSymbol`. The request carries only the trading symbol,
/// so it is derived (`fundingRateSymbol(of:)`): the trading symbol with a trailing `USD` (coin-margined: `BTCUSD`,
/// `cETHUSD`) dropped, between `.` and `FR8H`. It agrees with `fundingRate8hSymbol` on every perpetual of the
/// recorded products answer (`BTCUSD` → `.BTCFR8H`, `BTCUSDT` → `.BTCUSDTFR8H`), and with the `.cETHFR8H` a
/// third party read from the live products list for `cETHUSD`, where building it from `baseCurrency` (ETH), as
/// ccxt does, goes wrong. Unverified: whether every product follows it (a wrong symbol would answer no rows), and
/// whether a market settling every 4 h or 1 h keeps the `FR8H` name with its own rate per `intervalSeconds`.
extension PhemexAdapter: FundingHistorySource {
    static let historyPageSize = 100
    static let historyEndpoint = "/api-data/public/data/funding-rate-history"

    struct FundingHistoryRow: Decodable {
        var fundingRate: LenientDouble?
        var fundingTime: LenientDouble?
        var intervalSeconds: LenientDouble?
    }

    struct FundingHistoryAnswer: Decodable {
        var rows: [FundingHistoryRow]?
    }

    /// The funding-rate series of trading symbol `symbol`: `.BTCFR8H` for `BTCUSD`, `.BTCUSDTFR8H` for `BTCUSDT`.
    static func fundingRateSymbol(of symbol: String) -> String {
        ".\(symbol.hasSuffix("USD") ? String(symbol.dropLast(3)) : symbol)FR8H"
    }

    public func fundingHistory(_ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String)
        async throws -> FundingHistoryPage
    {
        let limit = min(request.limit ?? Self.historyPageSize, Self.historyPageSize)
        let path = "\(Self.historyEndpoint)?symbol=\(Self.fundingRateSymbol(of: request.dexSymbol))"
            + "&start=\(HistoryPaging.milliseconds(request.start))&end=\(HistoryPaging.milliseconds(request.end) - 1)"
            + "&limit=\(limit)"
        return try Self.parseFundingHistory(try await client.get(path, baseURL: baseURL), request: request,
                                            pageSize: limit)
    }

    static func parseFundingHistory(_ data: some DataProtocol, request: FundingHistoryRequest, pageSize: Int) throws
        -> FundingHistoryPage
    {
        let answer = try decodeEnvelope(DataEnvelope<FundingHistoryAnswer>.self, from: data, dex: dex,
                                        endpoint: historyEndpoint)
        let rows = try (answer.rows ?? []).map { row in
            try SettlementRow.required(time: row.fundingTime.date(.milliseconds), rate: row.fundingRate.number,
                                        intervalHours: row.intervalSeconds.number.flatMap { $0 > 0 ? $0 / 3600 : nil },
                                        dex: dex, endpoint: historyEndpoint, fields: "fundingRate or fundingTime")
        }
        return HistoryPaging.page(rows, request: request, pageSize: pageSize, direction: .forward,
                                  defaultInterval: descriptor.defaultFundingIntervalHours)
    }
}
