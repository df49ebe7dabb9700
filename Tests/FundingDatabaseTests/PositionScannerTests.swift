import Foundation
import FundingApp
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// The Hyperliquid position scanner end to end: the recorded `clearinghouseState` answer served over HTTP by the
/// fixture server, parsed by the scanner, written through `hyperliquid_positions_apply()` as the writer role, and
/// read back as clusters and boards.
@Suite("Hyperliquid position scanner", .timeLimit(.minutes(5)))
struct PositionScannerTests {
    static let recordedAddress = "0x5e9ee1089755c3435139848e47e6635505d5a13a"
    static let other = "0x00000000000000000000000000000000000000b2"

    /// Hyperliquid markets for four of the recording's coins (ATOM has none), marks chosen so that BTC's and DYDX's
    /// liquidation prices lie within 5 % and APE's and OP's far away.
    static let markets: [BoardMarket] = [("BTC", 170_000.0), ("DYDX", 11.5), ("APE", 10.0), ("OP", 2.0)].map {
        BoardMarket(dex: "hyperliquid", symbol: $0.0, quote: "USDC", interval: 1,
                    samples: [BoardSample(ago: "30 seconds", mark: $0.1)], venueSymbol: $0.0)
    }

    func scanner(port: Int, url: DatabaseURL, settings: PositionScanService<AsyncHTTPFetcher>.Settings = .init(),
                 faultless: Bool = true) -> PositionScanService<AsyncHTTPFetcher> {
        let logger = Logger(label: "test.positions")
        return PositionScanService(
            client: AsyncHTTPFetcher(timeout: .seconds(5), retry: RetryPolicy(maxAttempts: 1), logger: logger),
            baseURL: "http://127.0.0.1:\(port)/hyperliquid", store: PostgresPositionStore(url: url, logger: logger),
            settings: settings, logger: logger)
    }

    @Test("a recorded scan: positions stored as the venue wrote them, the tier from the marks, clusters by hand")
    func recordedScan() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in try await insertBoardMarkets(conn, Self.markets) }
        let writer = try db.writerURL
        try await withFixtureServer { port in
            let service = scanner(port: port, url: writer)
            let store = PostgresPositionStore(url: writer, logger: Logger(label: "test"))
            // Upper-case hex is the same address; anything else is ignored.
            let shouted = "0x" + Self.recordedAddress.dropFirst(2).uppercased()
            let added = try await store.track([shouted, "not-an-address"], source: "configured", limit: 2000)
            #expect(added == 1)
            // An address the scanner does not track cannot be written.
            #expect(await service.scan(Self.other) == nil)
            #expect(await service.scan(Self.recordedAddress) == "priority")
            await store.close()
        }
        try await db.with(try db.ownerURL) { conn in
            // All 12 positions, with the recording's numbers; null liquidation prices stay NULL.
            let rows = try await conn.jsonRows("""
                SELECT coin, size, entry_price, liquidation_price, leverage, leverage_type, margin_used_usd,
                       position_value_usd FROM hyperliquid_positions ORDER BY coin
                """)
            #expect(rows.count == 12)
            let btc = try #require(rows.first { $0.string("coin") == "BTC" })
            #expect(btc.double("size") == -0.00785)
            #expect(btc.double("entry_price") == 26951.0)
            #expect(btc.double("liquidation_price") == 173198.69592357)
            #expect(btc.double("leverage") == 20)
            #expect(btc.string("leverage_type") == "cross")
            #expect(btc.double("margin_used_usd") == 10.582271)
            #expect(btc.double("position_value_usd") == 211.64542)
            #expect(rows.filter { $0.values["liquidation_price"] is NSNull }.count == 7)

            // BTC, 0.5 % bands of 170,000 = 850 wide: liquidation 173,198.69592357 is 3,198.70 above the mark,
            // k = floor(3,198.70 / 850) = 3 -> [172,550, 173,400), middle 172,975 = +1.75 %. Notional 0.00785 x
            // 173,198.69592357 = 1,359.6097630.
            let btcClusters = try await conn.jsonRows("SELECT * FROM liquidation_clusters('BTC')")
            #expect(btcClusters.count == 1)
            #expect(btcClusters.first?.string("side") == "short")
            expectValues(btcClusters.map { $0.double("band_low") ?? .nan }, [172_550])
            expectValues(btcClusters.map { $0.double("band_high") ?? .nan }, [173_400])
            expectValues(btcClusters.map { $0.double("distance_pct") ?? .nan }, [1.75])
            expectValues(btcClusters.map { $0.double("notional_usd") ?? .nan }, [1359.609762999])
            // DYDX, bands of 0.0575: liquidation 11.841653 is 0.341653 above 11.5, k = floor(5.94) = 5 ->
            // [11.7875, 11.845), middle +2.75 %; notional 121.2 x 11.841653 = 1,435.2083436.
            let dydx = try await conn.jsonRows("SELECT * FROM liquidation_clusters('DYDX')")
            expectValues(dydx.map { $0.double("band_low") ?? .nan }, [11.7875])
            expectValues(dydx.map { $0.double("distance_pct") ?? .nan }, [2.75])
            expectValues(dydx.map { $0.double("notional_usd") ?? .nan }, [1435.2083436])
            // APE's liquidation (12.58 against 10) is 25.8 % away: beyond the default 25 %. ATOM has no market.
            #expect(try await conn.jsonRows("SELECT * FROM liquidation_clusters('APE')").isEmpty)
            #expect(try await conn.jsonRows("SELECT * FROM liquidation_clusters('ATOM')").isEmpty)
            // liquidation_risk: within 5 % of the mark, BTC 1,359.61 and DYDX 1,435.21, DYDX first.
            let risk = try await board(conn, "'liquidation_risk'")
            #expect(symbols(risk) == ["DYDX", "BTC"])
            expectValues(values(risk), [1435.2083436, 1359.609762999])
            #expect(try await conn.scalar("SELECT tier FROM hyperliquid_addresses WHERE address = \(Self.recordedAddress)",
                                          as: String.self) == "priority")
        }
    }

    @Test("the tier follows the threshold; a malformed answer stores nothing and leaves the address due; the loop scans every configured address")
    func tiersFaultsAndLoop() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in try await insertBoardMarkets(conn, Self.markets) }
        let writer = try db.writerURL
        let store = PostgresPositionStore(url: writer, logger: Logger(label: "test"))
        _ = try await store.track([Self.recordedAddress, Self.other], source: "discovered", limit: 2000)
        // BTC is 1.88 % and DYDX 2.97 % from their marks: with a 1 % threshold the account is background.
        try await withFixtureServer { port in
            var settings = PositionScanService<AsyncHTTPFetcher>.Settings()
            settings.priorityPercent = 1
            #expect(await scanner(port: port, url: writer, settings: settings).scan(Self.recordedAddress) == "background")
        }
        // A truncated answer: no rows, no last_scanned_at, the address still due.
        try await withFixtureServer(faults: ["hyperliquid": .truncate]) { port in
            #expect(await scanner(port: port, url: writer).scan(Self.other) == nil)
        }
        let due = try await store.due(limit: 10, priorityEvery: .seconds(60), backgroundEvery: .seconds(900))
        #expect(due == [Self.other])
        try await db.with(try db.ownerURL) { conn in
            #expect(try await conn.scalar("SELECT count(*) FROM hyperliquid_positions WHERE address = \(Self.other)",
                                          as: Int.self) == 0)
            // A configured listing turns the discovered address configured; never the reverse.
            _ = try await conn.scalar("SELECT hyperliquid_track_addresses(ARRAY[\(Self.other)], 'configured')",
                                      as: Int.self)
            _ = try await conn.scalar("SELECT hyperliquid_track_addresses(ARRAY[\(Self.other)], 'discovered')",
                                      as: Int.self)
            #expect(try await conn.scalar("SELECT source FROM hyperliquid_addresses WHERE address = \(Self.other)",
                                          as: String.self) == "configured")
            // Discovered addresses stop at the cap: 1 discovered is tracked (the recorded one), room for 2 of 3.
            let three = (1...3).map { "0x" + String(repeating: "e", count: 39) + "\($0)" }
            #expect(try await conn.scalar("SELECT hyperliquid_track_addresses(\(three), 'discovered', 3)",
                                          as: Int.self) == 2)
            #expect(try await conn.scalar("SELECT hyperliquid_track_addresses(\(three), 'discovered', 3)",
                                          as: Int.self) == 0)
            #expect(try await conn.scalar(
                "SELECT count(*) FROM hyperliquid_addresses WHERE source = 'discovered'", as: Int.self) == 3)
            // Configured ones are never capped.
            #expect(try await conn.scalar("SELECT hyperliquid_track_addresses(\(three), 'configured', 0)",
                                          as: Int.self) == 1)
            try await conn.exec("DELETE FROM hyperliquid_addresses WHERE address LIKE '0xeeee%'")
        }
        // The service's loop: a third, configured address and the unscanned one are scanned, at 300 a minute.
        let third = "0x00000000000000000000000000000000000000c3"
        try await withFixtureServer { port in
            var settings = PositionScanService<AsyncHTTPFetcher>.Settings()
            settings.configured = [third]
            settings.scansPerMinute = 300
            settings.idleWait = .milliseconds(200)
            let service = scanner(port: port, url: writer, settings: settings)
            let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(60)
                var scanned = 0
                while ContinuousClock.now < deadline {
                    scanned = try await db.with(try db.ownerURL) { conn in
                        try await conn.scalar("SELECT count(*) FROM hyperliquid_addresses WHERE last_scanned_at IS NOT NULL",
                                              as: Int.self)
                    }
                    if scanned == 3 { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(scanned == 3)
            }
        }
        // Each scan stored the recording's 12 positions (3 scans); the first scan of the recorded address is the
        // one with the 1 % threshold above.
        let stored = try await db.with(try db.ownerURL) { conn in
            try await conn.scalar("SELECT count(*) FROM hyperliquid_positions", as: Int.self)
        }
        #expect(stored == 36)
        await store.close()
    }
}
