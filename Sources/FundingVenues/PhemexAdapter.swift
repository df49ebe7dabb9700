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
        var contractSize, fundingInterval: LenientDouble?
        var priceScale, ratioScale: Int?
    }

    struct Products: VenueEnvelope {
        struct Lists: Decodable {
            var products: [Product]?
            var perpProductsV2: [Product]?
        }
        var code: Int, msg: String?
        var data: Lists?
        var failure: String? { code == 0 ? nil : "code \(code): \(msg ?? "")" }
        var payload: Lists? { data }
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
        let lists = try decodeEnvelope(Products.self, from: data, dex: dex, endpoint: "/public/products")
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
