import Foundation
@testable import FundingApp
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// Settled funding in the database (schema/0080): the idempotent write, the resumable progress, and
/// `fundingd backfill` against the fixture server and against a venue that fails mid-way.
@Suite("Settled funding: write path and backfill", .timeLimit(.minutes(4)))
struct SettlementsTests {
    static func date(_ iso: String) -> Date { try! Date(iso, strategy: .iso8601) }

    /// Creates `dex`'s market `dexSymbol` through the snapshot write path (markets come from collection).
    static func collect(_ db: TestDatabase, dex: String, dexSymbol: String, symbol: String, interval: Double) async throws {
        try await db.withClient(try db.writerURL) { client in
            _ = try await CycleWriter(client: client, logger: TestDatabase.logger).write(
                snapshots: [MarketSnapshot(dex: dex, dexSymbol: dexSymbol, symbol: symbol, quote: "USDT",
                                           time: Date(), fundingRate: 0.0001, fundingIntervalHours: interval,
                                           markPrice: 100)],
                runs: [])
        }
    }

    static func settlement(_ time: Date, _ rate: Double, mark: Double? = nil) -> SettledFunding {
        SettledFunding(dexSymbol: "BTCUSDT", fundingTime: time, fundingRate: rate, fundingIntervalHours: 8,
                       markPrice: mark)
    }

    static func sqlState(_ body: () async throws -> Void) async -> String? {
        do { try await body(); return nil } catch let error as PSQLError {
            return error.serverInfo?[.sqlState] ?? "\(error)"
        } catch { return "\(error)" }
    }

    @Test("settlements_apply: idempotent on (market, funding time), a corrected rate replaces the stored one, the range grows only when contiguous, bad input is refused whole")
    func writePath() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await Self.collect(db, dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", interval: 8)
        let t0 = Self.date("2026-01-01T00:00:00Z")
        @Sendable func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }
        try await db.withClient(try db.writerURL) { client in
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            let page = [Self.settlement(at(0), 0.0001, mark: 100), Self.settlement(at(8), 0.0002),
                        Self.settlement(at(16), -0.0001)]
            #expect(try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: page, covered: at(0)..<at(24)) == 3)
            #expect(try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: page, covered: at(0)..<at(24)) == 0)
            var corrected = page
            corrected[1].fundingRate = 0.00025
            #expect(try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: corrected, covered: at(0)..<at(24)) == 1)

            // A range with a gap before it is not recorded; a touching one is.
            try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: [], covered: at(48)..<at(72))
            #expect(try await store.markets(dex: "binance").first { $0.dexSymbol == "BTCUSDT" }?.covered == at(0)..<at(24))
            try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: [], covered: at(24)..<at(48))
            let market = try await store.markets(dex: "binance").first { $0.dexSymbol == "BTCUSDT" }
            #expect(market?.covered == at(0)..<at(48))
            #expect(market?.intervalHours == 8)

            let unknown = await Self.sqlState {
                try await store.apply(dex: "binance", dexSymbol: "NOPE", settlements: page, covered: at(0)..<at(24))
            }
            #expect(unknown == "P0002")
            let nan = await Self.sqlState {
                try await store.apply(dex: "binance", dexSymbol: "BTCUSDT",
                                      settlements: [Self.settlement(at(100), .nan)], covered: at(96)..<at(104))
            }
            #expect(nan == "22023")
        }
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("""
                SELECT s.funding_time, s.funding_rate, s.funding_interval_hours, s.mark_price, s.index_price
                FROM funding_settlements s ORDER BY s.funding_time
                """)
            #expect(rows.map { $0.double("funding_rate") } == [0.0001, 0.00025, -0.0001])
            #expect(rows.first?.double("mark_price") == 100)
            #expect(rows.allSatisfy { $0.isNull("index_price") && $0.double("funding_interval_hours") == 8 })
            // The refused NaN page wrote nothing, not even its range.
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_settlements", as: Int.self) == 3)
            let status = try await conn.jsonRows("SELECT * FROM backfill_status WHERE dex = 'binance'")
            #expect(status.first?.int("markets_started") == 1)
            #expect(status.first?.int("settlements") == 4)  // 3 new + 1 corrected
            // The reader reads but cannot write.
            let refused = await Self.sqlState {
                try await conn.exec("""
                    SELECT settlements_apply('binance', 'BTCUSDT', '{}', '{}', '{}', '{}', '{}', now(), now())
                    """)
            }
            #expect(refused == "42501")
        }
    }

    @Test("apply_retention() drops settlement chunks older than settlements_retention (registered in retention_targets)")
    func retention() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await Self.collect(db, dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", interval: 8)
        let old = Date().addingTimeInterval(-200 * 86_400), recent = Date().addingTimeInterval(-86_400)
        try await db.withClient(try db.writerURL) { client in
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            for t in [old, recent] {
                _ = try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: [Self.settlement(t, 0.0001)],
                                      covered: t..<t.addingTimeInterval(3600))
            }
        }
        try await db.with(try db.ownerURL) { conn in
            // 400 days (the default) keeps both; 100 days drops the 200-day-old one's chunk (30-day chunks).
            try await conn.exec("CALL apply_retention()")
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_settlements", as: Int.self) == 2)
            try await conn.exec("UPDATE fundingd_settings SET value = '100 days' WHERE name = 'settlements_retention'")
            try await conn.exec("CALL apply_retention()")
            #expect(try await conn.scalar("SELECT count(*)::int FROM funding_settlements", as: Int.self) == 1)
        }
    }

    @Test("fundingd backfill against the fixture server stores each venue's recorded settlements; a second run makes no request")
    func backfillFromFixtures() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        // Per venue: the market and its interval, a window ending after its recorded settlements, how many lie in
        // it, and the history pages the walk asks for (one short page each, unless said otherwise).
        let cases: [(dex: String, market: String, interval: Double, until: String, days: Int, rows: Int, requests: Int)] = [
            ("binance", "BTCUSDT", 8, "2019-10-10T00:00:00Z", 2, 1, 1),          // 2019-10-09T08:00Z
            ("binance_coinm", "BTCUSD_PERP", 8, "2020-07-30T00:00:00Z", 1, 1, 1), // 2020-07-29T16:00Z
            ("aster", "BTCUSDT", 8, "2025-06-17T00:00:00Z", 1, 1, 1),            // 2025-06-16T08:00Z
            ("hyperliquid", "BTC", 1, "2026-02-02T00:00:00Z", 1, 3, 1),          // 2026-02-01 01:20, 02:20, 03:20Z
            ("dydx", "BTC-USD", 1, "2025-12-09T00:00:00Z", 1, 3, 1),             // 2025-12-08 14:00, 15:00, 16:00Z
            ("backpack", "BTC_USDC_PERP", 1, "2026-09-14T00:00:00Z", 1, 6, 1),   // 2026-09-13 18:00 … 23:00Z
            // Drift and Pacifica page newest first by a token; their recordings are one page that names a next one,
            // which the fixture server would answer with the same rows. Windows that start at or after the oldest
            // recorded row end the walk on that page: Drift 20:01:00, 21:00:59, 22:01:00Z; Pacifica 21:00:00.405
            // and 22:00:00.497Z (20:00:00.426 lies before the window).
            ("drift", "BTC-PERP", 1, "2026-09-14T20:01:00Z", 1, 3, 1),
            ("pacifica", "BTC", 1, "2026-09-14T20:00:01Z", 1, 2, 1),
            ("bitget", "BTCUSDT", 8, "2023-09-28T00:00:00Z", 2, 2, 1),           // 2023-09-26T08:00Z, 2023-09-27T01:00Z
            // 2023-11-18T20:00Z … 2023-12-11T12:00Z every 8 h; KuCoin's answers may be cut, so a second request
            // asks for the part before the oldest row (the recording answers the same rows, none of them there).
            ("kucoin", "XBTUSDTM", 8, "2023-12-12T00:00:00Z", 24, 69, 2),
            // 2021-01-04T16:00Z and 2021-01-05T00:00Z: page 1 of 11, but its oldest row is the window's start.
            ("mexc", "BTC_USDT", 8, "2021-01-05T16:00:00Z", 1, 2, 1),
            ("phemex", "BTCUSD", 8, "2023-04-08T00:00:00Z", 2, 2, 1),            // 2023-04-06T16:00Z, 2023-04-07T00:00Z
            ("deribit", "BTC-PERPETUAL", 8, "2019-10-02T00:00:00Z", 1, 4, 1),    // 2019-10-01 01:00 … 04:00Z, hourly
            ("bybit", "ETHPERP", 8, "2022-12-27T00:00:00Z", 1, 1, 1),            // 2022-12-26T08:00Z
            ("okx", "BTC-USD-SWAP", 8, "2023-12-21T00:00:00Z", 1, 2, 1),         // 2023-12-20 00:00, 08:00Z
            ("gate", "BTC_USDT", 8, "2018-12-06T00:00:00Z", 1, 1, 1),            // 2018-12-05T00:00Z
            ("bitmex", "XBTUSD", 8, "2024-11-26T00:00:00Z", 1, 1, 1),            // 2024-11-25T04:00Z
            // Paradex's only recording is one index sample at 2023-05-22T23:00Z, answered to every boundary asked
            // (one page of boundaries, six HTTP requests): 2023-05-22T08:00 and 16:00 lie before it (unknown),
            // 2023-05-23T00:00 and 08:00 read it. One row, at 08:00: the index unchanged, rate 0.
            ("paradex", "BTC-USD-PERP", 8, "2023-05-23T16:00:00Z", 1, 1, 1),
        ]
        // The markets as collection creates them (written directly: a whole fixture ingest is Binance's ~380
        // requests, which a loaded machine may not answer within the venue deadline).
        for c in cases {
            try await Self.collect(db, dex: c.dex, dexSymbol: c.market, symbol: c.market.hasPrefix("ETH") ? "ETH" : "BTC",
                                   interval: c.interval)
        }
        let writer = try db.writerURL
        try await withFixtureServer { port in
            let config = try fixtureConfig(port: port, database: writer)
            for c in cases {
                let run = BackfillRun(days: c.days, until: Self.date(c.until), dexes: [c.dex], symbols: [c.market])
                let first = try await run.run(config, migrate: false, logger: TestDatabase.logger)
                #expect(first.failures == [], "\(c.dex)")
                #expect(first.markets == 1 && first.marketsFetched == 1, "\(c.dex)")
                #expect(first.requests == c.requests, "\(c.dex)")
                #expect(first.settlementsWritten == c.rows, "\(c.dex)")
                let second = try await run.run(config, migrate: false, logger: TestDatabase.logger)
                #expect(second.requests == 0 && second.marketsUpToDate == 1 && second.settlementsWritten == 0, "\(c.dex)")
            }
            // A venue without history is named, not failed.
            let lighter = try await BackfillRun(days: 1, dexes: ["lighter"]).run(config, migrate: false,
                                                                                logger: TestDatabase.logger)
            #expect(lighter.withoutHistory == ["lighter"] && lighter.requests == 0)
        }
        try await db.with(try db.readerURL) { conn in
            let counts = try await conn.jsonRows("""
                SELECT d.name, count(*)::int AS n FROM funding_settlements s JOIN markets m ON m.id = s.market_id
                JOIN dexes d ON d.id = m.dex_id GROUP BY d.name ORDER BY d.name
                """)
            #expect(Dictionary(uniqueKeysWithValues: counts.map { ($0.string("name")!, $0.int("n")!) })
                    == Dictionary(uniqueKeysWithValues: cases.map { ($0.dex, $0.rows) }))
            // Binance's recorded row as stored: -0.0375 per 8 h at 2019-10-09T08:00Z, mark 34287.54619963.
            let binance = try await conn.jsonRows("""
                SELECT extract(epoch FROM s.funding_time)::float8 AS funding_epoch, s.funding_rate, s.funding_interval_hours,
                       s.mark_price FROM funding_settlements s JOIN markets m ON m.id = s.market_id
                WHERE m.dex_symbol = 'BTCUSDT' AND m.dex_id = (SELECT id FROM dexes WHERE name = 'binance')
                """)
            #expect(binance.first?.double("funding_epoch") == 1_570_608_000)
            #expect(binance.first?.double("funding_rate") == -0.0375)
            #expect(binance.first?.double("funding_interval_hours") == 8)
            #expect(binance.first?.double("mark_price") == 34287.54619963)
            // OKX stores `realizedRate`, not the row's `fundingRate` (0.000227985782722 and 0.0000746604960499).
            let okx = try await conn.column("""
                SELECT s.funding_rate FROM funding_settlements s JOIN markets m ON m.id = s.market_id
                WHERE m.dex_symbol = 'BTC-USD-SWAP' ORDER BY s.funding_time
                """, as: Double.self)
            #expect(okx == [0.0002279755647389, 0.0000746572360545])
        }
    }

    /// A venue of `count` settlements from 2026-01-01T00:00Z answering one history endpoint (`rows`, given the
    /// request's query items, in the subclass); fails every request after `failAfter` answers.
    class SeriesVenue: HTTPFetching, @unchecked Sendable {
        let count: Int
        let failAfter: Int
        private let lock = NSLock()
        private var answered = 0
        static let origin = 1_767_225_600_000.0  // 2026-01-01T00:00:00Z in ms

        init(count: Int, failAfter: Int = .max) {
            self.count = count
            self.failAfter = failAfter
        }

        /// The answer's rows as JSON objects.
        func rows(_ query: [String: String]) -> [String] { [] }

        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            let proceed = lock.withLock {
                answered += 1
                return answered <= failAfter
            }
            guard proceed else { throw HTTPFetchError.status(503, url: path, retryAfterSeconds: nil) }
            var query: [String: String] = [:]
            for pair in path.split(separator: "?").last!.split(separator: "&") {
                let kv = pair.split(separator: "=")
                query[String(kv[0])] = String(kv[1])
            }
            return Array("[\(rows(query).joined(separator: ","))]".utf8)
        }

        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
        }
    }

    /// Binance's `fundingRate` over settlements 8 h apart, `startTime`…`endTime`, at most `limit`.
    final class SeriesBinance: SeriesVenue, @unchecked Sendable {
        static func time(_ i: Int) -> Double { origin + Double(i) * 8 * 3_600_000 }

        override func rows(_ query: [String: String]) -> [String] {
            let start = Double(query["startTime"]!)!, end = Double(query["endTime"]!)!, limit = Int(query["limit"]!)!
            return (0..<count).filter { Self.time($0) >= start && Self.time($0) <= end }.prefix(limit)
                .map { #"{"fundingRate":"0.0001","fundingTime":\#(Int64(Self.time($0)))}"# }
        }
    }

    @Test("a backfill killed after two of three pages resumes with the third page only")
    func resumes() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await Self.collect(db, dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", interval: 8)
        let schedules = [DexSchedule(adapter: BinanceAdapter(), baseURL: "", interval: .seconds(60))]
        // 2,500 settlements = 3 pages of at most 1000 (the venue's maximum).
        let options = Backfill<SeriesBinance>.Options(
            start: Date(timeIntervalSince1970: SeriesBinance.origin / 1000),
            until: Date(timeIntervalSince1970: SeriesBinance.time(2500) / 1000))
        try await db.withClient(try db.writerURL) { client in
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            let broken = Backfill(fetcher: SeriesBinance(count: 2500, failAfter: 2), store: store, logger: TestDatabase.logger)
            let first = try await broken.run(schedules, options: options)
            #expect(first.requests == 3 && first.marketsFailed == 1 && first.settlementsWritten == 2000)  // the third failed
            let healthy = Backfill(fetcher: SeriesBinance(count: 2500), store: store, logger: TestDatabase.logger)
            let second = try await healthy.run(schedules, options: options)
            #expect(second.requests == 1 && second.marketsFetched == 1 && second.settlementsWritten == 500)
            let third = try await healthy.run(schedules, options: options)
            #expect(third.requests == 0 && third.marketsUpToDate == 1)
        }
        try await db.with(try db.readerURL) { conn in
            // Every settlement once: 2,500 distinct funding times, 8 h apart, first and last as generated.
            let stats = try await conn.jsonRows("""
                SELECT count(*)::int AS n, count(DISTINCT funding_time)::int AS distinct_times,
                       extract(epoch FROM min(funding_time))::float8 AS first,
                       extract(epoch FROM max(funding_time))::float8 AS last FROM funding_settlements
                """)
            #expect(stats.first?.int("n") == 2500 && stats.first?.int("distinct_times") == 2500)
            #expect(stats.first?.double("first") == SeriesBinance.origin / 1000)
            #expect(stats.first?.double("last") == SeriesBinance.time(2499) / 1000)
        }
    }

    @Test("gaps inside the fetched range are asked about once: refilled where the venue has the rows, recorded where it has none")
    func refillsGaps() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await Self.collect(db, dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", interval: 8)
        let schedules = [DexSchedule(adapter: BinanceAdapter(), baseURL: "", interval: .seconds(60))]
        @Sendable func at(_ i: Int) -> Date { Date(timeIntervalSince1970: SeriesBinance.time(i) / 1000) }
        // The venue has settlements 0...9 (8 h apart). Stored: 0, 1, 2, 5...9 and 12, as short pages would leave them
        // (5 and 12 carry the interval inferred across their gap, 24 h), with 0 ..< 13 marked fetched.
        let stored = [0, 1, 2, 5, 6, 7, 8, 9, 12].map {
            SettledFunding(dexSymbol: "BTCUSDT", fundingTime: at($0), fundingRate: 0.0001,
                           fundingIntervalHours: [5, 12].contains($0) ? 24 : 8)
        }
        let options = Backfill<SeriesBinance>.Options(start: at(0), until: at(13))
        try await db.withClient(try db.writerURL) { client in
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            try await store.apply(dex: "binance", dexSymbol: "BTCUSDT", settlements: stored, covered: at(0)..<at(13))
            let backfill = Backfill(fetcher: SeriesBinance(count: 10), store: store, logger: TestDatabase.logger)
            // Two gaps: 2 → 5 (24 h > 1.5 × 8 h) and 9 → 12. The first refetch (2 + 1 ms through 5) answers 3, 4 and 5:
            // two new rows and 5's interval corrected to 8 h (3 written); the second answers nothing.
            let first = try await backfill.run(schedules, options: options)
            #expect(first.requests == 2 && first.gapsChecked == 2 && first.gapSettlements == 3, "\(first)")
            #expect(first.settlementsWritten == 3 && first.marketsUpToDate == 1 && first.failures == [])
            // Both gaps were asked about: a second run asks nothing, though 9 → 12 is still a gap.
            let second = try await backfill.run(schedules, options: options)
            #expect(second.requests == 0 && second.gapsChecked == 0 && second.marketsUpToDate == 1)
        }
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("""
                SELECT funding_interval_hours AS h FROM funding_settlements ORDER BY funding_time
                """)
            #expect(rows.map { $0.double("h") } == [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 24])  // 0...9, then 12
            let checks = try await conn.jsonRows("SELECT settlements_found AS n FROM settlement_gap_checks ORDER BY gap_from")
            #expect(checks.map { $0.int("n") } == [3, 0])
            #expect(try await conn.scalar("SELECT count(*)::int FROM settlement_gaps('binance', '-infinity', 'infinity')",
                                          as: Int.self) == 0)
        }
    }

    /// Backpack's `fundingRates` over hourly settlements, newest first, `limit` rows from `offset`.
    final class SeriesBackpack: SeriesVenue, @unchecked Sendable {
        static func time(_ i: Int) -> Double { origin + Double(i) * 3_600_000 }

        override func rows(_ query: [String: String]) -> [String] {
            let limit = Int(query["limit"]!)!, offset = Int(query["offset"]!)!
            return (0..<count).reversed().dropFirst(offset).prefix(limit).map { i in
                // "2026-01-01T05:00:00" (UTC without a zone, as Backpack writes it)
                let end = Date(timeIntervalSince1970: Self.time(i) / 1000).formatted(.iso8601).dropLast()
                return #"{"fundingRate":"0.0000125","intervalEndTimestamp":"\#(end)","symbol":"BTC_USDC_PERP"}"#
            }
        }
    }

    @Test("a newest-first walk (Backpack's offset) killed after two of three pages keeps what it read; the resumed walk reads down from the newest row again and writes only the 500 oldest")
    func resumesNewestFirst() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await Self.collect(db, dex: "backpack", dexSymbol: "BTC_USDC_PERP", symbol: "BTC", interval: 1)
        let schedules = [DexSchedule(adapter: BackpackAdapter(), baseURL: "", interval: .seconds(60))]
        // 2,500 hourly settlements = 3 pages of at most 1000, newest first: 2499…1500, 1499…500, 499…0 (524 rows
        // asked for the last 500 h: `newestFirstLimit`).
        let options = Backfill<SeriesBackpack>.Options(
            start: Date(timeIntervalSince1970: SeriesBackpack.time(0) / 1000),
            until: Date(timeIntervalSince1970: SeriesBackpack.time(2500) / 1000))
        try await db.withClient(try db.writerURL) { client in
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            let broken = Backfill(fetcher: SeriesBackpack(count: 2500, failAfter: 2), store: store,
                                  logger: TestDatabase.logger)
            let first = try await broken.run(schedules, options: options)
            #expect(first.requests == 3 && first.marketsFailed == 1 && first.settlementsWritten == 2000)
            // Stored as fetched: from the oldest row read (index 500) to the end, not the whole range.
            let covered = try await store.markets(dex: "backpack").first?.covered
            #expect(covered.map { abs($0.lowerBound.timeIntervalSince1970 - SeriesBackpack.time(500) / 1000) } ?? 1 < 1e-3)
            #expect(covered.map { abs($0.upperBound.timeIntervalSince1970 - SeriesBackpack.time(2500) / 1000) } ?? 1 < 1e-3)
            // The resumed walk asks [start, index 500) from the newest row down again (the token of the killed run is
            // gone), 524 rows a page (500 h + 24): 2499…1976, 1975…1452, 1451…928 read and dropped, 927…404 (96 in
            // range, the end narrowed to 404), then 428 rows asked (404 h + 24) from 403: 403…0, a short page.
            let healthy = Backfill(fetcher: SeriesBackpack(count: 2500), store: store, logger: TestDatabase.logger)
            let second = try await healthy.run(schedules, options: options)
            #expect(second.requests == 5 && second.marketsFetched == 1 && second.settlementsWritten == 500)
            let third = try await healthy.run(schedules, options: options)
            #expect(third.requests == 0 && third.marketsUpToDate == 1)
        }
        try await db.with(try db.readerURL) { conn in
            let stats = try await conn.jsonRows("""
                SELECT count(*)::int AS n, count(DISTINCT funding_time)::int AS distinct_times,
                       extract(epoch FROM min(funding_time))::float8 AS first,
                       extract(epoch FROM max(funding_time))::float8 AS last,
                       min(funding_interval_hours) AS min_hours, max(funding_interval_hours) AS max_hours
                FROM funding_settlements
                """)
            #expect(stats.first?.int("n") == 2500 && stats.first?.int("distinct_times") == 2500)
            #expect(stats.first?.double("first") == SeriesBackpack.time(0) / 1000)
            #expect(stats.first?.double("last") == SeriesBackpack.time(2499) / 1000)
            #expect(stats.first?.double("min_hours") == 1 && stats.first?.double("max_hours") == 1)
        }
    }

    @Test("the daemon's settlement refresh runs the backfill on its own: markets get a fetched range without a command")
    func daemonRefresh() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        for market in ["BTC-USD", "ETH-USD"] {
            try await Self.collect(db, dex: "dydx", dexSymbol: market, symbol: String(market.prefix(3)), interval: 1)
        }
        let writer = try db.writerURL
        try await withFixtureServer { port in
            let config = try fixtureConfig(port: port, database: writer)
            let refresh = SettlementRefresh(config: config, dexes: ["dydx"], interval: .seconds(3600), lookbackDays: 2,
                                            initialDelay: .zero, logger: TestDatabase.logger)
            let group = ServiceGroup(configuration: .init(services: [refresh], logger: TestDatabase.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // The recording's dYdX rows are from 2025-12: outside the last two days, so none is stored, but
                // the market's range [now - 2 days, now - 2 min) is recorded as fetched.
                var started = 0
                for _ in 0..<100 where started == 0 {
                    try await Task.sleep(for: .milliseconds(200))
                    started = try await db.with(try db.readerURL) { conn in
                        try await conn.scalar("SELECT markets_started FROM backfill_status WHERE dex = 'dydx'", as: Int.self)
                    }
                }
                #expect(started == 1)  // BTC-USD, which has a history recording (ETH-USD gets a 404 and stays unfetched)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("only the ingest leader refreshes settlements: a standby daemon's refresh asks the venues nothing")
    func standbyDoesNotRefresh() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await Self.collect(db, dex: "dydx", dexSymbol: "BTC-USD", symbol: "BTC", interval: 1)
        let writer = try db.writerURL
        try await withFixtureServer { port in
            let config = try fixtureConfig(port: port, database: writer)
            let standby = SettlementRefresh(config: config, dexes: ["dydx"], interval: .seconds(3600), lookbackDays: 2,
                                            isLeader: { false }, logger: TestDatabase.logger)
            #expect(try await standby.refreshOnce() == nil)
            #expect(try await db.with(try db.readerURL) { conn in
                try await conn.scalar("SELECT markets_started FROM backfill_status WHERE dex = 'dydx'", as: Int.self)
            } == 0)
            let leader = SettlementRefresh(config: config, dexes: ["dydx"], interval: .seconds(3600), lookbackDays: 2,
                                           isLeader: { true }, logger: TestDatabase.logger)
            let report = try await leader.refreshOnce()
            #expect(report?.requests == 1 && report?.marketsFetched == 1)
        }
    }
}
