import Foundation
import FundingVenues

/// The market `fundingd run --demo` shows: one universe of assets, each with one price path that every venue
/// follows (so a symbol costs the same everywhere, up to a few basis points of venue basis), 24 h volume and open
/// interest falling with the asset's rank and scaled by the venue's share, a spread widening down the ranks, and
/// funding rates that drift per symbol, differ a little per venue and now and then spike on one venue, so
/// opportunities appear and vanish over the hours someone watches.
///
/// Every figure is a pure function of (asset, venue, time): the payloads answered to the venues' adapters
/// (`DemoShapes`), the live prices and the 30 days of settlements the demo writes all agree without shared state.
/// The assets and their starting prices come from the recorded Binance premium index (a real answer of every
/// USDⓈ-M market), majors first.
public struct DemoMarket: Sendable {
    /// One asset of the universe: its base symbol, its price when the recording was made, its rank by size.
    public struct Asset: Sendable, Equatable {
        public var base: String
        public var price: Double
        public var rank: Int
    }

    /// One market's figures at one time, per base unit of the asset and in USD.
    public struct Quote: Sendable, Equatable {
        public var mark: Double
        public var index: Double
        public var last: Double
        public var bid: Double
        public var ask: Double
        public var volume24hUSD: Double
        public var openInterestUSD: Double
        /// Fraction per funding interval.
        public var rate: Double
        public var volume24hBase: Double { volume24hUSD / mark }
        public var openInterestBase: Double { openInterestUSD / mark }
    }

    public var assets: [Asset]

    /// The largest assets, in this order, lead the universe; the rest follow in the recording's order.
    static let majors = ["BTC", "ETH", "SOL", "XRP", "BNB", "DOGE", "ADA", "TRX", "AVAX", "LINK", "SUI", "LTC", "DOT",
                         "BCH", "TON", "NEAR", "APT", "ARB", "OP", "UNI", "AAVE", "ATOM", "FIL", "ETC", "INJ", "TIA",
                         "SEI", "WLD", "JUP", "ENA", "ONDO", "HBAR", "XLM", "ICP", "RENDER", "FET", "STX", "IMX",
                         "MKR", "LDO", "CRV", "GALA", "SAND", "AXS", "DYDX", "GMX", "PENDLE", "ORDI", "WIF", "JTO"]

    /// The universe from a Binance `GET /fapi/v1/premiumIndex` answer: every `<BASE>USDT` perpetual whose base is
    /// letters only (no `1000PEPE`: a multiplier would make "the same price on every venue" depend on the venue's
    /// contract, which the demo keeps out) with a positive mark price.
    public init(binancePremiumIndex data: Data) throws {
        struct Row: Decodable { var symbol: String; var markPrice: String }
        var prices: [String: Double] = [:]
        var order: [String] = []
        for row in try JSONDecoder().decode([Row].self, from: data) where row.symbol.hasSuffix("USDT") {
            let base = String(row.symbol.dropLast(4))
            guard (2...10).contains(base.count), base.allSatisfy({ $0.isASCII && $0.isUppercase }),
                  let price = Double(row.markPrice), price > 0, prices[base] == nil else { continue }
            prices[base] = price
            order.append(base)
        }
        let ranked = Self.majors.filter { prices[$0] != nil } + order.filter { !Self.majors.contains($0) }
        assets = ranked.enumerated().map { Asset(base: $1, price: prices[$1]!, rank: $0) }
    }

    /// The universe of a catalog's Binance recording (`premium-index-all.json`).
    public init(catalog: FixtureCatalog) throws {
        guard let folder = catalog.folder(forDex: "binance") else {
            throw DemoShapeError(reason: "no Binance recordings to take the demo's assets from")
        }
        try self.init(binancePremiumIndex: Data(contentsOf: folder.appendingPathComponent("premium-index-all.json")))
    }

    /// `asset` on `dex` at `date`: `share` scales the venue's volume and open interest against Binance's (1).
    public func quote(_ asset: Asset, dex: String, share: Double, intervalHours: Double, at date: Date) -> Quote {
        let t = date.timeIntervalSince1970
        let a = DemoPrices.phase(asset.base), v = DemoPrices.phase(dex + ":" + asset.base)
        // One path per asset (±3 % over days, ±0.4 % within the hour), a venue basis within ±4 bp.
        let index = asset.price * (1 + 0.03 * sin(2 * .pi * t / (2.3 * 86_400) + a) + 0.004 * sin(2 * .pi * t / 2_820 + 2 * a))
        let mark = index * (1 + 0.0004 * sin(t / 1_500 + v))
        // Half-spread from 0.25 bp on the majors to 3.25 bp from rank 200 on.
        let half = (0.25 + 3 * Double(min(asset.rank, 200)) / 200) * 1e-4
        // Binance-sized volume: 20 B USD a day for the first asset, falling as rank^-1.25; open interest 25–75 %
        // of the day's volume per asset.
        let volume = share * 2e10 / pow(Double(asset.rank + 1), 1.25) * (1 + 0.15 * sin(t / 7_200 + v))
        let oiShare = 0.25 + 0.5 * Double(DemoPositions.hash(asset.base) % 1_000) / 1_000
        return Quote(mark: mark, index: index, last: mark * (1 + half * sin(t / 13 + v)), bid: mark * (1 - half),
                     ask: mark * (1 + half), volume24hUSD: volume, openInterestUSD: volume * oiShare,
                     rate: Self.rate(dex: dex, symbol: asset.base, at: date, intervalHours: intervalHours))
    }

    /// Fraction per `intervalHours` charged at `time` on `dex`'s `symbol` market: a positive mean of 0.01 % per 8 h
    /// (about 11 % APR, scaled to the interval) that swings with a multi-day cycle per symbol and an intraday one
    /// per (dex, symbol), so venues disagree and some settlements turn negative; plus, on each (dex, symbol), a pulse of up to
    /// ±0.2 % per 8 h that rises and falls within an hour or two, in one of every twelve cycles of 6 to 30 hours
    /// (its own period; which cycles, and the sign, drawn by hash), so about one market in two hundred pays far more
    /// or less than its peers at any moment: the opportunities that appear and vanish.
    public static func rate(dex: String, symbol: String, at time: Date, intervalHours: Double) -> Double {
        func phase(_ s: String) -> Double { Double(s.unicodeScalars.reduce(0) { $0 &+ Int($1.value) } % 360) * .pi / 180 }
        let t = time.timeIntervalSince1970
        let swing = 0.8 * sin(2 * .pi * t / (3.7 * 86_400) + phase(symbol)) + 0.3 * sin(2 * .pi * t / (11 * 3_600) + phase(dex + ":" + symbol))
        let key = DemoPositions.hash(dex + ":" + symbol)
        let period = Double(6 + key % 25) * 3_600
        let angle = 2 * .pi * t / period + phase(dex + ":" + symbol)
        // One cycle in twelve carries a pulse (which, and its sign, by hash), so a few markets spike at a time.
        let cycle = Int64(floor(angle / (2 * .pi)))
        let draw = DemoPositions.hash("\(dex):\(symbol):\(cycle)")
        let pulse = draw % 12 == 0 ? pow(max(0, sin(angle)), 48) : 0
        let sign: Double = (draw >> 8) % 2 == 0 ? 1 : -1
        return intervalHours / 8 * (0.0001 * (1 + swing) + sign * 0.002 * pulse)
    }
}
