import Foundation
import FundingApp
import FundingStore
import HummingbirdWSClient
import Logging
import PostgresNIO
import Testing

/// Issue 17 item 7, scale-out tried: a hot standby of the test cluster (`pg_basebackup -R`, a port chosen at run
/// time), `fundingd serve` reading from it (`DATABASE_READER_URL`) and listening on the primary
/// (`DATABASE_LISTEN_URL`). An ingest cycle written on the primary must reach the cached REST answer and a
/// WebSocket subscriber through the replica, and /api/v1/health must report the replica's lag.
@Suite("Read replica (hot standby)", .timeLimit(.minutes(4)))
struct ReplicaTests {
    @Test("serve from a hot standby, listen on the primary: cache invalidation and a WebSocket push follow a cycle; health shows the lag")
    func servesFromStandby() async throws {
        // A primary of its own: a standby of the shared test cluster replays every other suite's WAL (each
        // CREATE DATABASE copies a template), and in one CI run it fell more than two minutes behind.
        let tag = UUID().uuidString.prefix(8)
        let primaryHome = URL(fileURLWithPath: "/tmp/fundingd-primary-\(tag)")
        let home = URL(fileURLWithPath: "/tmp/fundingd-standby-\(tag)")
        let shared = TestDatabase.sharedCluster
        let primary = LocalCluster(home: primaryHome, pgBin: shared.pgBin, preferredPort: try ClusterSecretsTests.freePort())
        defer {
            try? primary.stop()
            try? FileManager.default.removeItem(at: primaryHome)
        }
        try await offload { try primary.start() }
        let db = try await TestDatabase.make(on: primary)
        try await ingestFixtures(into: db)
        let port = try ClusterSecretsTests.freePort()
        let standby = try await offload { try primary.createStandby(home: home, port: port) }
        defer {
            try? standby.stop()
            try? FileManager.default.removeItem(at: home)
        }
        try await offload { try standby.start() }

        let replicaReader = try standby.url(role: .reader).with(database: db.name)
        try await withTimeout(60) {
            while true {
                let ready = try? await db.with(replicaReader) { conn async throws in
                    try await conn.scalar("SELECT pg_is_in_recovery() AND (SELECT count(*) > 0 FROM market_latest)",
                                          as: Bool.self)
                }
                if ready == true { return }
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        let env = ["DATABASE_READER_URL": replicaReader.urlString, "DATABASE_LISTEN_URL": try db.readerURL.urlString,
                   "FUNDINGD_API_CACHE_TTL_MS": "60000",
                   // Generous against a loaded machine, and well inside the 150 s bound on the push below.
                   "FUNDINGD_REPLICA_WAIT_SECONDS": "60"]
        try await withLiveAPI(db, environment: env) { apiPort in
            try await ResponseCacheLiveTests.waitForListener(db)
            let health = try await ResponseCacheLiveTests.get(apiPort, "/api/v1/health")
            #expect(dig(health.json, "replica", "in_recovery") as? Bool == true)
            let lag = try #require(double(dig(health.json, "replica", "replay_lag_seconds")))
            #expect(lag >= 0 && lag < 600)

            let rates = "/api/v1/funding-rates?dex=binance&symbol=BTC"
            let btc = { (a: ResponseCacheLiveTests.Answer) in double(dig(a.json, "data", "BTC", "binance")) }
            #expect(btc(try await ResponseCacheLiveTests.get(apiPort, rates)) == btcRate)
            #expect(try await ResponseCacheLiveTests.get(apiPort, rates).cache == "hit")

            // A bound against a hang, not a speed check: the block ingests all 23 venues' recordings once more,
            // and with six suites at once on two cores that took most of 90 s in one CI run.
            try await withTimeout(150) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(apiPort)/api/v1/ws/funding-rates",
                                                  logger: Logger(label: "ws-replica")) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["BTC"],"dexes":["binance"]}}"#))
                    let snapshot = try frame(try await messages.next())
                    #expect(snapshot["type"] as? String == "snapshot")

                    // A cycle on the primary; the API reads the standby.
                    try await ingestFixtures(into: db, faults: ["binance": movedRates])
                    let update = try frame(try await messages.next())
                    #expect(update["type"] as? String == "update")
                    let changed = update["data"] as? [[String: Any]] ?? []
                    #expect(changed.map { $0["dex_symbol"] as? String } == ["BTCUSDT"])
                    #expect(double(changed.first?["funding_rate"]) == 0.00021)
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
            // The listener waited for the replica before dropping the cache: the next answer is the new one.
            let after = try await ResponseCacheLiveTests.get(apiPort, rates)
            #expect(btc(after) == 0.00021)
        }
    }
}
