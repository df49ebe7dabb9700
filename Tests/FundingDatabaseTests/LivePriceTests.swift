import Foundation
import FundingApp
import FundingCore
import FundingIngest
import HummingbirdWSClient
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import Testing

/// Live prices and price spreads (schema/0093) on the known-answer markets of `KnownAnswer` (taker fees: binance
/// 0.0005, hyperliquid 0.0004 base tier, edgex 0.0003), with prices written through `prices_apply()`.
@Suite("Live prices and price spreads (known answers)")
struct LivePriceTests {
    static let logger = Logger(label: "live-price-test")

    /// Per-contract-unit prices as a stream would flush them; `age` seconds since they were received.
    static func price(_ dex: String, _ dexSymbol: String, bid: Double?, ask: Double?, age: Double = 1,
                      now: Date) -> LivePrice {
        LivePrice(dex: dex, dexSymbol: dexSymbol, time: now.addingTimeInterval(-age - 0.05),
                  receivedAt: now.addingTimeInterval(-age), bid: bid, bidSize: 3, ask: ask, askSize: 4)
    }

    static func write(_ db: TestDatabase, _ prices: [LivePrice]) async throws -> PriceWriteResult {
        try await db.with(try db.writerURL) { conn in
            try await PriceWriter.write(prices, on: conn, logger: logger)
        }
    }

    /// A minute boundary ten minutes ago: times built on it are exact in microseconds and inside every retention.
    static func minuteTenMinutesAgo() -> Date {
        Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970) / 60 * 60 - 600))
    }

    /// binance AAAUSDT's top of book received (and timed) `seconds` after `t`.
    static func binanceAAA(_ t: Date, _ seconds: Double, bid: Double?, ask: Double?) -> LivePrice {
        LivePrice(dex: "binance", dexSymbol: "AAAUSDT", time: t.addingTimeInterval(seconds),
                  receivedAt: t.addingTimeInterval(seconds), bid: bid, bidSize: 1, ask: ask, askSize: 1)
    }

    /// AAAUSDT's stored seconds (`price_samples`) and its minutes (`price_minutes`, the one in progress included),
    /// oldest first; times as epoch seconds.
    static func samplesOfAAA(_ db: TestDatabase) async throws -> (seconds: [JSONRow], minutes: [JSONRow]) {
        try await db.with(try db.readerURL) { conn in
            let seconds = try await conn.jsonRows("""
                SELECT extract(epoch FROM s.time)::float8 AS second, s.bid, s.ask FROM price_samples s
                JOIN markets m ON m.id = s.market_id WHERE m.dex_symbol = 'AAAUSDT' ORDER BY s.time
                """)
            let minutes = try await conn.jsonRows("""
                SELECT extract(epoch FROM r.bucket)::float8 AS bucket, r.samples, r.mid_open, r.mid_high,
                       r.mid_low, r.mid_close, r.bid_close, r.ask_close,
                       extract(epoch FROM r.last_time)::float8 AS last_time, r.in_progress
                FROM price_minutes r JOIN markets m ON m.id = r.market_id WHERE m.dex_symbol = 'AAAUSDT'
                ORDER BY r.bucket
                """)
            return (seconds, minutes)
        }
    }

    /// gross = (sell − buy) / mid × 1e4 with mid = (sell + buy) / 2; fees = (2 × taker L + 2 × taker S) × 1e4.
    static func net(buy: Double, sell: Double, takerLong: Double, takerShort: Double) -> (gross: Double, net: Double) {
        let gross = (sell - buy) / ((sell + buy) / 2) * 10_000
        return (gross, gross - (2 * takerLong + 2 * takerShort) * 10_000)
    }

    static func load(_ db: TestDatabase) async throws -> Date {
        _ = try await KnownAnswer.load(db)
        let now = Date()
        let result = try await write(db, [
            price("binance", "AAAUSDT", bid: 10.00, ask: 10.01, now: now),
            price("hyperliquid", "AAA", bid: 10.05, ask: 10.06, now: now),
            // Two minutes old: left out by the default max age (60 s).
            price("edgex", "AAAUSD", bid: 9.90, ask: 9.92, age: 120, now: now),
            // Per 1000 PEPE on binance, per PEPE on hyperliquid.
            price("binance", "1000PEPEUSDT", bid: 0.01200, ask: 0.01201, now: now),
            price("hyperliquid", "PEPE", bid: 0.00001215, ask: 0.00001216, now: now),
            // Rejected: a NaN bid, and a crossed book.
            price("okx", "AAA-USDT-SWAP", bid: .nan, ask: 10.0, now: now),
            price("newdex", "AAA-PERP", bid: 10.2, ask: 10.1, now: now),
            // Not a market the snapshot collector created.
            price("binance", "NOPEUSDT", bid: 1, ask: 2, now: now),
        ])
        #expect(result == PriceWriteResult(rowsIn: 8, rowsApplied: 5, rowsUnknownMarket: 1, rowsRejected: 2))
        return now
    }

    @Test("price_spreads: buy at the long leg's ask, sell at the short leg's bid, per unit, net of both legs' taker fees twice; stale legs, rejected rows and unknown markets left out")
    func spreadsByHand() async throws {
        let db = try await TestDatabase.make()
        _ = try await Self.load(db)
        let rows = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("SELECT * FROM price_spreads() ORDER BY symbol, long_dex")
        }
        #expect(rows.map { "\($0.string("symbol")!) \($0.string("long_dex")!)->\($0.string("short_dex")!)" } == [
            "AAA binance->hyperliquid", "AAA hyperliquid->binance", "PEPE binance->hyperliquid",
            "PEPE hyperliquid->binance",
        ])
        // AAA: buy binance at 10.01, sell hyperliquid at 10.05: gross 0.04 / 10.03 × 1e4 = 39.8803589…; fees
        // (2 × 0.0005 + 2 × 0.0004) × 1e4 = 18; net 21.8803589…
        let aaa = Self.net(buy: 10.01, sell: 10.05, takerLong: 0.0005, takerShort: 0.0004)
        #expect(close(aaa.net, 21.880358923230307, relative: 1e-12))
        #expect(close(rows[0].double("gross_spread_bps"), aaa.gross))
        #expect(close(rows[0].double("fees_bps"), 18))
        #expect(close(rows[0].double("net_spread_bps"), aaa.net))
        #expect(rows[0].double("buy_price") == 10.01 && rows[0].double("sell_price") == 10.05)
        #expect(rows[0].double("long_ask_size") == 4 && rows[0].double("short_bid_size") == 3)
        #expect((0.5...30).contains(rows[0].double("long_age_seconds")!))
        // PEPE: binance 0.01201 per 1000 = 0.00001201 per PEPE; sell hyperliquid at 0.00001215:
        // gross 0.00000014 / 0.00001208 × 1e4 = 115.894…, net 97.894…
        let pepe = Self.net(buy: 0.01201 / 1000, sell: 0.00001215, takerLong: 0.0005, takerShort: 0.0004)
        #expect(close(rows[2].double("buy_price"), 0.00001201))
        #expect(close(rows[2].double("net_spread_bps"), pepe.net))
        #expect(close(pepe.gross, 115.89403973509935, relative: 1e-9))

        // The best pair per symbol, best first; a filter on the net spread; an older max age admits edgex.
        let best = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("SELECT * FROM best_price_spreads()")
        }
        #expect(best.map { $0.string("symbol")! } == ["PEPE", "AAA"])
        #expect(close(best[1].double("net_spread_bps"), aaa.net))
        let wide = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("""
                SELECT * FROM price_spreads(p_symbols => ARRAY['AAA'], p_min_spread_bps => 0,
                                            p_max_age => interval '5 minutes')
                """)
        }
        // edgex bought at 9.92, sold on hyperliquid at 10.05: fees (2 × 0.0003 + 2 × 0.0004) × 1e4 = 14.
        let edgex = Self.net(buy: 9.92, sell: 10.05, takerLong: 0.0003, takerShort: 0.0004)
        #expect(wide.map { "\($0.string("long_dex")!)->\($0.string("short_dex")!)" }
                == ["edgex->hyperliquid", "edgex->binance", "binance->hyperliquid"])
        #expect(close(wide[0].double("net_spread_bps"), edgex.net))
        // edgex bought at 9.92, sold on binance at 10.00: 0.08 / 9.96 × 1e4 − 16 = 64.3212…
        let edgexBinance = Self.net(buy: 9.92, sell: 10.00, takerLong: 0.0003, takerShort: 0.0005)
        #expect(close(edgexBinance.net, 64.32128514056225, relative: 1e-9))
        #expect(close(wide[1].double("net_spread_bps"), edgexBinance.net))
    }

    @Test("samples, the 1-minute rollup, a pair's history and its persistence above a threshold")
    func historyAndPersistence() async throws {
        let db = try await TestDatabase.make()
        let now = try await Self.load(db)
        // A later flush for binance AAA: its ask drops to 10.00 (net 0.05 / 10.025 × 1e4 − 18). Received now, at
        // least a second after the first (`load` wrote it 1 s before `now`), never in the future: the history ends
        // at now() and would leave out a second that has not begun.
        let later = max(Date(), now)
        _ = try await Self.write(db, [Self.price("binance", "AAAUSDT", bid: 9.99, ask: 10.00, age: 0, now: later)])
        let rollup = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("""
                SELECT r.* FROM price_minutes r JOIN markets m ON m.id = r.market_id WHERE m.dex_symbol = 'AAAUSDT'
                ORDER BY bucket
                """)
        }
        let minutes = rollup.map { $0.int("samples") ?? 0 }.reduce(0, +)
        #expect(minutes == 2)  // two flushes folded into the minute(s), closed or in progress
        #expect(rollup.last?.double("ask_close") == 10.00)
        #expect(close(rollup.first?.double("mid_high"), 10.005))  // (10.00 + 10.01) / 2 from the first flush

        let history = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("SELECT * FROM price_spread_history('AAA', 'binance', 'hyperliquid')")
        }
        let latest = Self.net(buy: 10.00, sell: 10.05, takerLong: 0.0005, takerShort: 0.0004)
        #expect(close(history.last?.double("net_spread_bps"), latest.net))
        let persistence = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("SELECT * FROM price_spread_persistence('AAA', 'binance', 'hyperliquid', 20)")
        }
        #expect(persistence.first?.values["above_now"] as? Bool == true)
        #expect(close(persistence.first?.double("net_spread_bps"), latest.net))
        #expect(persistence.first?.double("share_above") == 1)
        let never = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("SELECT * FROM price_spread_persistence('AAA', 'binance', 'hyperliquid', 50)")
        }
        #expect(never.first?.values["above_now"] as? Bool == false)
        #expect(never.first?.double("seconds_above") == 0)
    }

    @Test("a market's second and minute are written when its first update of a later one arrives; the one in progress is in price_latest (price_minutes shows it)")
    func secondsAndMinutesClose() async throws {
        let db = try await TestDatabase.make()
        _ = try await KnownAnswer.load(db)
        let t = Self.minuteTenMinutesAgo()
        func at(_ seconds: Double, bid: Double?, ask: Double?) -> LivePrice {
            Self.binanceAAA(t, seconds, bid: bid, ask: ask)
        }
        func state() async throws -> (seconds: [JSONRow], minutes: [JSONRow]) { try await Self.samplesOfAAA(db) }
        let t0 = t.timeIntervalSince1970

        _ = try await Self.write(db, [at(5.2, bid: 10.00, ask: 10.02)])      // mid 10.01
        _ = try await Self.write(db, [at(5.7, bid: 10.01, ask: nil)])        // ask kept: mid (10.01 + 10.02) / 2
        var now = try await state()
        #expect(now.seconds.isEmpty)  // second 5 is still in progress
        #expect(now.minutes.count == 1)
        #expect(now.minutes[0].values["in_progress"] as? Bool == true)
        #expect(now.minutes[0].int("samples") == 2)
        #expect(close(now.minutes[0].double("mid_open"), 10.01))
        #expect(close(now.minutes[0].double("mid_high"), 10.015))

        _ = try await Self.write(db, [at(6.1, bid: 9.98, ask: 10.00)])       // mid 9.99; second 5 closes
        now = try await state()
        #expect(now.seconds.count == 1)
        #expect(now.seconds.first?.double("second") == t0 + 5)
        #expect(now.seconds.first?.double("bid") == 10.01)  // the state at the end of second 5
        #expect(now.seconds.first?.double("ask") == 10.02)

        _ = try await Self.write(db, [at(61.0, bid: 10.10, ask: 10.12)])     // second 6 and minute 0 close
        // A late update (received before the newest): applied to nothing, closes nothing.
        _ = try await Self.write(db, [at(30.0, bid: 1, ask: 2)])
        now = try await state()
        #expect(now.seconds.map { $0.double("second") } == [t0 + 5, t0 + 6])
        #expect(now.seconds.last?.double("bid") == 9.98)
        #expect(now.minutes.count == 2)
        let closed = now.minutes[0]
        #expect(closed.values["in_progress"] as? Bool == false)
        #expect(closed.double("bucket") == t0)
        #expect(closed.int("samples") == 3)
        #expect(close(closed.double("mid_open"), 10.01))
        #expect(close(closed.double("mid_high"), 10.015))
        #expect(close(closed.double("mid_low"), 9.99))
        #expect(close(closed.double("mid_close"), 9.99))
        #expect(closed.double("bid_close") == 9.98)
        #expect(closed.double("ask_close") == 10.00)
        #expect(close(closed.double("last_time"), t0 + 6.1, relative: 1e-12))
        let open = now.minutes[1]
        #expect(open.values["in_progress"] as? Bool == true)
        #expect(open.double("bucket") == t0 + 60)
        #expect(open.int("samples") == 1)
        #expect(close(open.double("mid_open"), 10.11))
    }

    @Test("upgrading to 0094 while a market streams: 0093's stored second and minute in progress move into price_latest and close once, without a key conflict")
    func upgradeAcross0094() async throws {
        // The migrations up to 0093 in a folder of their own, then the whole set.
        let root = TestDatabase.repositoryRoot
        let upTo0093 = FileManager.default.temporaryDirectory.appendingPathComponent("fundingd-0093-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: upTo0093) }
        try FileManager.default.createDirectory(at: upTo0093.appendingPathComponent("schema"),
                                                withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("schema").path)
        where file.hasSuffix(".sql") && (Int(file.prefix(4)) ?? .max) <= 93 {
            try FileManager.default.copyItem(at: root.appendingPathComponent("schema/\(file)"),
                                             to: upTo0093.appendingPathComponent("schema/\(file)"))
        }
        try FileManager.default.copyItem(at: root.appendingPathComponent("timescale"),
                                         to: upTo0093.appendingPathComponent("timescale"))
        let db = try await TestDatabase.make(migrate: false)
        defer { db.drop() }
        let applied = try await DatabaseSetup.migrate(url: try db.ownerURL, source: SQLSource(root: upTo0093),
                                                      logger: Self.logger)
        #expect(applied.last?.version == 93)
        _ = try await KnownAnswer.load(db)
        let t = Self.minuteTenMinutesAgo()
        func at(_ seconds: Double, bid: Double, ask: Double) -> LivePrice {
            Self.binanceAAA(t, seconds, bid: bid, ask: ask)
        }
        // 0093 writes second 5 and minute 0 at once (upserted on each flush).
        _ = try await Self.write(db, [at(5.2, bid: 10.00, ask: 10.02)])      // mid 10.01
        _ = try await Self.write(db, [at(5.7, bid: 10.01, ask: 10.02)])      // mid 10.015

        // 0094 and every later migration (none of which touches prices) applied on top.
        let upgrade = try await db.migrate().map(\.version)
        #expect(upgrade.first == 94 && upgrade == upgrade.sorted())
        let closing = try await Self.write(db, [at(6.1, bid: 9.98, ask: 10.00)])   // closes second 5
        let next = try await Self.write(db, [at(61.0, bid: 10.10, ask: 10.12)])    // closes second 6 and minute 0
        #expect(closing.rowsApplied == 1 && next.rowsApplied == 1)
        let (seconds, minutes) = try await Self.samplesOfAAA(db)
        let t0 = t.timeIntervalSince1970
        #expect(seconds.map { $0.double("second") } == [t0 + 5, t0 + 6])
        #expect(seconds.first?.double("bid") == 10.01)  // second 5 as it ended, stored once
        #expect(minutes.count == 2)
        // Minute 0: two updates under 0093 and one under 0094, folded into one row.
        #expect(minutes.first?.int("samples") == 3)
        #expect(close(minutes.first?.double("mid_open"), 10.01))
        #expect(close(minutes.first?.double("mid_high"), 10.015))
        #expect(close(minutes.first?.double("mid_low"), 9.99))
        #expect(close(minutes.first?.double("mid_close"), 9.99))
        #expect(minutes.last?.values["in_progress"] as? Bool == true)
    }

    @Test("the price routes answer the SQL's numbers; bad parameters are 400s naming them")
    func routes() async throws {
        let db = try await TestDatabase.make()
        _ = try await Self.load(db)
        try await withRouter(db) { client, _ in
            let spreads = try await client.call("/api/v1/price-spreads?symbols=AAA&min_spread_bps=0")
            #expect(spreads.status == .ok)
            let rows = try #require(try spreads.json["spreads"] as? [[String: Any]])
            #expect(rows.count == 1)
            let aaa = Self.net(buy: 10.01, sell: 10.05, takerLong: 0.0005, takerShort: 0.0004)
            #expect(close(double(rows.first?["net_spread_bps"]), aaa.net))
            #expect(rows.first?["long_dex"] as? String == "binance")

            let best = try await client.call("/api/v1/price-spreads/best?limit=1")
            #expect((try best.json["spreads"] as? [[String: Any]])?.first?["symbol"] as? String == "PEPE")

            let pepe = try await client.call("/api/v1/prices/PEPE")
            let prices = try #require(try pepe.json["prices"] as? [[String: Any]])
            #expect(prices.map { $0["dex"] as? String } == ["binance", "hyperliquid"])
            #expect(close(double(prices[0]["ask"]), 0.00001201))       // 0.01201 per 1000
            #expect(double(prices[0]["multiplier"]) == 1000)

            let all = try await client.call("/api/v1/prices?max_age_seconds=300")
            #expect(try all.json["count"] as? Int == 5)  // edgex's 2-minute-old prices included
            let fresh = try await client.call("/api/v1/prices")
            #expect(try fresh.json["count"] as? Int == 4)

            let history = try await client.call(
                "/api/v1/price-spreads/history?symbol=AAA&long_dex=binance&short_dex=hyperliquid&threshold_bps=20")
            #expect(history.status == .ok)
            #expect(dig(try history.json, "persistence", "above_now") as? Bool == true)

            for (uri, parameter) in [
                ("/api/v1/price-spreads?foo=1", "foo"),
                ("/api/v1/price-spreads?min_spread_bps=abc", "min_spread_bps"),
                ("/api/v1/price-spreads?max_age_seconds=0", "max_age_seconds"),
                ("/api/v1/price-spreads?limit=0", "limit"),
                ("/api/v1/prices?dexes=nosuchdex", "nosuchdex"),
                ("/api/v1/price-spreads/history?symbol=AAA&long_dex=binance", "short_dex"),
                ("/api/v1/price-spreads/history?symbol=AAA&long_dex=binance&short_dex=binance", "short_dex"),
                ("/api/v1/price-spreads/history?symbol=AAA&long_dex=binance&short_dex=hyperliquid&period=7d&resolution=second",
                 "resolution"),
            ] {
                let answer = try await client.call(uri)
                #expect(answer.status == .badRequest || answer.status == .notFound, "\(uri)")
                #expect(answer.errorMessage?.contains(parameter) == true, "\(uri): \(answer.text)")
            }
        }
    }

    @Test("the price fetcher's endpoints (seed 002) answer in its shapes with the same numbers")
    func seedEndpoints() async throws {
        let db = try await TestDatabase.make()
        _ = try await Self.load(db)
        try await withRouter(db) { client, _ in
            let all = try await client.call("/api/prices")
            #expect(all.status == .ok)
            // PEPE on binance: 0.01200 / 0.01201 per 1000 → per PEPE; no last price streamed, so price = mid.
            let pepe = try #require(dig(try all.json, "prices", "PEPE", "binance") as? [String: Any])
            #expect(close(double(pepe["bid"]), 0.000012))
            #expect(close(double(pepe["price"]), (0.000012 + 0.00001201) / 2))
            #expect(pepe["timestamp"] is Int)

            // A seed-style market name finds the symbol; edgex (stale) and the rejected rows are absent.
            let aaa = try await client.call("/api/prices/AAAUSDT")
            #expect(try aaa.json["symbol"] as? String == "AAA")
            #expect(Set(((try aaa.json["prices"]) as? [String: Any] ?? [:]).keys) == ["binance", "hyperliquid"])

            let best = try await client.call("/api/best-prices/AAA")
            #expect(dig(try best.json, "best_bid", "exchange") as? String == "hyperliquid")
            #expect(double(dig(try best.json, "best_bid", "price")) == 10.05)
            #expect(dig(try best.json, "best_ask", "exchange") as? String == "binance")
            #expect(double(dig(try best.json, "best_ask", "price")) == 10.01)

            let arbitrage = try await client.call("/api/arbitrage")
            let opportunities = try #require(try arbitrage.json["opportunities"] as? [[String: Any]])
            #expect(opportunities.map { $0["symbol"] as? String } == ["PEPE", "AAA"])
            let aaaOpp = Self.net(buy: 10.01, sell: 10.05, takerLong: 0.0005, takerShort: 0.0004)
            #expect(close(double(opportunities[1]["spread"]), 0.04))
            #expect(close(double(opportunities[1]["spread_percentage"]), aaaOpp.gross / 100))  // 0.3988 %
            #expect(close(double(opportunities[1]["potential_profit"]), aaaOpp.net / 100))     // 0.2188 %
            #expect(opportunities[1]["profitable"] as? Bool == true)

            let spread = try await client.call("/api/spread/AAA/binance/hyperliquid")
            #expect(close(double(dig(try spread.json, "buy_exchange1_sell_exchange2", "net_spread_bps")), aaaOpp.net))
            let reverse = Self.net(buy: 10.06, sell: 10.00, takerLong: 0.0004, takerShort: 0.0005)
            #expect(close(double(dig(try spread.json, "buy_exchange2_sell_exchange1", "net_spread_bps")), reverse.net))
            #expect(dig(try spread.json, "buy_exchange2_sell_exchange1", "profitable") as? Bool == false)
            #expect(try await client.call("/api/spread/AAA/binance/binance").status == .badRequest)

            let summary = try await client.call("/api/summary")
            #expect(try summary.json["symbols"] as? Int == 2)
            #expect(try summary.json["markets"] as? Int == 4)
            #expect(try summary.json["arbitrage_opportunities"] as? Int == 2)
            #expect(dig(try summary.json, "best_opportunity", "symbol") as? String == "PEPE")
        }
    }

    @Test("replayed Binance frames become a pushed-through spread: stream → book → flush → SQL → REST")
    func replayedFramesToSpread() async throws {
        let db = try await TestDatabase.make()
        _ = try await KnownAnswer.load(db)
        let now = Date()
        let bnb = [
            Leg(dex: "binance", dexSymbol: "BNBUSDT", symbol: "BNB", interval: 8, rate: 0.0001, mark: 25.36,
                oi: 1_000_000, volume: 5_000_000, bid: 25.35, ask: 25.37),
            Leg(dex: "hyperliquid", dexSymbol: "BNB", symbol: "BNB", interval: 1, rate: 0.00001, mark: 25.40,
                oi: 1_000_000, volume: 5_000_000, bid: 25.39, ask: 25.41),
        ]
        try await db.withClient(try db.writerURL) { client in
            _ = try await CycleWriter(client: client, logger: Self.logger)
                .write(snapshots: bnb.map { $0.snapshot(now: now) }, runs: [])
        }
        let replay = StreamReplayServer { _, _ in
            .init(frames: (try? StreamReplayServer.frames("binance-usdm", "top_of_book")) ?? [], after: .repeatEvery(.milliseconds(200)))
        }
        try await replay.run { base in
            let book = PriceBook()
            let store = PostgresPriceStore(url: try db.writerURL, logger: Self.logger)
            var settings = PriceStreamService<FixtureHTTPClient>.Settings()
            settings.reconnect = .init(maxAttempts: .max, baseDelay: .milliseconds(100), maxDelay: .milliseconds(500))
            let streams = PriceStreamService(
                venues: [StreamVenue(source: BinanceAdapter(), restBaseURL: "", urlOverride: "\(base)/binance")],
                book: book, markets: { try await store.markets(dex: $0) }, http: FixtureHTTPClient(catalog: fixtureCatalog, dex: "binance"),
                settings: settings, logger: Self.logger)
            let flush = PriceFlushService(book: book, store: store, interval: .milliseconds(100), logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await streams.run() }
                group.addTask { try await flush.run() }
                defer { group.cancelAll() }
                // The other leg, as a second venue's stream would flush it.
                _ = try await Self.write(db, [Self.price("hyperliquid", "BNB", bid: 25.40, ask: 25.41, age: 0, now: Date())])
                try await withRouter(db) { client, _ in
                    try await eventually("the replayed BNBUSDT book reaches /api/v1/price-spreads") {
                        let answer = try await client.call("/api/v1/price-spreads?symbols=BNB&min_spread_bps=-100")
                        return (try answer.json["spreads"] as? [[String: Any]])?.contains {
                            $0["long_dex"] as? String == "binance"
                        } == true
                    }
                    let answer = try await client.call("/api/v1/price-spreads?symbols=BNB&min_spread_bps=-100")
                    let row = try #require((try answer.json["spreads"] as? [[String: Any]])?.first {
                        $0["long_dex"] as? String == "binance"
                    })
                    // Buy binance at the frame's ask "25.36520000", sell hyperliquid at 25.40:
                    // gross 0.0348 / 25.3826 × 1e4 = 13.7101…, fees 18, net −4.2898…
                    let expected = Self.net(buy: 25.3652, sell: 25.40, takerLong: 0.0005, takerShort: 0.0004)
                    #expect(close(expected.gross, 13.710179414240466, relative: 1e-9))
                    #expect(close(double(row["net_spread_bps"]), expected.net))
                    #expect(double(row["long_ask_size"]) == 40.66)  // "A":"40.66000000"
                }
            }
        }
        // The subscription the service sent is Binance's documented form, for every active binance market.
        #expect(replay.log.messages("/binance/top_of_book").first == #"""
            {"id":1,"method":"SUBSCRIBE","params":["1000pepeusdt@bookTicker","aaausdt@bookTicker","bnbusdt@bookTicker"]}
            """#)
    }

    @Test("WebSocket price-spreads and prices: a snapshot on subscribing, then an update after each flush (NOTIFY fundingd_prices)")
    func pushedAfterFlush() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await Self.load(db)
        try await withLiveAPI(db) { port in
            try await withTimeout(60) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/price-spreads",
                                                  logger: Self.logger) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["AAA"],"nope":1}}"#))
                    #expect(dig(try frame(try await messages.next()), "error", "message") as? String
                            == "nope: unknown filter")
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["AAA"],"min_spread_bps":0}}"#))
                    let snapshot = try frame(try await messages.next())
                    #expect(snapshot["type"] as? String == "snapshot")
                    let rows = snapshot["data"] as? [[String: Any]] ?? []
                    let aaa = Self.net(buy: 10.01, sell: 10.05, takerLong: 0.0005, takerShort: 0.0004)
                    #expect(rows.count == 1 && close(double(rows.first?["net_spread_bps"]), aaa.net))

                    // hyperliquid's bid rises to 10.10: 0.09 / 10.055 × 1e4 − 18 = 71.5077…
                    _ = try await Self.write(db, [Self.price("hyperliquid", "AAA", bid: 10.10, ask: 10.11, age: 0,
                                                             now: Date())])
                    let update = try frame(try await messages.next())
                    #expect(update["type"] as? String == "update")
                    #expect(update["channel"] as? String == "price-spreads")
                    let moved = Self.net(buy: 10.01, sell: 10.10, takerLong: 0.0005, takerShort: 0.0004)
                    #expect(close(moved.net, 71.50770760815502, relative: 1e-9))
                    #expect(close(double((update["data"] as? [[String: Any]])?.first?["net_spread_bps"]), moved.net))
                    try await outbound.close(.normalClosure, reason: nil)
                }
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/prices",
                                                  logger: Self.logger) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["PEPE"]}}"#))
                    let snapshot = try frame(try await messages.next())
                    #expect((snapshot["data"] as? [[String: Any]])?.count == 2)
                    _ = try await Self.write(db, [Self.price("hyperliquid", "PEPE", bid: 0.0000122, ask: 0.00001221,
                                                             age: 0, now: Date())])
                    let update = try frame(try await messages.next())
                    let changed = update["data"] as? [[String: Any]] ?? []
                    #expect(changed.map { $0["dex"] as? String } == ["hyperliquid"])  // only what changed
                    #expect(double(changed.first?["bid"]) == 0.0000122)
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
        }
    }
}
