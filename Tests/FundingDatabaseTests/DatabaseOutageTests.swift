import Foundation
import FundingApp
import FundingIngest
import FundingStore
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

@Suite("Database outage")
struct DatabaseOutageTests {
    @Test("a database stopped mid-run and restarted loses no buffered cycle", .timeLimit(.minutes(3)))
    func outageLosesNoCycle() async throws {
        // A cluster of its own, so stopping it does not disturb the other tests.
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("fundingd-outage-\(UUID().uuidString)")
        let cluster = LocalCluster(environment: ["FUNDINGD_HOME": home.path, "FUNDINGD_PG_PORT": "55432"])
        try await offload { try cluster.start() }
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(at: home)
        }
        try await DatabaseSetup.migrate(url: try cluster.url(role: .owner), source: SQLSource(root: TestDatabase.repositoryRoot),
                                        logger: TestDatabase.logger)
        let writerURL = try cluster.url(role: .writer)
        let logger = Logger(label: "outage")

        let (written, collectedDuringOutage) = try await withFixtureServer { port in
            let config = try fixtureConfig(port: port, database: writerURL, extra: [
                "FUNDINGD_DEXES": "binance,hyperliquid", "FUNDINGD_INTERVAL_SECONDS": "1",
            ])
            let pool = PostgresClient(configuration: try writerURL.clientConfiguration(), backgroundLogger: logger)
            let ingest = try buildIngest(config, pool: pool, leaderURL: writerURL, dexes: nil, logger: logger)
            let group = ServiceGroup(services: [pool, ingest], logger: logger)
            return try await withThrowingTaskGroup(of: (Int, Int)?.self) { tasks in
                tasks.addTask { try await group.run(); return nil }
                tasks.addTask {
                    // Let one cycle land, then take the database away.
                    try await Self.wait(for: { await ingest.stats.cyclesWritten >= 1 })
                    try await offload { try cluster.stop() }
                    let atStop = await ingest.stats.cyclesCollected
                    // Keep collecting while it is down.
                    try await Self.wait(for: { await ingest.stats.cyclesCollected >= atStop + 3 })
                    #expect(await ingest.buffer.count >= 2)
                    let duringOutage = await ingest.stats.cyclesCollected - atStop
                    try await offload { try cluster.start() }
                    // Everything buffered is written once it is back.
                    try await Self.wait(for: {
                        let (written, collected) = await ingest.stats.counts
                        return written == collected && collected >= atStop + 3
                    })
                    await group.triggerGracefulShutdown()
                    return (await ingest.stats.cyclesWritten, duringOutage)
                }
                var result: (Int, Int)?
                for try await value in tasks { if let value { result = value } }
                #expect(await ingest.stats.cyclesDropped == 0)
                return result ?? (0, 0)
            }
        }
        #expect(collectedDuringOutage >= 3)
        // Every cycle's rows are there: one distinct sample time per written cycle for Binance BTCUSDT.
        let url = try cluster.url(role: .reader)
        let connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 9,
                                                              logger: logger)
        defer { Task { try? await connection.close() } }
        let times = try await connection.scalar("""
            SELECT count(DISTINCT f.time)::int FROM funding_rates f JOIN markets m ON m.id = f.market_id
            JOIN dexes d ON d.id = m.dex_id WHERE d.name = 'binance' AND m.dex_symbol = 'BTCUSDT'
            """, as: Int.self)
        #expect(times == written)
        let runs = try await connection.scalar("SELECT count(*)::int FROM collection_runs", as: Int.self)
        #expect(runs == written * 2)
    }

    static func wait(for condition: @Sendable () async -> Bool, timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw TestSetupError(description: "condition not met in time") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
