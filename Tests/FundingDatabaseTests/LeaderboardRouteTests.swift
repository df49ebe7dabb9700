import Foundation
import FundingAPI
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("HTTP leaderboards", .timeLimit(.minutes(5)))
struct LeaderboardRouteTests {
    @Test("GET /leaderboards lists the registry; GET /leaderboards/{name} ranks with the filters; bad input is named")
    func leaderboardRoutes() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        // The window markets of LeaderboardTests, committed (times relative to the insert; the API reads them well
        // within the 30 s margins the offsets keep from every edge).
        try await db.with(try db.ownerURL) { conn in
            try await insertBoardMarkets(conn, LeaderboardTests.windowMarkets)
        }
        try await withRouter(db) { client, _ in
            let index = try await client.call("/api/v1/leaderboards")
            #expect(index.status == .ok, "\(index.text)")
            let list = try index.json
            let boards = list["leaderboards"] as? [[String: Any]] ?? []
            #expect(boards.count == 19)
            #expect(list["count"] as? Int == boards.count)
            let gainers = boards.first { $0["name"] as? String == "gainers" }
            #expect(gainers?["windows"] as? [String] == ["1h", "4h", "24h"])
            #expect(gainers?["default_window"] as? String == "24h")
            #expect(gainers?["value_unit"] as? String == "percent")
            #expect(boards.first { $0["name"] as? String == "oi_leaders" }?["windows"] is NSNull)
            let parameters = (list["parameters"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(parameters == ["window", "dex", "quote", "min_volume_24h", "min_oi_usd", "max_age", "limit"])

            // 1h gainers: A (110/100 - 1) x 100 = 10, C (51.5/50 - 1) x 100 = 3.
            let g = try await client.call("/api/v1/leaderboards/gainers?window=1h")
            #expect(g.status == .ok, "\(g.text)")
            let body = try g.json
            let entries = body["entries"] as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["symbol"] as? String } == ["AAA", "CCC"])
            #expect(close(double(entries.first?["value"]), 10))
            #expect(close(double(dig(entries.first, "metrics", "mark_reference")), 100))
            #expect(entries.first?["rank"] as? Int == 1)
            #expect(entries.first?["market_id"] == nil)
            #expect(body["window"] as? String == "1h")
            #expect(body["value_unit"] as? String == "percent")
            #expect(body["count"] as? Int == 2)

            func symbolsOf(_ uri: String) async throws -> [String] {
                let r = try await client.call(uri)
                #expect(r.status == .ok, "\(uri): \(r.text)")
                return ((try r.json)["entries"] as? [[String: Any]] ?? []).compactMap { $0["symbol"] as? String }
            }
            #expect(try await symbolsOf("/api/v1/leaderboards/gainers?window=1h&dex=bybit") == ["CCC"])
            #expect(try await symbolsOf("/api/v1/leaderboards/gainers?quote=usdc") == ["DDD"])         // default 24h
            #expect(try await symbolsOf("/api/v1/leaderboards/gainers?window=1h&min_volume_24h=3000000") == ["AAA"])
            #expect(try await symbolsOf("/api/v1/leaderboards/gainers?window=1h&min_oi_usd=2000000") == ["CCC"])
            #expect(try await symbolsOf("/api/v1/leaderboards/oi_leaders?limit=2") == ["CCC", "AAA"])
            #expect(try await symbolsOf("/api/v1/leaderboards/losers?window=1h") == ["BBB", "FFF"])

            let cases: [(String, HTTPResponse.Status, String, String)] = [
                ("/api/v1/leaderboards/nope", .notFound, "leaderboard_not_found", "nope"),
                ("/api/v1/leaderboards/gainers?window=2h", .badRequest, "invalid_parameter", "window"),
                ("/api/v1/leaderboards/gainers?window=7d", .badRequest, "invalid_parameter", "window"),
                ("/api/v1/leaderboards/volume_24h?window=1h", .badRequest, "invalid_parameter", "window"),
                ("/api/v1/leaderboards/gainers?limit=0", .badRequest, "invalid_parameter", "limit"),
                ("/api/v1/leaderboards/gainers?min_oi_usd=-1", .badRequest, "invalid_parameter", "min_oi_usd"),
                ("/api/v1/leaderboards/gainers?min_volume_24h=lots", .badRequest, "invalid_parameter", "min_volume_24h"),
                ("/api/v1/leaderboards/gainers?max_age=0", .badRequest, "invalid_parameter", "max_age"),
                ("/api/v1/leaderboards/gainers?windw=1h", .badRequest, "unknown_parameter", "windw"),
                ("/api/v1/leaderboards?limit=5", .badRequest, "unknown_parameter", "limit"),
                ("/api/v1/leaderboards/gainers?dex=nosuchdex", .notFound, "dex_not_found", "nosuchdex"),
            ]
            for (uri, status, code, mention) in cases {
                let r = try await client.call(uri)
                #expect(r.status == status, "\(uri): \(r.text)")
                #expect(r.errorCode == code, "\(uri): \(r.text)")
                #expect(r.errorMessage?.contains(mention) == true, "\(uri): \(r.text)")
            }
        }
    }
}
