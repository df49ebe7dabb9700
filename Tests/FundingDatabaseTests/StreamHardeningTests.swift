import AsyncHTTPClient
import Foundation
@testable import FundingAPI
import FundingApp
import HummingbirdWSClient
import Logging
import NIOCore
import PostgresNIO
import Testing

/// Issue 17 items 2 and 4: forged cycle notifications, concurrent identical subscriptions, slow clients.
@Suite("Stream hardening", .timeLimit(.minutes(3)))
struct StreamHardeningTests {
    /// `GET /api/v1/metrics` as JSON (a body that is not valid JSON fails the parse).
    static func metrics(port: Int) async throws -> [String: Any] {
        try parse(try await metricsText(port: port))
    }

    static func metricsText(port: Int) async throws -> String {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/metrics"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        #expect(response.status == .ok)
        return String(buffer: body)
    }

    static func parse(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestSetupError(description: "metrics is not a JSON object")
        }
        return object
    }

    /// Polls the metrics every 100 ms for at most `seconds` until `condition` holds; returns them.
    static func waitForMetrics(port: Int, seconds: Double,
                               _ condition: @escaping @Sendable ([String: Any]) -> Bool) async throws -> [String: Any] {
        let text = try await withTimeout(seconds) {
            while true {
                let text = try await metricsText(port: port)
                if condition(try parse(text)) { return text }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return try parse(text)
    }

    @Test("the reader's forged, malformed and replayed NOTIFYs are refused: metrics stay valid JSON, only the genuine cycle counts")
    func forgedNotifications() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await withLiveAPI(db) { port in
            // Once the listener is there, one genuine cycle.
            try await ResponseCacheLiveTests.waitForListener(db)
            try await ingestFixtures(into: db)
            let genuine = try await Self.waitForMetrics(port: port, seconds: 30) { (dig($0, "streams", "cycles_seen") as? Int) == 1 }
            let id = try #require(dig(genuine, "streams", "last_cycle", "id") as? Int)
            try await db.with(try db.readerURL) { conn async throws in
                try await conn.exec(#"NOTIFY fundingd_cycle, 'x"}]'"#)
                try await conn.exec(#"SELECT pg_notify('fundingd_cycle', '{"id": 999999999, "rows_inserted": 1}')"#)
                try await conn.exec(PostgresQuery(unsafeSQL: "SELECT pg_notify('fundingd_cycle', '{\"id\": \(id)}')"))
                try await conn.exec(#"SELECT pg_notify('fundingd_cycle', '{"event": "fees", "dexes": ["binance"]}')"#)
            }
            let after = try await Self.waitForMetrics(port: port, seconds: 30) {
                (dig($0, "streams", "notifications_refused") as? Int) == 4
            }
            #expect(dig(after, "streams", "cycles_seen") as? Int == 1)
            #expect(dig(after, "streams", "last_cycle", "id") as? Int == id)
            #expect(dig(after, "streams", "last_cycle", "rows_inserted") as? Int == dig(genuine, "streams", "last_cycle", "rows_inserted") as? Int)
        }
    }

    /// `n` hub clients, each with its own queue (16 frames) read through `stream`.
    static func queuedClients(_ n: Int) -> [(id: UUID, stream: AsyncStream<String>, outbox: StreamOutbox)] {
        (0..<n).map { _ in
            let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(16))
            return (id: UUID(), stream: stream, outbox: StreamOutbox(continuation: continuation))
        }
    }

    /// Every frame a closed client's queue held, as JSON objects (a frame that is not an object fails the test).
    static func frames(_ stream: AsyncStream<String>) async throws -> [[String: Any]] {
        var frames: [[String: Any]] = []
        for await text in stream {
            frames.append(try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]))
        }
        return frames
    }

    @Test("100 concurrent identical opportunity subscribers all get the snapshot and the next cycle's update")
    func concurrentIdenticalSubscribers() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await withAPIDependencies(db) { deps in
            let query = try await OpportunityQuery.parse(
                QueryReader(values: ["symbol": ["BTC"], "min_volume_24h": ["0"], "min_divergence": ["0"], "limit": ["100"],
                                     "min_profit": ["-1"]]),  // every fixture pair is a loss after fees
                catalog: deps.catalog)
            let clients = Self.queuedClients(100)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in clients {
                    group.addTask { try await deps.hub.subscribeOpportunities(c.id, query: query, outbox: c.outbox) }
                }
                try await group.waitForAll()
            }
            #expect(await deps.hub.opportunitySubscribers(of: query) == 100)
            // Paradex gets cheaper: every BTC pair with a paradex leg changes.
            try await db.with(try db.operatorURL) { conn async throws in
                try await conn.exec("SELECT * FROM set_dex_fees('paradex', 0, 0.0001, NULL)")
            }
            await deps.hub.cycleCompleted(CycleNotice(id: 1, cycleTime: "2026-01-01T00:00:00.000000Z"))
            for c in clients { c.outbox.close() }
            var updated = 0
            for c in clients where try await Self.frames(c.stream).map({ $0["type"] as? String }) == ["snapshot", "update"] {
                updated += 1
            }
            #expect(updated == 100)
        }
    }

    @Test("100 concurrent funding-rate subscribers share one snapshot read and all get the snapshot")
    func concurrentRateSubscribers() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withAPIDependencies(db) { deps in
            let clients = Self.queuedClients(100)
            let filter = RateFilter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in clients {
                    group.addTask { try await deps.hub.subscribeRates(c.id, filter: filter, outbox: c.outbox) }
                }
                try await group.waitForAll()
            }
            #expect(await deps.hub.rateSnapshotLoads == 1)
            for c in clients { c.outbox.close() }
            var snapshots = 0
            for c in clients {
                let frames = try await Self.frames(c.stream)
                #expect(frames.allSatisfy { (($0["data"] as? [Any])?.count ?? 0) > 0 })
                if frames.map({ $0["type"] as? String }) == ["snapshot"] { snapshots += 1 }
            }
            #expect(snapshots == 100)
        }
    }

    @Test("the send queue is bounded in bytes as well as frames; a frame larger than the bound still reaches an idle client")
    func queueBoundedInBytes() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(100))
        let outbox = StreamOutbox(continuation: continuation, maxBytes: 1000)
        let big = String(repeating: "x", count: 1500)
        #expect(outbox.send(big))              // empty queue: accepted although larger than the bound
        outbox.dequeued(big)
        #expect(outbox.queuedBytes == 0)
        #expect(outbox.send(String(repeating: "a", count: 400)))
        #expect(outbox.send(String(repeating: "b", count: 400)))
        #expect(outbox.queuedBytes == 800)
        #expect(!outbox.send(String(repeating: "c", count: 400)))   // 1,200 bytes > 1,000
        #expect(outbox.didOverflow)
        #expect(outbox.isClosed)
        var received: [Int] = []
        for await s in stream { received.append(s.count) }
        #expect(received == [1500, 400, 400])
    }

    @Test("a client that stops reading is dropped: by the byte bound, and by the write deadline")
    func slowClientsDropped() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        for (label, env) in [
            ("bytes", ["FUNDINGD_WS_QUEUE_BYTES": "1048576", "FUNDINGD_WS_QUEUE_SIZE": "100000",
                       "FUNDINGD_WS_WRITE_TIMEOUT_MS": "600000"]),
            ("deadline", ["FUNDINGD_WS_QUEUE_BYTES": "1073741824", "FUNDINGD_WS_QUEUE_SIZE": "100000",
                          "FUNDINGD_WS_WRITE_TIMEOUT_MS": "1000"]),
        ] {
            try await withLiveAPI(db, environment: env) { port in
                let client = Task {
                    // Frames up to 16 MiB: a full snapshot is larger than the client's default limit, which would
                    // close the connection instead of letting it fill up.
                    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/funding-rates",
                                                      configuration: .init(maxFrameSize: 1 << 24),
                                                      logger: Logger(label: "ws-slow")) { _, outbound, _ in
                        // Subscribe over and over and never read: every subscribe queues a full snapshot. Until the
                        // server drops the connection (the write then fails) or the test's deadline.
                        for _ in 0..<20_000 {
                            try await outbound.write(.text(#"{"action":"subscribe"}"#))
                            try await Task.sleep(for: .milliseconds(3))
                        }
                        try await Task.sleep(for: .seconds(60))
                    }
                }
                defer { client.cancel() }
                let m = try await Self.waitForMetrics(port: port, seconds: 60) {
                    (dig($0, "streams", "clients_dropped_slow") as? Int ?? 0) >= 1
                }
                #expect(dig(m, "streams", "funding_rate_clients") as? Int == 0, "\(label)")
            }
        }
    }
}
