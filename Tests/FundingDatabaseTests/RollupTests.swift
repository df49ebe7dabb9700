import Foundation
import FundingStore
import PostgresNIO
import Testing

/// Compares a rollup view with a from-scratch aggregation of `source` (raw rows or the 1h rollup) and returns
/// the number of (bucket, market) rows that differ; 0 means equal.
func rollupMismatches(_ conn: PostgresConnection, view: String, width: String) async throws -> Int {
    try await conn.scalar("""
        WITH expected AS (
            SELECT time_bucket(\(unescaped: "'\(width)'")::interval, time) AS bucket, market_id,
                   count(*)::bigint AS n, avg(funding_rate) AS avg_rate, min(funding_rate) AS min_rate,
                   max(funding_rate) AS max_rate, sum(funding_rate) AS sum_rate,
                   sum(funding_rate * funding_rate) AS sum_sq,
                   (array_agg(funding_rate ORDER BY time))[1] AS first_rate,
                   (array_agg(funding_rate ORDER BY time DESC))[1] AS last_rate,
                   avg(open_interest_usd) AS oi, avg(volume_24h_usd) AS vol,
                   (array_agg(mark_price ORDER BY time DESC))[1] AS mark
            FROM funding_rates GROUP BY 1, 2
        ), got AS (
            SELECT bucket, market_id, sample_count::bigint AS n, rate_avg, rate_min, rate_max, rate_sum, rate_sum_sq,
                   rate_first, rate_last, oi_usd_avg, volume_24h_usd_avg, mark_price_last
            FROM \(unescaped: view)
        )
        SELECT count(*)::int FROM expected e FULL JOIN got g USING (bucket, market_id)
        WHERE g.n IS DISTINCT FROM e.n OR e.n IS NULL
           OR abs(g.rate_avg - e.avg_rate) > 1e-15 OR g.rate_min <> e.min_rate OR g.rate_max <> e.max_rate
           OR abs(g.rate_sum - e.sum_rate) > 1e-15 OR abs(g.rate_sum_sq - e.sum_sq) > 1e-18
           OR g.rate_first <> e.first_rate OR g.rate_last <> e.last_rate
           OR abs(g.oi_usd_avg - e.oi) > 1e-6 OR abs(g.volume_24h_usd_avg - e.vol) > 1e-6
           OR g.mark_price_last <> e.mark
        """, as: Int.self)
}

@Suite("Rollups and retention")
struct RollupTests {
    /// Rows for `markets` over the last `hours` hours, one every 10 minutes, with varying values.
    static func seed(_ conn: PostgresConnection, hours: Int, markets: [String], dex: String = "binance",
                     offsetMinutes: Int = 0) async throws {
        for (i, m) in markets.enumerated() {
            var snapshots: [String] = []
            for k in 0..<(hours * 6) {
                let minutes = k * 10 + offsetMinutes + i
                snapshots.append("(\(minutes), \(0.0001 * Double((k % 7) - 3) + Double(i) * 0.00001))")
            }
            try await conn.exec("""
                INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, mark_price,
                                           open_interest_usd, volume_24h_usd)
                SELECT date_trunc('hour', now()) - make_interval(mins => v.m), mk.id, v.r, 8, 100 + v.m, 1e6 + v.m,
                       2e6 - v.m
                FROM (VALUES \(unescaped: snapshots.joined(separator: ","))) AS v(m, r),
                     (SELECT id FROM markets WHERE dex_symbol = \(m)) mk
                """)
        }
    }

    static func makeMarkets(_ conn: PostgresConnection, _ names: [String]) async throws {
        for name in names {
            try await conn.exec("""
                INSERT INTO symbols (symbol) VALUES (\(name)) ON CONFLICT DO NOTHING;
                """)
            try await conn.exec("""
                INSERT INTO markets (dex_id, symbol_id, dex_symbol, quote, margin, multiplier, funding_interval_hours)
                SELECT d.id, s.id, \(name), 'USDT', 'linear', 1, 8 FROM dexes d, symbols s
                WHERE d.name = 'binance' AND s.symbol = \(name)
                """)
        }
    }

    @Test("after refresh_rollups() the 1h and 1d rollups equal a from-scratch GROUP BY, late rows and new markets included")
    func rollupsEqualDirectAggregation() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await Self.makeMarkets(conn, ["AAA", "BBB", "CCC"])
            try await Self.seed(conn, hours: 50, markets: ["AAA", "BBB"], offsetMinutes: 60)
            try await conn.exec("CALL refresh_rollups()")
            #expect(try await rollupMismatches(conn, view: "funding_rates_1h", width: "1 hour") == 0)
            #expect(try await rollupMismatches(conn, view: "funding_rates_1d", width: "1 day") == 0)
            let buckets = try await conn.scalar("SELECT count(*)::int FROM funding_rates_1h", as: Int.self)
            #expect(buckets >= 100)

            // Late rows into an already-materialised bucket, and a new market's rows.
            try await conn.exec("""
                INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, mark_price,
                                           open_interest_usd, volume_24h_usd)
                SELECT date_trunc('hour', now()) - interval '5 hours' + interval '7 minutes', id, 0.0042, 8, 99, 1, 2
                FROM markets WHERE dex_symbol = 'AAA'
                """)
            try await Self.seed(conn, hours: 30, markets: ["CCC"], offsetMinutes: 61)
            // Before the refresh the materialised bucket is stale...
            let stale = try await rollupMismatches(conn, view: "funding_rates_1h", width: "1 hour")
            #expect(stale > 0)
            try await conn.exec("CALL refresh_rollups()")
            // ...after it, equal again.
            #expect(try await rollupMismatches(conn, view: "funding_rates_1h", width: "1 hour") == 0)
            #expect(try await rollupMismatches(conn, view: "funding_rates_1d", width: "1 day") == 0)
            let late = try await conn.scalar("""
                SELECT rate_max FROM funding_rates_1h r JOIN markets m ON m.id = r.market_id
                WHERE m.dex_symbol = 'AAA' AND bucket = date_trunc('hour', now()) - interval '5 hours'
                """, as: Double.self)
            #expect(late == 0.0042)
        }
    }

    @Test("the real-time views include raw rows not yet materialised")
    func realTimeTail() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await Self.makeMarkets(conn, ["TTT"])
            try await Self.seed(conn, hours: 3, markets: ["TTT"], offsetMinutes: 60)
            try await conn.exec("CALL refresh_rollups()")
            // A row in the current hour, after the refresh: only the live tail can show it.
            try await conn.exec("""
                INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours)
                SELECT now() - interval '1 second', id, 0.0077, 8 FROM markets WHERE dex_symbol = 'TTT'
                """)
            let tail = try await conn.scalar("""
                SELECT rate_last FROM funding_rates_1h WHERE bucket = time_bucket('1 hour', now() - interval '1 second')
                """, as: Double.self)
            #expect(tail == 0.0077)
            let tailDay = try await conn.scalar("""
                SELECT rate_last FROM funding_rates_1d WHERE bucket = time_bucket('1 day', now() - interval '1 second')
                """, as: Double.self)
            #expect(tailDay == 0.0077)
            #expect(try await rollupMismatches(conn, view: "funding_rates_1h", width: "1 hour") == 0)
        }
    }

    @Test("retention drops raw chunks older than the horizon and keeps the rollups' buckets")
    func retention() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await Self.makeMarkets(conn, ["OLD"])
            // Samples 25 and 5 days old, materialised while fresh.
            try await conn.exec("""
                INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours)
                SELECT date_trunc('hour', now()) - d * interval '1 day', id, 0.0001 * d, 8
                FROM markets, generate_series(5, 25, 20) d WHERE dex_symbol = 'OLD'
                """)
            try await conn.exec("CALL refresh_rollups()")
            let before = try await conn.scalar(
                "SELECT count(*)::int FROM funding_rates_1h WHERE bucket < now() - interval '20 days'", as: Int.self)
            #expect(before == 1)
            // Time passes: here, the horizon shrinks to 20 days (a setting, not a literal in the SQL).
            try await conn.exec("UPDATE fundingd_settings SET value = '20 days' WHERE name = 'raw_retention'")
            try await conn.exec("CALL apply_retention()")
            let oldRaw = try await conn.scalar(
                "SELECT count(*)::int FROM funding_rates WHERE time < now() - interval '20 days'", as: Int.self)
            #expect(oldRaw == 0)
            let recentRaw = try await conn.scalar("SELECT count(*)::int FROM funding_rates", as: Int.self)
            #expect(recentRaw == 1)
            let keptHourly = try await conn.scalar(
                "SELECT rate_avg FROM funding_rates_1h WHERE bucket < now() - interval '20 days'", as: Double.self)
            #expect(abs(keptHourly - 0.0025) < 1e-15)
            let keptDaily = try await conn.scalar(
                "SELECT count(*)::int FROM funding_rates_1d WHERE bucket < now() - interval '20 days'", as: Int.self)
            #expect(keptDaily == 1)
            // A refresh after retention does not wipe the kept bucket.
            try await conn.exec("CALL refresh_rollups()")
            let still = try await conn.scalar(
                "SELECT count(*)::int FROM funding_rates_1h WHERE bucket < now() - interval '20 days'", as: Int.self)
            #expect(still == 1)
        }
        // The write path refuses a row older than the horizon instead of recreating a dropped chunk.
        try await db.withClient(try db.writerURL) { client in
            let result = try await CycleWriter(client: client, logger: TestDatabase.logger).write(
                snapshots: [snapshot("binance", "OLD", "OLD", at: Date().addingTimeInterval(-25 * 86_400), rate: 0.1)],
                runs: [])
            #expect(result.rowsTooOld == 1)
            #expect(result.rowsInserted == 0)
        }
        try await db.with(try db.ownerURL) { conn in
            let chunks = try await conn.scalar("SELECT count(*)::int FROM show_chunks('funding_rates')", as: Int.self)
            #expect(chunks == 1)
        }
    }
}

@Suite("Roles")
struct RoleTests {
    @Test("fundingd_reader can SELECT everything users read and cannot INSERT, UPDATE or DELETE")
    func readerIsReadOnly() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            for relation in ["funding_rates", "funding_rates_1h", "funding_rates_1d", "collection_runs", "dexes",
                             "symbols", "markets", "market_latest"] {
                let n = try await conn.scalar("SELECT count(*)::int FROM \(unescaped: relation)", as: Int.self)
                #expect(n >= 0)
            }
            let writes: [PostgresQuery] = [
                "INSERT INTO symbols (symbol) VALUES ('NOPE')",
                "UPDATE dexes SET taker_fee = 0",
                "DELETE FROM markets",
                "INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours) VALUES (now(), 1, 0, 8)",
                "DELETE FROM collection_runs",
                "CALL refresh_rollups()",
            ]
            for statement in writes {
                await #expect(throws: PSQLError.self) { try await conn.exec(statement) }
                do { try await conn.exec(statement) } catch let error as PSQLError {
                    #expect(error.serverInfo?[.sqlState] == "42501", "\(statement.sql)")
                }
            }
        }
    }
}
