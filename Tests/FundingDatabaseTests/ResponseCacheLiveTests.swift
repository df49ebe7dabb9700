import AsyncHTTPClient
import Foundation
import FundingAPI
import NIOCore
import PostgresNIO
import Testing

/// The response cache inside a running `fundingd serve`: only the `fundingd_cycle` notification (a TTL of a
/// minute rules the clock out) can make it read the database again.
@Suite("Response cache (live server)")
struct ResponseCacheLiveTests {
    struct Answer {
        var cache: String?
        var json: [String: Any]
    }

    static func get(_ port: Int, _ path: String) async throws -> Answer {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"),
                                                           timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        #expect(response.status == .ok, "\(path): \(String(buffer: body))")
        let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
        return Answer(cache: response.headers.first(name: "X-Fundingd-Cache"), json: json)
    }

    /// Polls `path` until `done` holds for an answer (at most 20 s), returning that answer.
    static func poll(_ port: Int, _ path: String, until done: (Answer) -> Bool) async throws -> Answer {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let answer = try await get(port, path)
            if done(answer) || ContinuousClock.now > deadline { return answer }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until the server's listener has sent LISTEN, so no notification is missed.
    static func waitForListener(_ db: TestDatabase) async throws {
        let admin = try db.cluster.url(role: .admin).with(database: db.name)
        try await db.with(admin) { connection in
            for _ in 0..<200 {
                let rows = try await connection.query("""
                    SELECT count(*)::int FROM pg_stat_activity
                    WHERE datname = current_database() AND query ILIKE 'LISTEN%fundingd_cycle%'
                    """, logger: TestDatabase.logger)
                for try await n in rows.decode(Int.self) where n > 0 { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestSetupError(description: "the API never listened on fundingd_cycle")
        }
    }

    @Test("a fee change made in psql and an ingest cycle each reach the next response through NOTIFY")
    func notificationsInvalidate() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await withLiveAPI(db, environment: ["FUNDINGD_API_CACHE_TTL_MS": "60000"]) { port in
            try await Self.waitForListener(db)
            let opportunities = "/api/v1/opportunities?long_dex=edgex&short_dex=paradex&symbol=BTC&min_profit=-1"
            let fees = { (a: Answer) in double((a.json["opportunities"] as? [[String: Any]])?.first?["estimated_fees"]) }

            let first = try await Self.get(port, opportunities)
            #expect(first.cache == "miss")
            #expect(abs((fees(first) ?? 0) - 0.00116) < 1e-15)
            let second = try await Self.get(port, opportunities)
            #expect(second.cache == "hit")
            #expect(dig(second.json, "generated_at") as? String == dig(first.json, "generated_at") as? String)

            // An analyst changes a fee by hand, not through this process's admin route.
            try await db.with(try db.ownerURL) { connection in
                try await connection.query("UPDATE dexes SET maker_fee = 0, taker_fee = 0.0001 WHERE name = 'paradex'",
                                           logger: TestDatabase.logger)
            }
            let repriced = try await Self.poll(port, opportunities) { abs((fees($0) ?? 0) - 0.00096) < 1e-15 }
            #expect(abs((fees(repriced) ?? 0) - (2 * 0.00038 + 2 * 0.0001)) < 1e-15)

            let rates = "/api/v1/funding-rates?dex=binance&symbol=BTC"
            let btc = { (a: Answer) in double(dig(a.json, "data", "BTC", "binance")) }
            #expect(btc(try await Self.get(port, rates)) == btcRate)
            #expect(try await Self.get(port, rates).cache == "hit")
            try await ingestFixtures(into: db, faults: ["binance": movedRates])
            let moved = try await Self.poll(port, rates) { btc($0) == 0.00021 }
            #expect(btc(moved) == 0.00021)
        }
    }
}
