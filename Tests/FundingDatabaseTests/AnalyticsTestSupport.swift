import Foundation
import FundingCore
import PostgresNIO
import Testing

/// One result row decoded from `json_agg`: column name → JSON value (NSNull for SQL NULL).
struct JSONRow: @unchecked Sendable {
    let values: [String: Any]

    func double(_ column: String) -> Double? {
        guard let v = values[column], !(v is NSNull) else { return nil }
        return (v as? NSNumber)?.doubleValue
    }

    func string(_ column: String) -> String? {
        values[column] as? String
    }

    func int(_ column: String) -> Int? {
        (values[column] as? NSNumber)?.intValue
    }

    func isNull(_ column: String) -> Bool {
        values[column] == nil || values[column] is NSNull
    }
}

extension PostgresConnection {
    /// Every row of `sql` as JSON objects (`json_agg` over the query), in the query's order.
    func jsonRows(_ sql: String) async throws -> [JSONRow] {
        let text = try await scalar(
            PostgresQuery(unsafeSQL: "SELECT coalesce(json_agg(json_rows_row), '[]')::text FROM (\(sql)) json_rows_row"), as: String.self)
        let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return array.map(JSONRow.init(values:))
    }
}

/// `a` equals `b` within a relative tolerance (both nil counts as equal).
func close(_ a: Double?, _ b: Double?, relative: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?):
        if x == y { return true }
        return abs(x - y) <= relative * max(abs(x), abs(y), 1e-300)
    default: return false
    }
}

/// A market leg of the known-answer dataset: the literal values written through the write path and the dex's fees.
struct Leg: Sendable {
    var dex: String
    var dexSymbol: String
    var symbol: String
    var quote: String = "USDT"
    var multiplier: Double = 1
    var interval: Double
    var rate: Double
    var mark: Double
    var oi: Double
    var volume: Double
    var bid: Double
    var ask: Double
    var maker: Double?
    var taker: Double?
    var ageSeconds: Double = 5

    var rate8h: Double { rate / interval * 8 }
    var apr: Double { rate / interval * 8760 * 100 }
    var unitMark: Double { mark / multiplier }
    var spreadBps: Double { (ask - bid) / ((ask + bid) / 2) * 10_000 }

    func snapshot(now: Date) -> MarketSnapshot {
        MarketSnapshot(dex: dex, dexSymbol: dexSymbol, symbol: symbol, quote: quote, multiplier: multiplier,
                       time: now.addingTimeInterval(-ageSeconds), fundingRate: rate, fundingIntervalHours: interval,
                       markPrice: mark, indexPrice: mark, openInterestBase: oi / mark, openInterestUSD: oi,
                       volume24hUSD: volume, bestBid: bid, bestAsk: ask)
    }
}

/// The expected opportunity for long leg `l` and short leg `s`, by docs/units.md's arithmetic in plain Swift.
struct ExpectedOpportunity: Sendable {
    var l: Leg
    var s: Leg
    var longFee: Double
    var shortFee: Double
    var holdHours: Double

    var key: String { "\(l.symbol) \(l.dex)/\(l.dexSymbol) -> \(s.dex)/\(s.dexSymbol)" }
    var divergence: Double { s.rate8h - l.rate8h }
    var fees: Double { 2 * longFee + 2 * shortFee }
    var netProfit: Double { divergence * holdHours / 8 - fees }
    var apy: Double { netProfit * 8760 / holdHours * 100 }
    var breakEven: Double? { divergence > 0 ? fees / (divergence / 8) : nil }
    var oiRatio: Double { l.oi / s.oi }
    var imbalance: String { oiRatio > 1.2 ? "long_heavy" : (oiRatio < 0.8 ? "short_heavy" : "balanced") }
    var priceSpreadBps: Double { (s.unitMark - l.unitMark) / ((s.unitMark + l.unitMark) / 2) * 10_000 }

    /// Every ordered pair of `legs` (same symbol, different dexes, fresh within `maxAge`, known fees).
    static func all(_ legs: [Leg], feeType: String = "taker", holdHours: Double = 8, maxAge: Double = 300,
                    fee: (Leg) -> Double? = { _ in nil }) -> [ExpectedOpportunity] {
        func f(_ leg: Leg) -> Double? { fee(leg) ?? (feeType == "maker" ? leg.maker : leg.taker) }
        var out: [ExpectedOpportunity] = []
        for l in legs where l.ageSeconds <= maxAge {
            for s in legs where s.ageSeconds <= maxAge && s.symbol == l.symbol && s.dex != l.dex {
                guard let lf = f(l), let sf = f(s) else { continue }
                out.append(ExpectedOpportunity(l: l, s: s, longFee: lf, shortFee: sf, holdHours: holdHours))
            }
        }
        return out
    }

    /// Compares a returned row with this expectation; returns the names of the columns that differ.
    func mismatches(_ row: JSONRow) -> [String] {
        var bad: [String] = []
        func check(_ column: String, _ expected: Double?) {
            if !close(row.double(column), expected) { bad.append("\(column): got \(String(describing: row.double(column))) expected \(String(describing: expected))") }
        }
        if row.string("long_dex") != l.dex { bad.append("long_dex") }
        if row.string("short_dex") != s.dex { bad.append("short_dex") }
        if row.string("symbol") != l.symbol { bad.append("symbol") }
        if row.string("long_dex_symbol") != l.dexSymbol { bad.append("long_dex_symbol") }
        if row.string("short_dex_symbol") != s.dexSymbol { bad.append("short_dex_symbol") }
        if row.string("oi_imbalance") != imbalance { bad.append("oi_imbalance") }
        check("long_interval_hours", l.interval)
        check("short_interval_hours", s.interval)
        check("long_rate", l.rate)
        check("short_rate", s.rate)
        check("long_rate_8h", l.rate8h)
        check("short_rate_8h", s.rate8h)
        check("divergence", divergence)
        check("long_fee", longFee)
        check("short_fee", shortFee)
        check("estimated_fees", fees)
        check("net_profit", netProfit)
        check("annualized_apy", apy)
        check("break_even_hours", breakEven)
        check("long_oi_usd", l.oi)
        check("short_oi_usd", s.oi)
        check("min_oi_usd", min(l.oi, s.oi))
        check("max_oi_usd", max(l.oi, s.oi))
        check("oi_ratio", oiRatio)
        check("long_volume_24h", l.volume)
        check("short_volume_24h", s.volume)
        check("min_volume_24h", min(l.volume, s.volume))
        check("long_spread_bps", l.spreadBps)
        check("short_spread_bps", s.spreadBps)
        check("price_spread_bps", priceSpreadBps)
        check("long_mark_price", l.unitMark)
        check("short_mark_price", s.unitMark)
        for column in ["long_time", "short_time"] where row.isNull(column) { bad.append(column) }
        return bad
    }
}

func rowKey(_ row: JSONRow) -> String {
    "\(row.string("symbol") ?? "?") \(row.string("long_dex") ?? "?")/\(row.string("long_dex_symbol") ?? "?") -> \(row.string("short_dex") ?? "?")/\(row.string("short_dex_symbol") ?? "?")"
}

/// Checks that `rows` are exactly `expected` (as a set of pairs) with every value right.
func expectOpportunities(_ rows: [JSONRow], _ expected: [ExpectedOpportunity],
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let got = Dictionary(rows.map { (rowKey($0), $0) }, uniquingKeysWith: { a, _ in a })
    #expect(rows.count == got.count, "duplicate pairs in the result", sourceLocation: sourceLocation)
    #expect(Set(got.keys) == Set(expected.map(\.key)), sourceLocation: sourceLocation)
    for e in expected {
        guard let row = got[e.key] else { continue }
        let bad = e.mismatches(row)
        #expect(bad.isEmpty, "\(e.key): \(bad.joined(separator: "; "))", sourceLocation: sourceLocation)
    }
}

/// PostgreSQL's percentile_cont over `values` (linear interpolation between order statistics).
func percentileCont(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let pos = p * Double(sorted.count - 1)
    let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
}

func sampleStddev(_ values: [Double]) -> Double {
    let mean = values.reduce(0, +) / Double(values.count)
    return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
}
