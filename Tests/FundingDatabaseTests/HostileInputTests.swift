import Foundation
import FundingCore
import FundingStore
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// Regression tests for issue 17 items 1-2: what a venue or a role can send through the write path. Every write
/// here goes through `CycleWriter` as `fundingd_writer` (Swift's validator is not in the way), so the SQL alone must
/// refuse it.
@Suite("Hostile input through the write path", .timeLimit(.minutes(3)))
struct HostileInputTests {
    static let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 120)

    static func write(_ db: TestDatabase, _ snapshots: [MarketSnapshot], runs: [CollectionRun] = [])
        async throws -> CycleWriteResult
    {
        try await db.withClient(try db.writerURL) { client in
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(snapshots: snapshots, runs: runs)
        }
    }

    @Test("1e308 open interest and volume from the writer are rejected and counted; rollups, refresh and /stats keep working")
    func hugeOpenInterest() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let result = try await Self.write(db, [
            snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001),
            snapshot("okx", "BTC-USDT-SWAP", "BTC", at: Self.now, rate: 0.0001, oiUSD: 1e308, volume: 1e308),
            snapshot("bybit", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001, oiUSD: 1_000, volume: 1e308),
        ], runs: [run("binance", ok: 1), run("okx", ok: 1), run("bybit", ok: 1)])
        #expect(result.rowsStaged == 3)
        #expect(result.rowsInserted == 1)
        #expect(result.rowsRejected == 2)
        // open_interest_base (1e308 / 100) is checked before open_interest_usd: the first bound violated counts.
        #expect(result.rejected == ["open_interest_base": 1, "volume_24h_usd": 1])

        try await db.with(try db.writerURL) { conn async throws in
            try await conn.exec("CALL refresh_rollups()")
        }
        try await db.with(try db.readerURL) { conn async throws in
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_rates_1h", as: Int.self) == 1)
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_rates_1d", as: Int.self) == 1)
            #expect(try await conn.scalar("SELECT max(open_interest_usd) FROM funding_rates", as: Double.self)
                    == 1_000_000)
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_stats('1d', 'BTC', NULL)", as: Int.self) >= 1)
        }
        try await withRouter(db) { client, _ in
            let stats = try await client.call("/api/v1/stats/funding-rates/BTC?period=1d")
            #expect(stats.status == .ok, "\(stats.text.prefix(300))")
            let history = try await client.call("/api/v1/history/funding-rates/binance/BTC?interval=1h")
            #expect(history.status == .ok, "\(history.text.prefix(300))")
        }
    }

    @Test("NaN, infinite, negative, absurd, future, empty and unknown-dex rows are rejected per reason; the good row and known runs are kept")
    func everyReason() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        var negative = snapshot("bybit", "ETHUSDT", "ETH", at: Self.now, rate: 0.0001)
        negative.markPrice = -5
        var nanRate = snapshot("okx", "ETH-USDT-SWAP", "ETH", at: Self.now, rate: .nan)
        nanRate.predictedRate = 0
        var infiniteBid = snapshot("okx", "SOL-USDT-SWAP", "SOL", at: Self.now, rate: 0.0001)
        infiniteBid.bestBid = .infinity
        var predicted = snapshot("binance", "SOLUSDT", "SOL", at: Self.now, rate: 0.0001)
        predicted.predictedRate = 1   // 1 per 8 h = 12.5 % per hour
        var badLatency = snapshot("binance", "XRPUSDT", "XRP", at: Self.now, rate: 0.0001)
        badLatency.collectionLatencyMs = -1
        let rows: [MarketSnapshot] = [
            snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001),                    // kept
            snapshot("evil", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001),                       // unknown_dex
            snapshot("binance", "", "BTC", at: Self.now, rate: 0.0001),                           // empty_symbol
            nanRate,                                                                                // non_finite_number
            infiniteBid,                                                                            // non_finite_number
            negative,                                                                               // mark_price
            snapshot("bybit", "BTCUSDT", "BTC", at: Self.now, rate: 5),                           // funding_rate
            predicted,                                                                              // predicted_rate
            snapshot("okx", "BTC-USDT-SWAP", "BTC", at: Self.now.addingTimeInterval(86_400), rate: 0.0001),  // future_time
            snapshot("hyperliquid", "BTC", "BTC", at: Self.now, rate: 0.0001, interval: 0),       // bad_funding_interval
            snapshot("hyperliquid", "ETH", "ETH", at: Self.now, rate: 0.0001, multiplier: 0),     // multiplier
            badLatency,                                                                             // collection_latency_ms
        ]
        var futureRun = run("okx", ok: 1)
        futureRun.finishedAt = Self.now.addingTimeInterval(86_400)
        let result = try await Self.write(db, rows, runs: [run("binance", ok: 1), run("evil", ok: 1), futureRun])
        #expect(result.rowsStaged == 12)
        #expect(result.rowsInserted == 1)
        #expect(result.rowsRejected == 11)
        #expect(result.runsRejected == 2)
        #expect(result.rejected == [
            "unknown_dex": 1, "empty_symbol": 1, "non_finite_number": 2, "mark_price": 1, "funding_rate": 1,
            "predicted_rate": 1, "future_time": 1, "bad_funding_interval": 1, "multiplier": 1,
            "collection_latency_ms": 1, "run_unknown_dex": 1, "run_future_time": 1,
        ])

        try await db.with(try db.readerURL) { conn async throws in
            #expect(try await conn.scalar("SELECT count(*)::int FROM dexes WHERE name = 'evil'", as: Int.self) == 0)
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_rates", as: Int.self) == 1)
            #expect(try await conn.column("SELECT dex FROM collection_runs ORDER BY dex", as: String.self)
                    == ["binance"])
            #expect(try await conn.scalar("SELECT count(*)::int FROM markets", as: Int.self) == 1)
            #expect(try await conn.scalar(
                "SELECT count(*)::int FROM market_latest WHERE time > now()", as: Int.self) == 0)
            // The notice of the cycle carries the counts.
            let notice = try await conn.scalar(
                "SELECT payload::text FROM cycle_notices ORDER BY id DESC LIMIT 1", as: String.self)
            let json = try JSONSerialization.jsonObject(with: Data(notice.utf8)) as? [String: Any]
            #expect(json?["rows_rejected"] as? Int == 11)
            #expect(json?["runs_rejected"] as? Int == 2)
        }
    }

    @Test("a malformed run is refused and counted, the rest of the cycle is kept")
    func malformedRun() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.writerURL) { conn async throws in
            try await conn.exec("BEGIN")
            try await conn.exec("SELECT ingest_begin()")
            let runs = #"[{"dex":"binance","status":"hacked"},{"dex":["x"]},5,{"dex":"okx","status":"success","markets_ok":-3},{"dex":"bybit","status":"failed"}]"#
            let rows = try await conn.query(
                "SELECT runs_rejected, rejected::text FROM ingest_apply(\(runs)::jsonb)", logger: TestDatabase.logger)
            for try await (n, rejected) in rows.decode((Int, String).self) {
                #expect(n == 4)
                #expect(rejected.contains(#""run_invalid": 4"#), "\(rejected)")
            }
            try await conn.exec("COMMIT")
            #expect(try await conn.column("SELECT dex FROM collection_runs", as: String.self) == ["bybit"])
        }
    }

    @Test("bounds are rows of plausibility_bounds: tightening one takes effect at once; none may admit an overflow")
    func configurableBounds() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn async throws in
            try await conn.exec("UPDATE plausibility_bounds SET max_value = 1e6 WHERE measure = 'open_interest_usd'")
            await #expect(throws: PSQLError.self) {
                try await conn.exec("UPDATE plausibility_bounds SET max_value = 1e300 WHERE measure = 'volume_24h_usd'")
            }
        }
        let result = try await Self.write(db, [
            snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001, oiUSD: 2_000_000),
            snapshot("binance", "ETHUSDT", "ETH", at: Self.now, rate: 0.0001, oiUSD: 900_000),
        ])
        #expect(result.rejected == ["open_interest_usd": 1])
        #expect(result.rowsInserted == 1)

        // The daemon's validator reads the same rows.
        let bounds = try await db.with(try db.writerURL) { conn async throws in
            try await PlausibilityBounds.load(conn, logger: TestDatabase.logger)
        }
        #expect(Set(bounds.bounds.keys) == Set(PlausibilityBounds.Measure.allCases))
        #expect(bounds.bounds[.openInterestUSD]?.max == 1e6)
        let validator = SnapshotValidator(bounds: bounds)
        #expect(validator.rejection(for: snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001,
                                                  oiUSD: 2_000_000)) == .outOfBounds)
        #expect(validator.rejection(for: snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.6)) == .absurdRate)
        #expect(validator.rejection(for: snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001,
                                                  oiUSD: 900_000)) == nil)
    }

    @Test("purge_implausible: rows stored before the checks (1e308 open interest, NaN, a 10 %/h rate) are listed per reason, deleted only when asked, and the rollups recover; owner only")
    func purgeStoredRows() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        // One good cycle through the write path: BTC on binance and okx, ETH on binance.
        _ = try await Self.write(db, [
            snapshot("binance", "BTCUSDT", "BTC", at: Self.now, rate: 0.0001),
            snapshot("okx", "BTC-USDT-SWAP", "BTC", at: Self.now, rate: 0.0001),
            snapshot("binance", "ETHUSDT", "ETH", at: Self.now, rate: 0.0001),
        ])
        // Rows as a pre-0057 install could hold them, written around the write path by the owner: an hour earlier,
        // 1e308 open interest twice (okx), a NaN mark (binance BTC), 0.8 per 8 h = 10 %/h (binance ETH); and the okx
        // market's latest row overwritten with the 1e308 one.
        try await db.with(try db.ownerURL) { conn async throws in
            try await conn.exec("""
                INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, mark_price,
                                           open_interest_usd)
                SELECT now() - v.ago * interval '1 minute', m.id, v.rate, 8, v.mark, v.oi
                FROM (VALUES (60, 'okx', 'BTC-USDT-SWAP', 0.0001, 100::float8, 1e308::float8),
                             (61, 'okx', 'BTC-USDT-SWAP', 0.0001, 100, 1e308),
                             (60, 'binance', 'BTCUSDT', 0.0001, 'NaN', 1000),
                             (60, 'binance', 'ETHUSDT', 0.8, 100, 1000)) v(ago, dex, sym, rate, mark, oi)
                JOIN dexes d ON d.name = v.dex JOIN markets m ON m.dex_id = d.id AND m.dex_symbol = v.sym
                """)
            try await conn.exec("""
                UPDATE market_latest l SET open_interest_usd = 1e308 FROM markets m
                WHERE m.id = l.market_id AND m.dex_symbol = 'BTC-USDT-SWAP'
                """)
            // What such rows do: materialising their hour overflows (two 1e308 summed), so every refresh fails.
            await #expect(throws: PSQLError.self) { try await conn.exec("CALL refresh_rollups()") }
            let listed = try await conn.jsonRows("SELECT * FROM purge_implausible() ORDER BY relation, reason")
            #expect(listed.map { "\($0.string("relation")!) \($0.string("reason")!) \($0.int("rows")!)" } == [
                "funding_rates funding_rate 1", "funding_rates non_finite_number 1",
                "funding_rates open_interest_usd 2", "market_latest open_interest_usd 1"])
            // A dry run deletes nothing; p_before bounds the rows looked at (the bad ones are an hour old, the
            // market_latest row has the good cycle's time).
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_rates", as: Int.self) == 7)
            #expect(try await conn.scalar(
                "SELECT count(*)::int FROM purge_implausible(true, now() - interval '2 hours')", as: Int.self) == 0)

            #expect(try await conn.scalar("SELECT sum(rows)::int FROM purge_implausible(false)", as: Int.self) == 5)
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_rates", as: Int.self) == 3)
            #expect(try await conn.scalar("SELECT count(*)::int FROM market_latest", as: Int.self) == 2)
            #expect(try await conn.scalar("SELECT count(*)::int FROM purge_implausible()", as: Int.self) == 0)
        }
        // The rollups over the purged hour are recomputed without the bad rows (the 1e308 one overflowed them).
        try await db.with(try db.writerURL) { conn async throws in
            try await conn.exec("CALL refresh_rollups()")
        }
        try await db.with(try db.readerURL) { conn async throws in
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_rates_1h", as: Int.self) == 3)
            #expect(try await conn.scalar("SELECT max(oi_usd_avg) FROM funding_rates_1h", as: Double.self) < 1e12)
            // The reader (and every role but the owner) may not call it.
            let state = await SettlementsTests.sqlState {
                try await conn.exec("SELECT * FROM purge_implausible()")
            }
            #expect(state == "42501")
        }
    }
}
