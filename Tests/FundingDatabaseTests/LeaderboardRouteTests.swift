import Foundation
import FundingAPI
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
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

    @Test("the screener seed's paths: /markets (venue-qualified ids), /markets/{id}, /leaderboards/{name_window}, /api/status")
    func seedScreenerPaths() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            // A second binance contract of AAA/USDT: both binance AAA markets take their venue symbols as ids.
            try await insertBoardMarkets(conn, LeaderboardTests.windowMarkets + [
                BoardMarket(dex: "binance", symbol: "AAA", samples: [BoardSample(ago: "30 seconds", mark: 110)],
                            venueSymbol: "1000AAAUSDT"),
            ])
            // CCC's taker flow: one minute 10 min ago (buys 3,000 USD / 60 units in 3 trades, sells 1,000 / 20 in 1),
            // one 2 h ago (outside the hour).
            try await conn.exec("""
                INSERT INTO trade_flow_1m (bucket, market_id, buy_volume_base, sell_volume_base, buy_volume_usd,
                                           sell_volume_usd, buy_trades, sell_trades)
                SELECT date_trunc('minute', now()) - v.ago, m.id, v.bb, v.sb, v.bu, v.su, v.bt, v.st
                FROM markets m JOIN dexes d ON d.id = m.dex_id,
                     (VALUES (interval '10 minutes', 60, 20, 3000, 1000, 3, 1),
                             (interval '2 hours', 100, 0, 5000, 0, 5, 0)) AS v(ago, bb, sb, bu, su, bt, st)
                WHERE d.name = 'bybit' AND m.dex_symbol = 'CCCUSDT'
                """)
        }
        try await withRouter(db) { client, _ in
            let all = try await client.call("/markets")
            #expect(all.status == .ok, "\(all.text)")
            let markets = (try all.json)["markets"] as? [[String: Any]] ?? []
            let ids = markets.compactMap { $0["id"] as? String }
            #expect(markets.count == LeaderboardTests.windowMarkets.count + 1)
            #expect(ids.first == "binance:BBB-USDT-PERP")                       // highest 24 h volume (8e6) first
            #expect(Set(["binance:AAAUSDT", "binance:1000AAAUSDT", "bybit:CCC-USDT-PERP", "binance:DDD-USDC-PERP"])
                        .isSubset(of: Set(ids)))
            #expect(!ids.contains("binance:AAA-USDT-PERP"))
            #expect(markets.first { $0["id"] as? String == "bybit:CCC-USDT-PERP" }?["symbol"] as? String == "CCC-USDT-PERP")

            func idsOf(_ uri: String) async throws -> [String] {
                let r = try await client.call(uri)
                #expect(r.status == .ok, "\(uri): \(r.text)")
                return ((try r.json)["markets"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(try await idsOf("/markets?exchange=bybit") == ["bybit:CCC-USDT-PERP"])
            #expect(try await idsOf("/markets?symbol=DDD-USDC-PERP") == ["binance:DDD-USDC-PERP"])
            #expect(try await idsOf("/markets?quote=usdc") == ["binance:DDD-USDC-PERP"])
            #expect(try await idsOf("/markets?limit=1") == ["binance:BBB-USDT-PERP"])

            // CCC over 1 h: (51.5 / 50 - 1) x 100 = 3 %; OI 2.0e6 -> 2.2e6 = +10 %. Flow in the hour: CVD 3,000 -
            // 1,000 = 2,000 USD (60 - 20 = 40 units), taker buy ratio 3,000 / 4,000 = 0.75, 4 trades in 1 minute.
            let one = try await client.call("/markets/BYBIT:ccc-usdt-perp?window=1h")
            #expect(one.status == .ok, "\(one.text)")
            let ccc = try one.json
            #expect(ccc["id"] as? String == "bybit:CCC-USDT-PERP")
            #expect(double(ccc["mark_price"]) == 51.5)
            #expect(ccc["window"] as? String == "1h")
            #expect(close(double(dig(ccc, "changes", "price_change_pct")), 3))
            #expect(close(double(dig(ccc, "changes", "oi_change_pct")), 10))
            #expect(double(dig(ccc, "trade_flow_1h", "cvd_usd")) == 2000)
            #expect(double(dig(ccc, "trade_flow_1h", "cvd_base")) == 40)
            #expect(double(dig(ccc, "trade_flow_1h", "taker_buy_ratio")) == 0.75)
            #expect(double(dig(ccc, "trade_flow_1h", "trades")) == 4)
            #expect(ccc["market_id"] == nil)
            let aaa = try await client.call("/markets/binance:AAAUSDT")
            #expect(aaa.status == .ok, "\(aaa.text)")
            let aaaBody = try aaa.json
            #expect(aaaBody["trade_flow_1h"] is NSNull)
            // A bare name is no id: the 404 lists its markets' ids, highest volume first (AAAUSDT 5e6, 1000AAAUSDT 1e6).
            let bare = try await client.call("/markets/AAA-USDT-PERP")
            #expect(bare.status == .notFound)
            let bareBody = try bare.json
            #expect(dig(bareBody, "error", "message") as? String
                    == "'AAA-USDT-PERP' is not a market id; the ids of its markets: binance:AAAUSDT, binance:1000AAAUSDT")

            // The seed's board names carry the window: gainers_1h is gainers over 1 h (AAA +10 %, CCC +3 %).
            let g = try await client.call("/leaderboards/gainers_1h")
            #expect(g.status == .ok, "\(g.text)")
            let board = try g.json
            #expect(board["leaderboard"] as? String == "gainers" && board["window"] as? String == "1h")
            #expect((board["entries"] as? [[String: Any]] ?? []).compactMap { $0["symbol"] as? String } == ["AAA", "CCC"])
            let v1 = try await client.call("/api/v1/leaderboards/gainers_1h")
            #expect(((try v1.json)["entries"] as? [[String: Any]])?.count == 2)
            let volume = try await client.call("/leaderboards/volume_24h?limit=1")
            #expect((try volume.json)["leaderboard"] as? String == "volume_24h")

            let status = try await client.call("/api/status")
            #expect(status.status == .ok, "\(status.text)")
            let report = try status.json
            #expect(double(dig(report, "data_quality", "markets_active")) == Double(markets.count))
            #expect(double(dig(report, "websocket_clients", "leaderboards")) == 0)
            #expect((double(report["memory_resident_bytes"]) ?? 0) > 0)
            #expect(report["dex_health"] is [Any])

            try await client.expectErrors([
                ("/markets/AAA-USDT-PERP", .notFound, "market_not_found", "AAA-USDT-PERP"),
                ("/markets/nope:X-USDT-PERP", .notFound, "market_not_found", "nope:X-USDT-PERP"),
                ("/markets/bybit:CCC-USDT-PERP?window=2h", .badRequest, "invalid_parameter", "window"),
                ("/markets?exchange=nosuchdex", .notFound, "dex_not_found", "nosuchdex"),
                ("/markets?limit=0", .badRequest, "invalid_parameter", "limit"),
                ("/markets?exchang=bybit", .badRequest, "unknown_parameter", "exchang"),
                ("/leaderboards/gainers_1h?window=4h", .badRequest, "invalid_parameter", "window"),
                ("/leaderboards/volume_24h_1h", .notFound, "leaderboard_not_found", "volume_24h_1h"),
                ("/api/status?verbose=1", .badRequest, "unknown_parameter", "verbose"),
            ])
        }
    }

    @Test("WebSocket leaderboards: errors name the filter, a snapshot on subscribing, an update only when the board changed")
    func leaderboardStream() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await insertBoardMarkets(conn, LeaderboardTests.windowMarkets)
        }
        try await withLiveAPI(db, environment: ["FUNDINGD_WS_LEADERBOARD_SECONDS": "1"]) { port in
            try await withTimeout(90) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/leaderboards",
                                                  logger: Logger(label: "ws-client")) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"window":"1h"}}"#))
                    #expect((dig(try frame(try await messages.next()), "error", "message") as? String)?
                        .hasPrefix("name: required") == true)
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"name":"gainers","nope":1}}"#))
                    #expect(dig(try frame(try await messages.next()), "error", "message") as? String
                            == "nope: unknown filter")
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"name":"gainers","window":"2h"}}"#))
                    #expect(dig(try frame(try await messages.next()), "error", "code") as? String == "invalid_parameter")

                    // gainers over 1 h: AAA (110 / 100 - 1) x 100 = 10 %, CCC (51.5 / 50 - 1) x 100 = 3 %.
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"name":"gainers_1h","limit":5}}"#))
                    let snapshot = try frame(try await messages.next())
                    #expect(snapshot["type"] as? String == "snapshot")
                    #expect(snapshot["channel"] as? String == "leaderboards")
                    #expect(snapshot["leaderboard"] as? String == "gainers" && snapshot["window"] as? String == "1h")
                    #expect(snapshot["value_unit"] as? String == "percent")
                    let first = snapshot["data"] as? [[String: Any]] ?? []
                    #expect(first.compactMap { $0["symbol"] as? String } == ["AAA", "CCC"])
                    #expect(close(double(first.first?["value"]), 10))

                    // Unchanged boards push nothing: two re-rankings later the next frame is the pong.
                    try await Task.sleep(for: .seconds(2.5))
                    try await outbound.write(.text(#"{"action":"ping"}"#))
                    #expect(try frame(try await messages.next())["type"] as? String == "pong")

                    // CCC's mark moves to 60: (60 / 50 - 1) x 100 = 20 % puts it first.
                    try await db.with(try db.ownerURL) { conn in
                        try await conn.exec("""
                            UPDATE market_latest SET mark_price = 60
                            WHERE market_id = (SELECT m.id FROM markets m JOIN dexes d ON d.id = m.dex_id
                                               WHERE d.name = 'bybit' AND m.dex_symbol = 'CCCUSDT')
                            """)
                    }
                    let update = try frame(try await messages.next())
                    #expect(update["type"] as? String == "update")
                    let moved = update["data"] as? [[String: Any]] ?? []
                    #expect(moved.compactMap { $0["symbol"] as? String } == ["CCC", "AAA"])
                    #expect(close(double(moved.first?["value"]), 20))
                    #expect(close(double(moved.last?["value"]), 10))
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
        }
    }
}
