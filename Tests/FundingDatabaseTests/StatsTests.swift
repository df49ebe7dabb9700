import Foundation
import PostgresNIO
import Testing

/// A raw sample `hoursAgo` hours before the current hour (plus `minute` minutes): it lands in the hourly bucket
/// starting `hoursAgo` hours before the current one.
struct Sample: Sendable {
    var hoursAgo: Int
    var minute: Int
    var rate: Double
}

/// What funding_stats must return for `samples` restricted to buckets less than `maxHours` hours old, computed
/// with plain arithmetic.
struct ExpectedStats {
    var n: Int
    var hours: Int
    var mean: Double
    var sd: Double
    var min: Double
    var max: Double
    var p25: Double
    var median: Double
    var p75: Double
    var positiveShare: Double
    var bucketMeans: [Double]

    init(_ samples: [Sample], maxHours: Int) {
        let inWindow = samples.filter { $0.hoursAgo < maxHours }
        let rates = inWindow.map(\.rate)
        n = rates.count
        mean = rates.reduce(0, +) / Double(n)
        sd = sampleStddev(rates)
        min = rates.min()!
        max = rates.max()!
        let buckets = Dictionary(grouping: inWindow, by: \.hoursAgo)
        bucketMeans = buckets.values.map { b in b.map(\.rate).reduce(0, +) / Double(b.count) }
        hours = bucketMeans.count
        p25 = percentileCont(bucketMeans, 0.25)
        median = percentileCont(bucketMeans, 0.5)
        p75 = percentileCont(bucketMeans, 0.75)
        positiveShare = Double(bucketMeans.filter { $0 > 0 }.count) / Double(hours)
    }
}

@Suite("Rolling statistics (known answers)")
struct StatsTests {
    /// binance STATUSDT (8 h interval, OI 2,000,000 USD) and hyperliquid STAT (1 h interval, OI 1,000,000 USD).
    static let a: [Sample] = [
        Sample(hoursAgo: 1, minute: 10, rate: 0.0001), Sample(hoursAgo: 1, minute: 40, rate: 0.0003),
        Sample(hoursAgo: 2, minute: 5, rate: 0.0002),
        Sample(hoursAgo: 5, minute: 0, rate: -0.0001), Sample(hoursAgo: 5, minute: 20, rate: 0.0),
        Sample(hoursAgo: 5, minute: 40, rate: 0.0004),
        Sample(hoursAgo: 30, minute: 15, rate: 0.0005),                                     // 7d and 30d only
        Sample(hoursAgo: 100, minute: 0, rate: -0.0002), Sample(hoursAgo: 100, minute: 30, rate: -0.0004),
        Sample(hoursAgo: 400, minute: 0, rate: 0.0010),                                     // 30d only
        Sample(hoursAgo: 800, minute: 0, rate: 0.0050),                                     // outside every window
    ]
    /// Late rows, written after the buckets were materialised.
    static let aLate: [Sample] = [
        Sample(hoursAgo: 5, minute: 50, rate: 0.0006), Sample(hoursAgo: 100, minute: 45, rate: 0.0001),
    ]
    static let b: [Sample] = [
        Sample(hoursAgo: 1, minute: 0, rate: 0.00001), Sample(hoursAgo: 1, minute: 30, rate: 0.00002),
        Sample(hoursAgo: 3, minute: 0, rate: 0.00003),
    ]
    static let currentA = 0.00025

    static func insert(_ conn: PostgresConnection, _ dexSymbol: String, _ samples: [Sample], interval: Double,
                       oi: Double) async throws {
        let values = samples.map { "(\($0.hoursAgo), \($0.minute), \($0.rate))" }.joined(separator: ", ")
        try await conn.exec(PostgresQuery(unsafeSQL: """
            INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, open_interest_usd)
            SELECT date_trunc('hour', now()) - make_interval(hours => v.h) + make_interval(mins => v.m), m.id, v.r,
                   \(interval), \(oi)
            FROM (VALUES \(values)) AS v(h, m, r), markets m WHERE m.dex_symbol = '\(dexSymbol)'
            """))
    }

    static func setUp(_ conn: PostgresConnection) async throws {
        try await conn.exec("INSERT INTO symbols (symbol) VALUES ('STAT')")
        try await conn.exec("""
            INSERT INTO markets (dex_id, symbol_id, dex_symbol, quote, funding_interval_hours)
            SELECT d.id, s.id, x.ds, 'USDT', x.iv
            FROM (VALUES ('binance', 'STATUSDT', 8.0), ('hyperliquid', 'STAT', 1.0)) AS x(dex, ds, iv)
            JOIN dexes d ON d.name = x.dex CROSS JOIN symbols s WHERE s.symbol = 'STAT'
            """)
        try await insert(conn, "STATUSDT", a, interval: 8, oi: 2_000_000)
        try await insert(conn, "STAT", b, interval: 1, oi: 1_000_000)
        try await conn.exec(PostgresQuery(unsafeSQL: """
            INSERT INTO market_latest (market_id, time, funding_rate, funding_interval_hours)
            SELECT id, now(), \(currentA), 8 FROM markets WHERE dex_symbol = 'STATUSDT'
            """))
        try await conn.exec("CALL refresh_rollups()")
    }

    func check(_ row: JSONRow?, _ e: ExpectedStats, interval: Double, window: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(row != nil, "\(window): no row", sourceLocation: sourceLocation)
        guard let row else { return }
        #expect(row.int("sample_count") == e.n, "\(window) sample_count", sourceLocation: sourceLocation)
        #expect(row.int("hours") == e.hours, "\(window) hours", sourceLocation: sourceLocation)
        let pairs: [(String, Double)] = [
            ("mean_rate", e.mean), ("stddev_rate", e.sd), ("min_rate", e.min), ("max_rate", e.max),
            ("p25_rate", e.p25), ("median_rate", e.median), ("p75_rate", e.p75),
            ("volatility", e.sd / abs(e.mean)), ("positive_share", e.positiveShare),
            ("mean_rate_8h", e.mean / interval * 8), ("mean_apr", e.mean / interval * 8760 * 100),
        ]
        for (column, value) in pairs {
            // Sums of squares lose a few digits to cancellation: 1e-7 relative for the stddev.
            #expect(close(row.double(column), value, relative: 1e-7),
                    "\(window) \(column): got \(String(describing: row.double(column))) expected \(value)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("funding_stats over 1d, 7d and 30d from the 1h rollup, z-score and percentile of the current rate, late rows after a refresh")
    func windowsAndLateRows() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await Self.setUp(conn)
            for (window, hours) in [("1d", 24), ("7d", 168), ("30d", 720)] {
                let rows = try await conn.jsonRows("SELECT * FROM funding_stats('\(window)', p_dex => 'binance')")
                #expect(rows.count == 1)
                check(rows.first, ExpectedStats(Self.a, maxHours: hours), interval: 8, window: window)
            }
            // z-score and percentile against the 30-day window.
            let month = ExpectedStats(Self.a, maxHours: 720)
            let rates30 = Self.a.filter { $0.hoursAgo < 720 }.map(\.rate)
            let row = try await conn.jsonRows("SELECT * FROM funding_stats('1d', 'STAT', 'binance')").first
            #expect(close(row?.double("current_rate"), Self.currentA))
            #expect(close(row?.double("zscore_30d"), (Self.currentA - month.mean) / sampleStddev(rates30), relative: 1e-7))
            let below = month.bucketMeans.filter { $0 <= Self.currentA }.count
            #expect(close(row?.double("percentile_30d"), 100 * Double(below) / Double(month.hours)))
            #expect(close(row?.double("mean_oi_usd"), 2_000_000))

            // Late rows into materialised buckets: counted once the rollup is refreshed.
            try await Self.insert(conn, "STATUSDT", Self.aLate, interval: 8, oi: 2_000_000)
            try await conn.exec("CALL refresh_rollups()")
            for (window, hours) in [("1d", 24), ("7d", 168), ("30d", 720)] {
                let rows = try await conn.jsonRows("SELECT * FROM funding_stats('\(window)', p_dex => 'binance')")
                check(rows.first, ExpectedStats(Self.a + Self.aLate, maxHours: hours), interval: 8,
                      window: "\(window) with late rows")
            }
        }
    }

    @Test("funding_stats_by_symbol: OI-weighted mean rate and dispersion across dexes with different intervals")
    func bySymbol() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await Self.setUp(conn)
        }
        try await db.with(try db.readerURL) { conn in
            let a = ExpectedStats(Self.a, maxHours: 24), b = ExpectedStats(Self.b, maxHours: 24)
            let hb = try await conn.jsonRows("SELECT * FROM funding_stats('1d', p_dex => 'hyperliquid')").first
            check(hb, b, interval: 1, window: "1d hyperliquid")

            let a8 = a.mean / 8 * 8, b8 = b.mean / 1 * 8
            let weighted = (a8 * 2_000_000 + b8 * 1_000_000) / 3_000_000
            let rows = try await conn.jsonRows("SELECT * FROM funding_stats_by_symbol('1d', 'STAT')")
            #expect(rows.count == 1)
            let r = rows.first
            #expect(r?.int("markets") == 2)
            #expect(r?.int("dexes") == 2)
            #expect(r?.int("sample_count") == a.n + b.n)
            #expect(close(r?.double("mean_rate_8h"), (a8 + b8) / 2))
            #expect(close(r?.double("oi_weighted_mean_rate_8h"), weighted))
            #expect(close(r?.double("oi_weighted_mean_apr"), weighted / 8 * 8760 * 100))
            #expect(close(r?.double("dispersion_rate_8h"), abs(a8 - b8) / 2.0.squareRoot(), relative: 1e-7))
            #expect(close(r?.double("min_rate_8h"), min(a8, b8)))
            #expect(close(r?.double("max_rate_8h"), max(a8, b8)))
            #expect(close(r?.double("range_rate_8h"), abs(a8 - b8)))
            #expect(close(r?.double("total_mean_oi_usd"), 3_000_000))
        }
    }
}
