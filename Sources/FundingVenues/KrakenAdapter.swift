import Foundation
import FundingCore

/// Kraken Futures perpetuals: inverse `PI_` (coin-margined, 1 USD contracts) and multi-collateral linear `PF_`
/// (`kraken`, `https://futures.kraken.com`).
///
/// Endpoints (Kraken Futures REST v3, docs.kraken.com "Tickers" and "Instruments"), two requests per cycle:
/// - `GET /derivatives/api/v3/tickers`: every instrument's ticker; perpetuals have `tag` `perpetual` (others,
///   dated futures and index rows, are excluded as `not_perpetual`; `suspended` ones as `inactive`).
/// - `GET /derivatives/api/v3/instruments`: `type` (`futures_inverse` / `flexible_futures`), `contractSize`,
///   `base`, `quote`. A ticker without an instrument row is dropped as `unknown_market`; one without a mark
///   price as `missing_price` (the conversion of its funding rate needs it).
///
/// Unit facts:
/// - tickers `fundingRate` is an **absolute** funding amount per contract per hour, in the settlement currency,
///   not a fraction (`fundingRatePrediction` likewise). The fraction Kraken calls the relative funding rate
///   (the historical endpoint `/v4/historicalfundingrates` gives both): for an inverse contract worth 1 USD the
///   payment is relative × 1 USD = relative / price coin, so relative = absolute × price; for a linear contract of
///   `contractSize` base units the payment is relative × size × price USD, so relative = absolute / (size ×
///   price). Checked on the recorded PI_XBTUSD history: −8.15861558e-10 × ~20,713 = −1.68989e-5 =
///   `relativeFundingRate`. The price used is `markPrice`.
/// - Interval 1 h: Kraken perpetuals fund every hour (`fundingRateCoefficient` 24 per day). The REST ticker
///   gives no next funding time (only the WebSocket feed does), so `nextFundingTime` stays nil.
/// - `openInterest` and `vol24h` are in **contracts**: USD on `PI_` (1 USD each), base units × `contractSize`
///   on `PF_`. `volumeQuote` is the quote volume ("size × price" of the fills) and is used for `PF_`; on `PI_`
///   it does not match either the USD or the coin volume of the recording, so `vol24h` (USD) is used there.
/// - `markPrice`, `indexPrice`, `bid`, `ask` in USD per base unit.
public struct KrakenAdapter: VenueAdapter {
    public static let descriptor = DexDescriptor(
        name: "kraken", displayName: "Kraken", kind: .cex,
        defaultBaseURL: "https://futures.kraken.com", defaultFundingIntervalHours: 1)

    static let dex = "kraken"

    public init() {}

    public func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        async let instruments = client.get("/derivatives/api/v3/instruments", baseURL: baseURL)
        async let tickers = client.get("/derivatives/api/v3/tickers", baseURL: baseURL)
        return try Self.parse(tickers: try await tickers, instruments: try await instruments, now: now)
    }

    // MARK: - Parsing (pure)

    struct Tickers: VenueEnvelope {
        var result: String
        var error: String?
        var tickers: [Ticker]?
        var failure: String? { result == "success" ? nil : error ?? result }
        var payload: [Ticker]? { tickers }
    }

    struct Instruments: VenueEnvelope {
        var result: String
        var error: String?
        var instruments: [Instrument]?
        var failure: String? { result == "success" ? nil : error ?? result }
        var payload: [Instrument]? { instruments }
    }

    struct Ticker: Decodable {
        var symbol: String
        var tag: String?
        var suspended: Bool?
        var markPrice: LenientDouble?
        var indexPrice: LenientDouble?
        var bid: LenientDouble?
        var ask: LenientDouble?
        var vol24h: LenientDouble?
        var volumeQuote: LenientDouble?
        var openInterest: LenientDouble?
        var fundingRate: LenientDouble?
        var fundingRatePrediction: LenientDouble?
    }

    struct Instrument: Decodable {
        var symbol: String
        var type: String?
        var contractSize: LenientDouble?
        var base: String?
        var quote: String?
    }

    /// Snapshots from one `tickers` and one `instruments` answer.
    public static func parse(tickers: some DataProtocol, instruments: some DataProtocol, now: Date) throws -> VenueFetchResult {
        let rows = try decodeEnvelope(Tickers.self, from: tickers, dex: dex, endpoint: "/derivatives/api/v3/tickers")
        let list = try decodeEnvelope(Instruments.self, from: instruments, dex: dex, endpoint: "/derivatives/api/v3/instruments")
        let instrumentBy = Dictionary(list.map { ($0.symbol.uppercased(), $0) }, uniquingKeysWith: { a, _ in a })

        var result = VenueFetchResult()
        for row in rows {
            guard row.tag == "perpetual" else { result.exclude(.notPerpetual); continue }
            guard row.suspended != true else { result.exclude(.inactive); continue }
            guard let inst = instrumentBy[row.symbol.uppercased()], let size = inst.contractSize.number, size > 0,
                  let base = inst.base, let quote = inst.quote else { result.drop(.unknownMarket); continue }
            guard let mark = row.markPrice.number, mark > 0 else { result.drop(.missingPrice); continue }
            guard let absolute = row.fundingRate.number else { result.drop(.missingFundingRate); continue }
            let inverse = inst.type == "futures_inverse"
            // relative = absolute × price (inverse, 1 USD contracts) or absolute / (size × price) (linear)
            let relative = { (amount: Double) in inverse ? amount * mark / size : amount / (size * mark) }
            let contracts = row.openInterest.number
            let oiUSD = inverse ? contracts.map { $0 * size } : contracts.map { $0 * size * mark }
            let name = SymbolNormalizer.normalize(row.symbol, baseAsset: base)
            result.snapshots.append(MarketSnapshot(
                dex: dex, dexSymbol: row.symbol, symbol: name.symbol, quote: quote,
                margin: inverse ? .inverse : .linear, multiplier: name.multiplier, time: now,
                fundingRate: relative(absolute), fundingIntervalHours: 1,
                predictedRate: row.fundingRatePrediction.number.map(relative), markPrice: mark,
                indexPrice: row.indexPrice.number, openInterestBase: oiUSD.map { $0 / mark }, openInterestUSD: oiUSD,
                volume24hUSD: inverse ? row.vol24h.number.map { $0 * size } : row.volumeQuote.number,
                bestBid: row.bid.number, bestAsk: row.ask.number))
        }
        return result
    }
}
