import Foundation

/// Whether a contract is margined and settled in the quote asset (`linear`) or in the base asset (`inverse`).
public enum Margin: String, Sendable, Hashable, Codable, CaseIterable {
    case linear
    case inverse
}

/// One normalised observation of one perpetual market on one dex, as an adapter produces it.
///
/// Units are fixed here so nothing downstream converts again:
/// - `fundingRate` is a fraction per funding interval, as the venue charges it (0.0001 = 0.01 % per interval);
/// - `fundingIntervalHours` is the venue's interval for this market;
/// - prices are as the venue quotes them, per contract unit (per 1000 PEPE on `1000PEPEUSDT`); readers divide
///   by `multiplier` to get per-unit prices;
/// - `openInterestBase` is in the market's own base unit as quoted (1000 PEPE lots on `1000PEPEUSDT`),
///   `openInterestUSD` and `volume24hUSD` are in USD (quote-currency dollars).
public struct MarketSnapshot: Sendable, Hashable, Codable {
    /// Dex name (`binance`, `hyperliquid`), lower case.
    public var dex: String
    /// The venue's own market identifier (`1000PEPEUSDT`, `BTC-USD-PERP`, `xyz:TSLA`).
    public var dexSymbol: String
    /// Normalised base asset (`PEPE`, `BTC`).
    public var symbol: String
    /// Quote / settlement asset (`USDT`, `USDC`, `USD`).
    public var quote: String
    public var margin: Margin
    /// Units of `symbol` per contract unit: 1000 for `1000PEPEUSDT`, 1 otherwise.
    public var multiplier: Double
    /// When the venue's data was observed (the collection time when the venue gives none).
    public var time: Date
    public var fundingRate: Double
    public var fundingIntervalHours: Double
    public var predictedRate: Double?
    public var nextFundingTime: Date?
    public var markPrice: Double?
    public var indexPrice: Double?
    public var openInterestBase: Double?
    public var openInterestUSD: Double?
    public var volume24hUSD: Double?
    public var bestBid: Double?
    public var bestAsk: Double?
    /// Milliseconds the venue took to answer the request(s) that produced this row.
    public var collectionLatencyMs: Int?

    public init(
        dex: String, dexSymbol: String, symbol: String, quote: String, margin: Margin = .linear,
        multiplier: Double = 1, time: Date, fundingRate: Double, fundingIntervalHours: Double,
        predictedRate: Double? = nil, nextFundingTime: Date? = nil, markPrice: Double? = nil,
        indexPrice: Double? = nil, openInterestBase: Double? = nil, openInterestUSD: Double? = nil,
        volume24hUSD: Double? = nil, bestBid: Double? = nil, bestAsk: Double? = nil,
        collectionLatencyMs: Int? = nil
    ) {
        self.dex = dex
        self.dexSymbol = dexSymbol
        self.symbol = symbol
        self.quote = quote
        self.margin = margin
        self.multiplier = multiplier
        self.time = time
        self.fundingRate = fundingRate
        self.fundingIntervalHours = fundingIntervalHours
        self.predictedRate = predictedRate
        self.nextFundingTime = nextFundingTime
        self.markPrice = markPrice
        self.indexPrice = indexPrice
        self.openInterestBase = openInterestBase
        self.openInterestUSD = openInterestUSD
        self.volume24hUSD = volume24hUSD
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.collectionLatencyMs = collectionLatencyMs
    }
}

extension MarketSnapshot {
    /// The funding rate per hour (fraction): `fundingRate / fundingIntervalHours`.
    public var rate1h: Double { FundingUnits.ratePerHour(fundingRate, intervalHours: fundingIntervalHours) }
    /// The 8-hour equivalent rate (fraction): `8 × rate1h`.
    public var rate8h: Double { 8 * rate1h }
    /// Annualised rate in percent: `rate1h × 8760 × 100`.
    public var apr: Double { FundingUnits.aprPercent(ratePerHour: rate1h) }
}
