import Foundation
@testable import FundingAPI
import FundingApp
import HummingbirdWSClient
import Logging
import ServiceLifecycle
import Testing

/// Waits at most `seconds` for `body`.
@discardableResult
func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TestSetupError(description: "timed out after \(seconds) s")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Runs `fundingd serve` (API only) on a free port against `db` for the duration of `body`.
@discardableResult
func withLiveAPI<T: Sendable>(_ db: TestDatabase, environment: [String: String] = [:],
                              _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    let config = try apiConfig(db, extra: environment)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let group = try await buildApplication(config, mode: .api(try config.apiSettings()), migrate: false,
                                           logger: Logger(label: "api-live")) { continuation.yield($0) }
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask { try await group.run(); return nil }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestSetupError(description: "server did not start") }
        do {
            let value = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
    }
}

/// Frames as JSON objects.
func frame(_ message: WebSocketMessage?) throws -> [String: Any] {
    guard case .text(let text)? = message,
          let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    else { throw TestSetupError(description: "expected a JSON text frame, got \(String(describing: message))") }
    return object
}

/// Binance's BTCUSDT and ETHUSDT funding rates moved, everything else as recorded.
let movedRates: FixtureFault = .rewrite { body in
    body.replacingOccurrences(of: #""lastFundingRate": "0.00013062""#, with: #""lastFundingRate": "0.00021000""#)
        .replacingOccurrences(of: #""lastFundingRate": "0.00019922""#, with: #""lastFundingRate": "0.00031000""#)
}

@Suite("WebSocket streams (live server)")
struct StreamTests {
    @Test("funding-rates: error frame, snapshot, then only the matching changed rows after an ingest cycle")
    func fundingRateStream() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await withLiveAPI(db) { port in
            let logger = Logger(label: "ws-client")
            try await withTimeout(90) {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/funding-rates", logger: logger) {
                inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()

                try await outbound.write(.text("not json"))
                let invalid = try frame(try await messages.next())
                #expect(invalid["type"] as? String == "error")
                #expect(dig(invalid, "error", "code") as? String == "invalid_message")

                try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["NOSUCHCOIN"]}}"#))
                let unknown = try frame(try await messages.next())
                #expect(dig(unknown, "error", "code") as? String == "symbol_not_found")

                try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["BTC","ETH"],"dexes":"binance"}}"#))
                let snapshot = try frame(try await messages.next())
                #expect(snapshot["type"] as? String == "snapshot")
                let rows = snapshot["data"] as? [[String: Any]] ?? []
                #expect(!rows.isEmpty)
                #expect(rows.allSatisfy { $0["dex"] as? String == "binance" })
                #expect(Set(rows.compactMap { $0["symbol"] as? String }) == ["BTC", "ETH"])
                #expect(double(rows.first { $0["dex_symbol"] as? String == "BTCUSDT" }?["funding_rate"]) == btcRate)

                // Narrow to BTC: ETH still moves in the next cycle but must not be sent.
                try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["BTC"],"dexes":["binance"]}}"#))
                let narrowed = try frame(try await messages.next())
                #expect(narrowed["type"] as? String == "snapshot")

                try await ingestFixtures(into: db, faults: ["binance": movedRates])
                let update = try frame(try await messages.next())
                #expect(update["type"] as? String == "update")
                #expect(update["cycle_time"] is String)
                let changed = update["data"] as? [[String: Any]] ?? []
                #expect(changed.map { $0["dex_symbol"] as? String } == ["BTCUSDT"])
                #expect(double(changed.first?["funding_rate"]) == 0.00021)
                // Nothing else was queued: the next frame answers our ping.
                try await outbound.write(.text(#"{"action":"ping"}"#))
                let pong = try frame(try await messages.next())
                #expect(pong["type"] as? String == "pong")
                try await outbound.close(.normalClosure, reason: nil)
            }
            }
        }
    }

    @Test("opportunities: snapshot, then after a cycle only changed pairs of the subscribed symbol")
    func opportunityStream() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await withLiveAPI(db) { port in
            try await withTimeout(90) {
            // The client keeps its default 16 KiB frame limit: the all-venue BTC snapshot (several hundred KiB)
            // arrives as one message in several frames (StreamSession.maxOutboundFrame).
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/opportunities",
                                              logger: Logger(label: "ws-client")) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                try await outbound.write(.text(#"{"action":"subscribe","filters":{"limit":5000}}"#))
                let bad = try frame(try await messages.next())
                #expect(dig(bad, "error", "code") as? String == "invalid_parameter")
                #expect((dig(bad, "error", "message") as? String)?.hasPrefix("limit") == true)

                try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbol":"BTC","min_volume_24h":0,"min_divergence":0,"min_profit":-1}}"#))
                let message = try await messages.next()
                // Larger than one frame the client accepts: it came fragmented.
                if case .text(let text)? = message { #expect(text.utf8.count > 1 << 14) }
                let snapshot = try frame(message)
                #expect(snapshot["type"] as? String == "snapshot")
                let rows = snapshot["data"] as? [[String: Any]] ?? []
                #expect(rows.count > 4)
                #expect(rows.allSatisfy { $0["symbol"] as? String == "BTC" })

                // Paradex gets cheaper: every pair with a paradex leg changes (BTC and ETH ones); the next cycle
                // must push the BTC ones only.
                try await db.with(try db.operatorURL) { conn in
                    try await conn.exec("SELECT * FROM set_dex_fees('paradex', 0, 0.0001, NULL)")
                }
                try await ingestFixtures(into: db)
                let update = try frame(try await messages.next())
                #expect(update["type"] as? String == "update")
                let changed = update["data"] as? [[String: Any]] ?? []
                #expect(!changed.isEmpty)
                #expect(changed.allSatisfy { $0["symbol"] as? String == "BTC" })
                #expect(changed.allSatisfy { $0["long_dex"] as? String == "paradex" || $0["short_dex"] as? String == "paradex" })
                #expect(changed.count == rows.filter { $0["long_dex"] as? String == "paradex" || $0["short_dex"] as? String == "paradex" }.count)
                try await outbound.write(.text(#"{"action":"ping"}"#))
                #expect(try frame(try await messages.next())["type"] as? String == "pong")
                try await outbound.close(.normalClosure, reason: nil)
            }
            }
        }
    }

    @Test("a client whose bounded queue overflows is dropped, not buffered")
    func boundedQueue() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(2))
        let outbox = StreamOutbox(continuation: continuation)
        #expect(outbox.send("a"))
        #expect(outbox.send("b"))
        #expect(!outbox.send("c"))
        #expect(outbox.didOverflow)
        #expect(!outbox.send("d"))
        var received: [String] = []
        for await s in stream { received.append(s) }
        #expect(received == ["a", "b"])
    }
}
