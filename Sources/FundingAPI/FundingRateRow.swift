import Foundation
import PostgresNIO

/// One active market's latest state, as the `latest_funding_rates` view returns it: rates per interval, per hour,
/// per 8 h and as APR (percent), per-unit prices, open interest and 24 h volume in USD, spread in bps.
public struct FundingRateRow: Sendable, Equatable {
    public var dex: String
    public var symbol: String
    public var dexSymbol: String
    public var quote: String?
    public var fundingRate: Double
    public var fundingIntervalHours: Double?
    public var rate1h: Double?
    public var rate8h: Double?
    public var apr: Double?
    public var predictedRate: Double?
    public var nextFundingTime: Date?
    public var markPrice: Double?
    public var indexPrice: Double?
    public var openInterestUSD: Double?
    public var volume24hUSD: Double?
    public var bestBid: Double?
    public var bestAsk: Double?
    public var spreadBps: Double?
    public var time: Date
    public var ageSeconds: Double?

    /// The select list, in the order `init(row:)` decodes it.
    static let columns = """
        dex, symbol, dex_symbol, quote, funding_rate, funding_interval_hours, rate_1h, rate_8h, apr, predicted_rate, \
        next_funding_time, mark_price, index_price, open_interest_usd, volume_24h_usd, best_bid, best_ask, \
        spread_bps, time, age_seconds
        """

    init(row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        dex = try r[0].decode(String.self)
        symbol = try r[1].decode(String.self)
        dexSymbol = try r[2].decode(String.self)
        quote = try r[3].decode(String?.self)
        fundingRate = try r[4].decode(Double.self)
        fundingIntervalHours = try r[5].decode(Double?.self)
        rate1h = try r[6].decode(Double?.self)
        rate8h = try r[7].decode(Double?.self)
        apr = try r[8].decode(Double?.self)
        predictedRate = try r[9].decode(Double?.self)
        nextFundingTime = try r[10].decode(Date?.self)
        markPrice = try r[11].decode(Double?.self)
        indexPrice = try r[12].decode(Double?.self)
        openInterestUSD = try r[13].decode(Double?.self)
        volume24hUSD = try r[14].decode(Double?.self)
        bestBid = try r[15].decode(Double?.self)
        bestAsk = try r[16].decode(Double?.self)
        spreadBps = try r[17].decode(Double?.self)
        time = try r[18].decode(Date.self)
        ageSeconds = try r[19].decode(Double?.self)
    }

    /// Identity of the market for change detection.
    public var key: String { dex + "\u{1f}" + dexSymbol }

    /// Whether anything a subscriber sees changed, ignoring the sample time and age (every cycle restamps them).
    public func differs(from other: FundingRateRow) -> Bool {
        var a = self, b = other
        a.time = .distantPast; b.time = .distantPast
        a.ageSeconds = nil; b.ageSeconds = nil
        return a != b
    }

    /// The full row as JSON (the per-market shape of `/funding-rates/{dex}/{symbol}` and the WebSocket stream).
    public func write(to w: inout JSONWriter, now: Date? = nil) {
        w.object { o in
            o.field("dex", dex)
            o.field("symbol", symbol)
            o.field("dex_symbol", dexSymbol)
            o.field("quote", quote)
            o.field("funding_rate", fundingRate)
            o.field("funding_interval_hours", fundingIntervalHours)
            o.field("rate_1h", rate1h)
            o.field("rate_8h", rate8h)
            o.field("apr", apr)
            o.field("predicted_rate", predictedRate)
            o.field("next_funding_time", nextFundingTime)
            o.field("mark_price", markPrice)
            o.field("index_price", indexPrice)
            o.field("open_interest_usd", openInterestUSD)
            o.field("volume_24h_usd", volume24hUSD)
            o.field("best_bid", bestBid)
            o.field("best_ask", bestAsk)
            o.field("spread_bps", spreadBps)
            o.field("time", time)
            o.field("age_seconds", now.map { max(0, $0.timeIntervalSince(time)) } ?? ageSeconds)
        }
    }
}
