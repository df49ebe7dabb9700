import Foundation
import FundingCore
import FundingStore
import PostgresNIO
import Testing

/// A snapshot with the fields the write-path tests look at.
func snapshot(_ dex: String, _ dexSymbol: String, _ symbol: String, at time: Date, rate: Double,
              interval: Double = 8, multiplier: Double = 1, mark: Double = 100, oiUSD: Double? = 1_000_000,
              volume: Double? = 5_000_000) -> MarketSnapshot {
    MarketSnapshot(dex: dex, dexSymbol: dexSymbol, symbol: symbol, quote: "USDT", multiplier: multiplier, time: time,
                   fundingRate: rate, fundingIntervalHours: interval, markPrice: mark, indexPrice: mark,
                   openInterestBase: oiUSD.map { $0 / mark }, openInterestUSD: oiUSD, volume24hUSD: volume,
                   bestBid: mark * 0.9999, bestAsk: mark * 1.0001)
}

func run(_ dex: String, ok: Int, status: CollectionRun.Status = .success, error: String? = nil) -> CollectionRun {
    CollectionRun(dex: dex, startedAt: Date(), finishedAt: Date(), status: status, marketsOk: ok,
                  marketsRejected: 0, error: error, latencyMs: 12)
}

@Suite("Write path")
struct WritePathTests {
    @Test("a cycle of new and known markets creates ids once, ignores a repeated (market, time), updates the latest state and notifies")
    func cycleOfNewAndKnownMarkets() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 600)
        let t1 = t0.addingTimeInterval(60)

        try await db.withClient(try db.writerURL) { client in
            let writer = CycleWriter(client: client, logger: TestDatabase.logger)
            let first = try await writer.write(
                snapshots: [snapshot("binance", "BTCUSDT", "BTC", at: t0, rate: 0.0001),
                            snapshot("binance", "1000PEPEUSDT", "PEPE", at: t0, rate: -0.0002, multiplier: 1000,
                                     mark: 0.0123)],
                runs: [run("binance", ok: 2)])
            #expect(first.rowsStaged == 2)
            #expect(first.rowsInserted == 2)
            #expect(first.marketsCreated == 2)
            #expect(first.symbolsCreated == 2)

            // Listen before the second cycle; LISTEN needs a connection of its own.
            try await db.with(try db.readerURL) { listener in
                let notifications = try await listener.listen("fundingd_cycle")
                let second = try await writer.write(
                    snapshots: [snapshot("binance", "BTCUSDT", "BTC", at: t0, rate: 0.0001),  // repeated
                                snapshot("binance", "BTCUSDT", "BTC", at: t1, rate: 0.00015),
                                snapshot("hyperliquid", "BTC", "BTC", at: t1, rate: 0.0000125, interval: 1)],
                    runs: [run("binance", ok: 2), run("hyperliquid", ok: 1)])
                #expect(second.rowsStaged == 3)
                #expect(second.rowsInserted == 2)
                #expect(second.rowsDuplicate == 1)
                #expect(second.marketsCreated == 1)
                #expect(second.symbolsCreated == 0)

                var payload: String?
                for try await n in notifications {
                    payload = n.payload
                    break
                }
                let json = try JSONSerialization.jsonObject(with: Data((payload ?? "{}").utf8)) as? [String: Any]
                #expect((json?["dexes"] as? [String])?.sorted() == ["binance", "hyperliquid"])
                #expect(json?["rows_inserted"] as? Int == 2)
            }
        }

        try await db.with(try db.readerURL) { conn in
            let markets = try await conn.scalar("SELECT count(*)::int FROM markets", as: Int.self)
            #expect(markets == 3)
            let symbols = try await conn.column("SELECT symbol FROM symbols ORDER BY symbol", as: String.self)
            #expect(symbols == ["BTC", "PEPE"])
            let raw = try await conn.scalar("SELECT count(*)::int FROM funding_rates", as: Int.self)
            #expect(raw == 4)
            let pepe = try await conn.scalar(
                "SELECT multiplier FROM markets m JOIN dexes d ON d.id = m.dex_id WHERE d.name = 'binance' AND m.dex_symbol = '1000PEPEUSDT'",
                as: Double.self)
            #expect(pepe == 1000)
            // The latest state holds the newer sample of binance BTC.
            let latest = try await conn.query("""
                SELECT l.funding_rate, l.time FROM market_latest l JOIN markets m ON m.id = l.market_id
                JOIN dexes d ON d.id = m.dex_id WHERE d.name = 'binance' AND m.dex_symbol = 'BTCUSDT'
                """, logger: TestDatabase.logger)
            var rows: [(Double, Date)] = []
            for try await row in latest.decode((Double, Date).self) { rows.append(row) }
            #expect(rows.count == 1)
            #expect(rows.first?.0 == 0.00015)
            #expect(rows.first.map { abs($0.1.timeIntervalSince(t1)) < 0.001 } == true)
            let latestCount = try await conn.scalar("SELECT count(*)::int FROM market_latest", as: Int.self)
            #expect(latestCount == 3)
            let runs = try await conn.scalar("SELECT count(*)::int FROM collection_runs", as: Int.self)
            #expect(runs == 3)
        }
    }

    @Test("an older sample does not overwrite the latest state, and a failed run is recorded on the dex")
    func olderSampleAndFailedRun() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let now = Date()
        try await db.withClient(try db.writerURL) { client in
            let writer = CycleWriter(client: client, logger: TestDatabase.logger)
            try await writer.write(snapshots: [snapshot("okx", "BTC-USDT-SWAP", "BTC", at: now, rate: 0.0003)],
                                   runs: [run("okx", ok: 1)])
            try await writer.write(
                snapshots: [snapshot("okx", "BTC-USDT-SWAP", "BTC", at: now.addingTimeInterval(-120), rate: 0.0009)],
                runs: [run("okx", ok: 1), run("bybit", ok: 0, status: .failed, error: "HTTP 500 from test")])
        }
        try await db.with(try db.readerURL) { conn in
            let rate = try await conn.scalar("SELECT funding_rate FROM market_latest", as: Double.self)
            #expect(rate == 0.0003)
            let health = try await conn.query(
                "SELECT consecutive_errors, last_error FROM dexes WHERE name = 'bybit'", logger: TestDatabase.logger)
            var got: [(Int, String?)] = []
            for try await row in health.decode((Int, String?).self) { got.append(row) }
            #expect(got.count == 1)
            #expect(got.first?.0 == 1)
            #expect(got.first?.1 == "HTTP 500 from test")
            let okxErrors = try await conn.scalar("SELECT consecutive_errors FROM dexes WHERE name = 'okx'", as: Int.self)
            #expect(okxErrors == 0)
            let statuses = try await conn.column("SELECT status FROM collection_runs ORDER BY dex, started_at",
                                                 as: String.self)
            #expect(statuses == ["failed", "success", "success"])
        }
    }

    @Test("COPY text escaping survives tabs, newlines and backslashes in venue symbols")
    func copyEscaping() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let weird = "A\tB\\C\nD"
        try await db.withClient(try db.writerURL) { client in
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(
                snapshots: [snapshot("paradex", weird, "ABCD", at: Date(), rate: 0.0001)], runs: [])
        }
        try await db.with(try db.readerURL) { conn in
            let stored = try await conn.scalar("SELECT dex_symbol FROM markets", as: String.self)
            #expect(stored == weird)
        }
    }
}
