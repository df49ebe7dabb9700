import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// `cross_venue_symbols()` and the board `cross_venue` on a small data set worked by hand.
@Suite("Cross-venue view (known answers)", .timeLimit(.minutes(3)))
struct CrossVenueTests {
    static let now = "30 seconds", hourAgo = "1 hour 30 seconds"

    /// XXX on three venues (OKX listed it within the hour: no reference sample), YYY on one.
    static let markets: [BoardMarket] = [
        // binance 8 h funding 0.0001 = 10.95 % APR; 100 -> 110 (+10 %), OI 1e6 -> 1.5e6, volume 4e6.
        BoardMarket(dex: "binance", symbol: "XXX", samples: [
            BoardSample(ago: hourAgo, mark: 100, oi: 1e6, volume: 4e6),
            BoardSample(ago: now, mark: 110, oi: 1.5e6, volume: 4e6, rate: 0.0001),
        ]),
        // bybit 1 h funding 0.00002 = 17.52 % APR; 100 -> 105 (+5 %), OI 2e6 flat, volume 1e6.
        BoardMarket(dex: "bybit", symbol: "XXX", interval: 1, samples: [
            BoardSample(ago: hourAgo, mark: 100, oi: 2e6, volume: 1e6, rate: 0.00002),
            BoardSample(ago: now, mark: 105, oi: 2e6, volume: 1e6, rate: 0.00002),
        ]),
        // okx: only the newest sample; 8 h funding -0.0001 = -10.95 % APR, OI 1e6, volume 5e6 (the largest).
        BoardMarket(dex: "okx", symbol: "XXX", samples: [
            BoardSample(ago: now, mark: 108, oi: 1e6, volume: 5e6, rate: -0.0001),
        ]),
        // YYY on binance: OI 1e6 -> 0.9e6 (-10 %), price 50 -> 50.
        BoardMarket(dex: "binance", symbol: "YYY", samples: [
            BoardSample(ago: hourAgo, mark: 50, oi: 1e6, volume: 2e6),
            BoardSample(ago: now, mark: 50, oi: 0.9e6, volume: 2e6),
        ]),
    ]

    @Test("per symbol: totals over every venue, changes from the markets with a reference, funding dispersion; the board by OI change")
    func crossVenue() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("BEGIN")
            try await insertBoardMarkets(conn, Self.markets)
            let rows = try await conn.jsonRows("SELECT * FROM cross_venue_symbols('1 hour') ORDER BY symbol")
            #expect(rows.map { $0.string("symbol") } == ["XXX", "YYY"])
            let x = rows[0]
            #expect(x.int("venues") == 3 && x.int("markets") == 3 && x.int("reference_markets") == 2)
            expectValues([x.double("volume_24h_usd") ?? .nan, x.double("open_interest_usd") ?? .nan], [10e6, 4.5e6])
            // Volume-weighted over binance and bybit (okx has no reference): (10 x 4e6 + 5 x 1e6) / 5e6 = 9.
            expectValues([x.double("price_change_pct") ?? .nan], [9])
            // OI of the two with a reference: 3e6 -> 3.5e6: +0.5e6, +16.67 %; okx's 1e6 is not growth.
            expectValues([x.double("oi_reference_usd") ?? .nan, x.double("oi_change_usd") ?? .nan,
                          x.double("oi_change_pct") ?? .nan], [3e6, 0.5e6, 50.0 / 3])
            // APR 10.95, 17.52, -10.95: mean 5.84, min -10.95, max 17.52, spread 28.47, sample stddev
            // sqrt((5.11² + 11.68² + 16.79²) / 2) = sqrt(222.2193).
            expectValues([x.double("apr_mean") ?? .nan, x.double("apr_min") ?? .nan, x.double("apr_max") ?? .nan,
                          x.double("apr_spread") ?? .nan, x.double("apr_stddev") ?? .nan],
                         [5.84, -10.95, 17.52, 28.47, 222.2193.squareRoot()])
            // The board: XXX +16.67 % on okx (its highest volume), then YYY -10 % (by magnitude).
            let board = try await board(conn, "'cross_venue', '1h'")
            #expect(symbols(board) == ["XXX", "YYY"])
            #expect(board.map { $0.string("dex") } == ["okx", "binance"])
            expectValues(values(board), [50.0 / 3, -10])
            #expect(metric(board[0], "venues") == 3)
            #expect(close(metric(board[0], "price_change_pct_vw"), 9))
            #expect(close(metric(board[0], "apr_spread"), 28.47))
            // A stale market is left out: with a 10 s max age nothing is fresh.
            #expect(try await conn.jsonRows("SELECT * FROM cross_venue_symbols('1 hour', '10 seconds')").isEmpty)
            await #expect(throws: PSQLError.self) {
                _ = try await conn.jsonRows("SELECT * FROM cross_venue_symbols('0 hours')")
            }
            try await conn.exec("ROLLBACK")
        }
    }
}

@Suite("HTTP cross-venue market", .timeLimit(.minutes(3)))
struct MarketRouteTests {
    @Test("GET /markets/{symbol}: the symbol's overview and each market, by hand; unknown symbol 404, bad window 400")
    func marketRoute() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in try await insertBoardMarkets(conn, CrossVenueTests.markets) }
        try await withRouter(db) { client, _ in
            let r = try await client.call("/api/v1/markets/xxx?window=1h")
            #expect(r.status == .ok, "\(r.text)")
            let body = try r.json
            #expect(body["symbol"] as? String == "XXX" && body["window"] as? String == "1h")
            let overview = body["overview"] as? [String: Any] ?? [:]
            #expect(overview["venues"] as? Int == 3)
            #expect(close(double(overview["price_change_pct"]), 9))
            #expect(close(double(overview["oi_change_pct"]), 50.0 / 3))
            #expect(close(double(overview["apr_spread"]), 28.47))
            // Markets by volume: okx 5e6 (no reference: no change), binance 4e6 (+10 %), bybit 1e6 (+5 %).
            let markets = body["markets"] as? [[String: Any]] ?? []
            #expect(markets.compactMap { $0["dex"] as? String } == ["okx", "binance", "bybit"])
            #expect(markets.first?["price_change_pct"] is NSNull)
            #expect(close(double(markets[1]["price_change_pct"]), 10))
            #expect(close(double(markets[1]["oi_change_usd"]), 0.5e6))
            #expect(body["count"] as? Int == 3)
            // The cross-venue board names the same numbers.
            let board = try await client.call("/api/v1/leaderboards/cross_venue?window=1h")
            let entries = (try board.json)["entries"] as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["symbol"] as? String } == ["XXX", "YYY"])
            #expect(close(double(entries.first?["value"]), 50.0 / 3))

            try await client.expectErrors([
                ("/api/v1/markets/NOPE", .notFound, "symbol_not_found", "NOPE"),
                ("/api/v1/markets/XXX?window=7d", .badRequest, "invalid_parameter", "window"),
                ("/api/v1/markets/XXX?max_age=0", .badRequest, "invalid_parameter", "max_age"),
                ("/api/v1/markets/XXX?windw=1h", .badRequest, "unknown_parameter", "windw"),
            ])
        }
    }
}
