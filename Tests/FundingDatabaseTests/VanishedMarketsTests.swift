import Foundation
import FundingCore
import FundingStore
import PostgresNIO
import Testing

@Suite("Markets that vanish from a venue's answer")
struct VanishedMarketsTests {
    /// One cycle of `symbols` on binance at `time`, the run stamped with the same instant (as the collector does).
    func cycle(_ symbols: [String], at time: Date, status: CollectionRun.Status = .success,
               on connection: PostgresConnection) async throws -> CycleWriteResult {
        let rows = status == .failed ? [] : symbols.map { snapshot("binance", "\($0)USDT", $0, at: time, rate: 0.0001) }
        let run = CollectionRun(dex: "binance", startedAt: time, finishedAt: time.addingTimeInterval(1),
                                status: status, marketsOk: rows.count, marketsRejected: 0,
                                error: status == .failed ? "down" : nil, latencyMs: 5)
        // Hyperliquid lists ETH every time, so ETH has a cross-venue pair while Binance lists it.
        let other = snapshot("hyperliquid", "ETH", "ETH", at: time, rate: 0.0003, interval: 1)
        let otherRun = CollectionRun(dex: "hyperliquid", startedAt: time, finishedAt: time, status: .success,
                                     marketsOk: 1, marketsRejected: 0, error: nil, latencyMs: 5)
        return try await CycleWriter.write(snapshots: rows + [other], runs: [run, otherRun], vanishGraceCycles: 3,
                                           on: connection, logger: TestDatabase.logger)
    }

    @Test("inactive after 3 answered runs without it (failed runs do not count); back when listed again")
    func graceAndReturn() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let t0 = Date().addingTimeInterval(-400)
        func at(_ minute: Int) -> Date { t0.addingTimeInterval(Double(minute) * 60) }
        let latest: PostgresQuery = "SELECT symbol FROM latest_funding_rates WHERE dex = 'binance' ORDER BY symbol"
        let ethPairs: PostgresQuery = """
            SELECT count(*)::int FROM opportunities(max_age => INTERVAL '1 hour')
            WHERE long_dex_symbol = 'ETHUSDT' OR short_dex_symbol = 'ETHUSDT'
            """

        try await db.with(try db.writerURL) { w in
            try await db.with(try db.readerURL) { r in
                _ = try await cycle(["BTC", "ETH"], at: at(0), on: w)
                #expect(try await r.column(latest, as: String.self) == ["BTC", "ETH"])
                // ETH missing from two answered runs and one failed run: still listed (the failed run says nothing).
                var result = try await cycle(["BTC"], at: at(1), on: w)
                #expect(result.marketsDeactivated == 0)
                _ = try await cycle([], at: at(2), status: .failed, on: w)
                result = try await cycle(["BTC"], at: at(3), on: w)
                #expect(result.marketsDeactivated == 0)
                #expect(try await r.column(latest, as: String.self) == ["BTC", "ETH"])
                #expect(try await r.column(ethPairs, as: Int.self) == [2])
                // The third answered run without it: inactive, gone from the latest views and opportunities.
                result = try await cycle(["BTC"], at: at(4), status: .partial, on: w)
                #expect(result.marketsDeactivated == 1)
                #expect(try await r.column(latest, as: String.self) == ["BTC"])
                #expect(try await r.column(ethPairs, as: Int.self) == [0])
                // Listed again: active at once.
                _ = try await cycle(["BTC", "ETH"], at: at(5), on: w)
                #expect(try await r.column(latest, as: String.self) == ["BTC", "ETH"])
            }
        }
    }
}
