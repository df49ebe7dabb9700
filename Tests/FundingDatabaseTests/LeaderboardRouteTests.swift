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
            #expect(boards.count == 20)
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
            try await client.expectErrors(cases)
        }
    }

    @Test("GET /liquidations/clusters/{coin}: bands from the newest scans; unknown coin 404, bad band 400")
    func liquidationClusters() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let a1 = "0x" + String(repeating: "0", count: 39) + "1", a2 = "0x" + String(repeating: "0", count: 39) + "2"
        try await db.with(try db.ownerURL) { conn in
            try await insertBoardMarkets(conn, [
                BoardMarket(dex: "hyperliquid", symbol: "BTC", quote: "USDC", interval: 1,
                            samples: [BoardSample(ago: "30 seconds", mark: 100_000)], venueSymbol: "BTC"),
            ])
            try await conn.exec(PostgresQuery(unsafeSQL: """
                INSERT INTO hyperliquid_addresses (address, source, last_scanned_at) VALUES
                    ('\(a1)', 'configured', now() - interval '1 minute'), ('\(a2)', 'configured', now() - interval '1 minute')
                """))
            // Each position carries its address's scan time (separate statements have different now()).
            try await conn.exec(PostgresQuery(unsafeSQL: """
                INSERT INTO hyperliquid_positions (time, address, coin, size, liquidation_price)
                SELECT a.last_scanned_at, a.address, 'BTC', v.size, v.liq
                FROM hyperliquid_addresses a
                JOIN (VALUES ('\(a1)', 2, 96100), ('\(a2)', -3, 103000)) AS v(address, size, liq) ON v.address = a.address
                """))
        }
        try await withRouter(db) { client, _ in
            // 0.5 % bands of 100,000: a1 long 2 @ 96,100 in [96,000, 96,500) = 192,200 USD; a2 short 3 @ 103,000
            // in [103,000, 103,500) = 309,000 USD.
            let r = try await client.call("/api/v1/liquidations/clusters/BTC")
            #expect(r.status == .ok, "\(r.text)")
            let body = try r.json
            let clusters = body["clusters"] as? [[String: Any]] ?? []
            #expect(clusters.compactMap { $0["side"] as? String } == ["long", "short"])
            #expect(clusters.compactMap { double($0["band_low"]) } == [96_000, 103_000])
            #expect(close(double(clusters.first?["notional_usd"]), 192_200))
            #expect(close(double(clusters.last?["notional_usd"]), 309_000))
            #expect(double(body["mark_price"]) == 100_000)
            // 4 % reach: a1 is 3.9 % away (kept), a2 3 % (kept); 3.5 %: a1 left out.
            let near = try await client.call("/api/v1/liquidations/clusters/BTC?max_distance_pct=3.5")
            #expect(((try near.json)["clusters"] as? [[String: Any]])?.compactMap { $0["side"] as? String } == ["short"])
            try await client.expectErrors([
                ("/api/v1/liquidations/clusters/NOPE", .notFound, "coin_not_found", "NOPE"),
                ("/api/v1/liquidations/clusters/BTC?band_pct=0", .badRequest, "invalid_parameter", "band_pct"),
                ("/api/v1/liquidations/clusters/BTC?max_age=0", .badRequest, "invalid_parameter", "max_age"),
                ("/api/v1/liquidations/clusters/BTC?band=1", .badRequest, "unknown_parameter", "band"),
            ])
        }
    }
}
