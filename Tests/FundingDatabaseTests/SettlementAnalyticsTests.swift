import Foundation
import FundingAPI
@testable import FundingApp
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import PostgresNIO
import Hummingbird
import HummingbirdTesting
import Testing

/// Known answers for the analytics over settled funding (schema/0081), worked out by hand from the rows written.
///
/// T = midnight UTC two days ago; window (T, T + 24 h].
/// - binance BTCUSDT (8 h): settled 0.0001 at T+8h, 0.0002 at T+16h, -0.00005 at T+24h; samples (funding_rates)
///   0.0009 at T+7h, 0.00012 at T+7h50m, 0.00015 at T+15h59m, -0.00005 at T+23h.
/// - hyperliquid BTC (1 h): settled 0.00002 at each of T+1h ... T+24h; one sample 0.00003 at T+30m.
/// - taker fees: binance 0.0005, hyperliquid 0.00035.
@Suite("Settled funding analytics: known answers", .timeLimit(.minutes(3)))
struct SettlementAnalyticsTests {
    static let t = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 - 2 * 86_400)
    static func at(_ hours: Double) -> Date { t.addingTimeInterval(hours * 3600) }

    static func prepare() async throws -> TestDatabase {
        let db = try await TestDatabase.make()
        @Sendable func sample(_ dex: String, _ dexSymbol: String, _ hours: Double, _ rate: Double, _ interval: Double) -> MarketSnapshot {
            MarketSnapshot(dex: dex, dexSymbol: dexSymbol, symbol: "BTC", quote: "USDT", time: at(hours),
                           fundingRate: rate, fundingIntervalHours: interval, markPrice: 100_000)
        }
        try await db.withClient(try db.writerURL) { client in
            let writer = CycleWriter(client: client, logger: TestDatabase.logger)
            for snapshot in [sample("binance", "BTCUSDT", 7, 0.0009, 8), sample("binance", "BTCUSDT", 7 + 50.0 / 60, 0.00012, 8),
                             sample("binance", "BTCUSDT", 15 + 59.0 / 60, 0.00015, 8), sample("binance", "BTCUSDT", 23, -0.00005, 8),
                             sample("hyperliquid", "BTC", 0.5, 0.00003, 1)] {
                try await writer.write(snapshots: [snapshot], runs: [])
            }
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            @Sendable func settled(_ symbol: String, _ hours: Double, _ rate: Double, _ interval: Double) -> SettledFunding {
                SettledFunding(dexSymbol: symbol, fundingTime: at(hours), fundingRate: rate, fundingIntervalHours: interval)
            }
            try await store.apply(dex: "binance", dexSymbol: "BTCUSDT",
                                  settlements: [settled("BTCUSDT", 8, 0.0001, 8), settled("BTCUSDT", 16, 0.0002, 8),
                                                settled("BTCUSDT", 24, -0.00005, 8)],
                                  covered: at(0)..<at(25))
            try await store.apply(dex: "hyperliquid", dexSymbol: "BTC",
                                  settlements: (1...24).map { settled("BTC", Double($0), 0.00002, 1) },
                                  covered: at(0)..<at(25))
        }
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE dexes SET taker_fee = 0.0005 WHERE name = 'binance'")
            try await conn.exec("UPDATE dexes SET taker_fee = 0.00035 WHERE name = 'hyperliquid'")
        }
        return db
    }

    @Test("realised funding, realised pair return net of fees, and predictor error, by hand")
    func knownAnswers() async throws {
        let db = try await Self.prepare()
        defer { db.drop() }
        let until = Self.at(24)
        try await db.with(try db.readerURL) { conn in
            let iso = until.formatted(.iso8601)
            let realised = try await conn.jsonRows(
                "SELECT * FROM realised_funding(INTERVAL '1 day', 'BTC', NULL, '\(iso)')")
            let binance = realised.first { $0.string("dex") == "binance" }
            let hl = realised.first { $0.string("dex") == "hyperliquid" }
            #expect(realised.count == 2)
            // binance: 0.0001 + 0.0002 - 0.00005 = 0.00025 over 3 × 8 h = 24 h; APR 0.00025 / 24 × 8760 × 100 = 9.125 %;
            // per 8 h 0.00025 / 24 × 8 = 0.0000833…
            #expect(binance?.int("settlements") == 3 && binance?.double("hours_covered") == 24)
            #expect(close(binance?.double("realised_rate"), 0.00025))
            #expect(close(binance?.double("realised_apr"), 9.125))
            #expect(close(binance?.double("mean_rate_8h"), 0.00025 / 3))
            // hyperliquid: 24 × 0.00002 = 0.00048; APR 0.00048 / 24 × 876000 = 17.52 %; per 8 h 0.00016.
            #expect(hl?.int("settlements") == 24)
            #expect(close(hl?.double("realised_rate"), 0.00048))
            #expect(close(hl?.double("realised_apr"), 17.52))
            #expect(close(hl?.double("mean_rate_8h"), 0.00016))

            let pairs = try await conn.jsonRows(
                "SELECT * FROM realised_pair_returns(INTERVAL '1 day', 'BTC', 'taker', '\(iso)')")
            #expect(pairs.count == 2)
            // Long binance, short hyperliquid: 0.00048 - 0.00025 = 0.00023 earned; fees 2 × 0.0005 + 2 × 0.00035 =
            // 0.0017; net 0.00023 - 0.0017 = -0.00147; APR -0.00147 / 24 × 876000 = -53.655 %. Best first.
            let best = pairs.first
            #expect(best?.string("long_dex") == "binance" && best?.string("short_dex") == "hyperliquid")
            #expect(close(best?.double("funding_return"), 0.00023))
            #expect(close(best?.double("estimated_fees"), 0.0017))
            #expect(close(best?.double("net_return"), -0.00147))
            #expect(close(best?.double("net_apr"), -53.655))
            // The reverse: -0.00023 - 0.0017 = -0.00193; APR -70.445 %.
            #expect(close(pairs.last?.double("net_return"), -0.00193))
            #expect(close(pairs.last?.double("net_apr"), -70.445))

            let accuracy = try await conn.jsonRows(
                "SELECT * FROM predictor_accuracy(INTERVAL '1 day', NULL, '\(iso)')")
            // binance: T+8h against the T+7h50m sample (not T+7h): 0.00012 - 0.0001 = +0.00002; T+16h: 0.00015 -
            // 0.0002 = -0.00005; T+24h: -0.00005 - -0.00005 = 0. Mean |e| 0.00007 / 3, mean e -0.00003 / 3, max 0.00005.
            let b = accuracy.first { $0.string("dex") == "binance" }
            #expect(b?.int("settlements") == 3)
            #expect(close(b?.double("mean_abs_error"), 0.00007 / 3))
            #expect(close(b?.double("mean_signed_error"), -0.00001))
            #expect(close(b?.double("mean_abs_error_8h"), 0.00007 / 3))
            #expect(close(b?.double("max_abs_error"), 0.00005))
            // hyperliquid: only T+1h has a sample within the hour before it (T+30m): 0.00003 - 0.00002 = 0.00001,
            // per 8 h 0.00008.
            let h = accuracy.first { $0.string("dex") == "hyperliquid" }
            #expect(h?.int("settlements") == 1)
            #expect(close(h?.double("mean_abs_error"), 0.00001))
            #expect(close(h?.double("mean_abs_error_8h"), 0.00008))

            let byDex = try await conn.jsonRows("SELECT * FROM predictor_accuracy_by_dex(INTERVAL '1 day', '\(iso)')")
            #expect(byDex.map { $0.string("dex") } == ["binance", "hyperliquid"])
            #expect(byDex.first?.int("markets") == 1 && byDex.first?.int("settlements") == 3)
            #expect(close(byDex.first?.double("mean_signed_error"), -0.00001))

            let bad = try? await conn.jsonRows("SELECT * FROM realised_pair_returns(INTERVAL '1 day', 'BTC', 'both')")
            #expect(bad == nil)  // fee_type must be maker or taker
        }
    }

    @Test("the HTTP routes on the same data: settlements (JSON and CSV), realised funding and pair returns over 7 days, predictor accuracy, backfill status, and their validation")
    func routes() async throws {
        let db = try await Self.prepare()
        defer { db.drop() }
        try await withRouter(db) { client, _ in
            let from = Int(Self.at(0).timeIntervalSince1970), to = Int(Self.at(25).timeIntervalSince1970)
            let history = try await client.call("/api/v1/history/settlements/binance/BTC?start_time=\(from)&end_time=\(to)")
            #expect(history.status == .ok)
            let settlements = try history.json["settlements"] as? [[String: Any]] ?? []
            #expect(settlements.count == 3)
            // 0.0001 per 8 h at T+8h: rate_8h 0.0001, APR 0.0001 / 8 × 876000 = 10.95 %.
            #expect(double(settlements.first?["funding_rate"]) == 0.0001)
            #expect(close(double(settlements.first?["apr"]), 10.95))
            #expect(settlements.first?["dex_symbol"] as? String == "BTCUSDT")
            let csv = try await client.call("/api/v1/history/settlements/binance/BTC?start_time=\(from)&end_time=\(to)&format=csv")
            #expect(csv.status == .ok)
            let lines = csv.text.split(separator: "\n")
            #expect(lines.count == 4 && lines.first?.hasPrefix("dex,symbol,dex_symbol,quote,funding_time,funding_rate") == true)
            #expect(lines.dropFirst().first?.hasPrefix("binance,BTC,BTCUSDT,USDT,") == true)

            #expect(try await client.call("/api/v1/history/settlements/nope/BTC").status == .notFound)
            #expect(try await client.call("/api/v1/history/settlements/binance/BTC?period=2w").status == .badRequest)
            #expect(try await client.call("/api/v1/history/settlements/binance/BTC?start_time=2020-01-01T00:00:00Z").status
                    == .badRequest)  // more than 400 days
            #expect(try await client.call("/api/v1/realised-funding?period=90d").status == .badRequest)
            #expect(try await client.call("/api/v1/realised-pair-returns?fee_type=both").status == .badRequest)
            #expect(try await client.call("/api/v1/predictor-accuracy?dex=nope").status == .notFound)

            // Over 7 days (168 h): binance 0.00025 → APR 0.00025 / 168 × 876000 = 1.303571428… %.
            let realised = try await client.call("/api/v1/realised-funding?symbol=BTC&dex=binance&period=7d")
            let market = (try realised.json["markets"] as? [[String: Any]])?.first
            #expect(close(double(market?["realised_rate"]), 0.00025))
            #expect(close(double(market?["realised_apr"]), 0.00025 / 168 * 876_000))
            // Long binance, short hyperliquid: net -0.00147 over 168 h → -0.00147 / 168 × 876000 = -7.665 %.
            let pairs = try await client.call("/api/v1/realised-pair-returns?symbol=BTC&period=7d&limit=1")
            let best = (try pairs.json["pairs"] as? [[String: Any]]) ?? []
            #expect(best.count == 1)
            #expect(best.first?["long_dex"] as? String == "binance" && best.first?["short_dex"] as? String == "hyperliquid")
            #expect(close(double(best.first?["net_return"]), -0.00147))
            #expect(close(double(best.first?["net_apr"]), -7.665))
            let accuracy = try await client.call("/api/v1/predictor-accuracy?dex=binance&period=7d")
            let dexes = (try accuracy.json["dexes"] as? [[String: Any]]) ?? []
            #expect(dexes.count == 1)
            #expect(close(double(dexes.first?["mean_signed_error"]), -0.00001))
            #expect(((try accuracy.json["markets"] as? [[String: Any]]) ?? []).count == 1)
            let backfill = try await client.call("/api/v1/backfill")
            let rows = (try backfill.json["dexes"] as? [[String: Any]]) ?? []
            let binance = rows.first { $0["dex"] as? String == "binance" }
            #expect(binance?["markets_started"] as? Int == 1 && binance?["settlements"] as? Int == 3)
        }
    }

    @Test("funding_stats falls back to settlements when the samples are shorter than the window (by hand), and stays on samples otherwise")
    func statsFromSettlements() async throws {
        let db = try await Self.prepare()
        defer { db.drop() }
        // binance ETHUSDT (8 h): six settlements 8 h apart ending at the last 8 h boundary N0 <= now, oldest first
        // 0.0001, 0.0003, -0.0002, 0.0004, 0.0002, 0.0001; one sample 0.0002 ten minutes ago (market_latest).
        let now = Date()
        let n0 = (now.timeIntervalSince1970 / 28_800).rounded(.down) * 28_800
        let rates = [0.0001, 0.0003, -0.0002, 0.0004, 0.0002, 0.0001]
        let times = (0..<6).map { Date(timeIntervalSince1970: n0 - Double(5 - $0) * 28_800) }
        try await db.withClient(try db.writerURL) { client in
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(snapshots: [
                MarketSnapshot(dex: "binance", dexSymbol: "ETHUSDT", symbol: "ETH", quote: "USDT",
                               time: now.addingTimeInterval(-600), fundingRate: 0.0002, fundingIntervalHours: 8,
                               markPrice: 3_000)], runs: [])
            try await SettlementStore(client: client, logger: TestDatabase.logger).apply(
                dex: "binance", dexSymbol: "ETHUSDT",
                settlements: zip(times, rates).map { SettledFunding(dexSymbol: "ETHUSDT", fundingTime: $0, fundingRate: $1,
                                                                     fundingIntervalHours: 8) },
                covered: times[0]..<now)
        }
        try await db.with(try db.readerURL) { conn in
            for window in ["7d", "30d"] {
                let row = try await conn.jsonRows("SELECT * FROM funding_stats('\(window)', 'ETH', 'binance')").first
                #expect(row?.string("stats_source") == "settlements", "\(window)")
                // n = 6 over 6 × 8 = 48 h; mean 0.0009 / 6 = 0.00015; deviations -0.5, 1.5, -3.5, 2.5, 0.5, -0.5 (×1e-4),
                // squares sum 21.5e-8, / 5 = 4.3e-8: stddev sqrt(4.3e-8) = 0.000207364…
                #expect(row?.int("sample_count") == 6 && row?.int("hours") == 48)
                #expect(close(row?.double("mean_rate"), 0.00015))
                let sd = (4.3e-8 as Double).squareRoot()
                #expect(close(row?.double("stddev_rate"), sd))
                #expect(close(row?.double("min_rate"), -0.0002) && close(row?.double("max_rate"), 0.0004))
                // Sorted -2, 1, 1, 2, 3, 4 (×1e-4): p25 at 1.25 → 0.0001; median at 2.5 → 0.00015; p75 at 3.75 →
                // 0.0002 + 0.75 × 0.0001 = 0.000275. Five of six positive.
                #expect(close(row?.double("p25_rate"), 0.0001) && close(row?.double("median_rate"), 0.00015))
                #expect(close(row?.double("p75_rate"), 0.000275))
                #expect(close(row?.double("positive_share"), 5.0 / 6))
                // Per 8 h 0.00015 (already 8-hourly); APR 0.00015 / 8 × 876000 = 16.425 %.
                #expect(close(row?.double("mean_rate_8h"), 0.00015))
                #expect(close(row?.double("mean_apr"), 16.425))
                // Current 0.0002: z = (0.0002 - 0.00015) / sd = 0.241121…; 4 of 6 settled rates <= 0.0002 → 66.67 %.
                #expect(close(row?.double("zscore_30d"), 0.00005 / sd))
                #expect(close(row?.double("percentile_30d"), 400.0 / 6))
                #expect(close(row?.double("current_rate"), 0.0002))
            }
            // 1d: the settlements at N0 - 16 h, N0 - 8 h and N0 (all within 24 h; N0 - 24 h is not): 0.0004, 0.0002,
            // 0.0001, mean 0.0007 / 3.
            let day = try await conn.jsonRows("SELECT * FROM funding_stats('1d', 'ETH', 'binance')").first
            #expect(day?.string("stats_source") == "settlements")
            #expect(day?.int("sample_count") == 3)
            #expect(close(day?.double("mean_rate"), 0.0007 / 3))
        }
        // BTC's samples start before its settlements (binance T+7h vs T+8h, hyperliquid T+30m vs T+1h): samples. They
        // are two days old, so in the 1h rollup once it is refreshed (as the daemon does on its schedule).
        try await db.with(try db.ownerURL) { conn in try await conn.exec("CALL refresh_rollups()") }
        try await db.with(try db.readerURL) { conn in
            let btc = try await conn.jsonRows("SELECT dex, stats_source, first_bucket, sample_count FROM funding_stats('7d', 'BTC')")
            #expect(btc.count == 2 && btc.allSatisfy { $0.string("stats_source") == "samples" }, "\(btc)")
        }
    }

    @Test("opportunities with realised_period: each pair carries its legs' settled funding over the period, net of the round trip (by hand)")
    func opportunitiesRealised() async throws {
        let db = try await Self.prepare()
        defer { db.drop() }
        // Fresh samples so both markets are live legs: binance 0.0001 per 8 h, hyperliquid 0.00005 per 1 h (0.0004 per
        // 8 h), volumes large enough for the default volume floor.
        try await db.withClient(try db.writerURL) { client in
            let now = Date()
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(snapshots: [
                MarketSnapshot(dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", quote: "USDT", time: now,
                               fundingRate: 0.0001, fundingIntervalHours: 8, markPrice: 100_000, volume24hUSD: 1e9),
                MarketSnapshot(dex: "hyperliquid", dexSymbol: "BTC", symbol: "BTC", quote: "USDC", time: now,
                               fundingRate: 0.00005, fundingIntervalHours: 1, markPrice: 100_000, volume24hUSD: 1e9),
            ], runs: [])
        }
        try await withRouter(db) { client, _ in
            // First without the period: the prepared statement is then parsed with a NULL $25, and the next call's
            // value must still bind (an Int, int8, against the server's inferred int4 did not: a 500).
            #expect(try await client.call("/api/v1/opportunities?symbol=BTC&min_profit=-1").status == .ok)
            let answer = try await client.call("/api/v1/opportunities?symbol=BTC&realised_period=7d&min_profit=-1")
            #expect(answer.status == .ok)
            let rows = (try answer.json["opportunities"] as? [[String: Any]]) ?? []
            let pair = rows.first { $0["long_dex"] as? String == "binance" && $0["short_dex"] as? String == "hyperliquid" }
            // Over 7 days: binance's three settlements sum to 0.00025, hyperliquid's 24 to 0.00048; the pair earned
            // 0.00048 - 0.00025 = 0.00023, less 2 × 0.0005 + 2 × 0.00035 = 0.0017 of fees: -0.00147; per year over
            // 168 h: -0.00147 / 168 × 876000 = -7.665 %.
            #expect(close(double(pair?["long_realised"]), 0.00025) && close(double(pair?["short_realised"]), 0.00048))
            #expect(pair?["long_settlements"] as? Int == 3 && pair?["short_settlements"] as? Int == 24)
            #expect(close(double(pair?["realised_funding_return"]), 0.00023))
            #expect(close(double(pair?["realised_net_return"]), -0.00147))
            #expect(close(double(pair?["realised_net_apr"]), -7.665))
            #expect((try answer.json["filters_applied"] as? [String: Any])?["realised_period"] as? String == "7d")

            // Sorting by a realised column without a period uses 7 days; ascending puts the reverse pair (-0.00193) first.
            let sorted = try await client.call("/api/v1/opportunities?symbol=BTC&min_profit=-1&min_divergence=-1&sort_by=realised_net_return&sort_desc=false")
            let first = ((try sorted.json["opportunities"] as? [[String: Any]]) ?? []).first
            #expect(first?["long_dex"] as? String == "hyperliquid")
            #expect(close(double(first?["realised_net_return"]), -0.00193))
            // Without realised_period the columns are null, and a bad period is a 400 naming it.
            let plain = try await client.call("/api/v1/opportunities?symbol=BTC&min_profit=-1")
            #expect(((try plain.json["opportunities"] as? [[String: Any]]) ?? []).first?["realised_net_return"] is NSNull)
            let bad = try await client.call("/api/v1/opportunities?realised_period=2d")
            #expect(bad.status == .badRequest && bad.text.contains("realised_period"))
        }
    }

    @Test("realised_funding over whole days from settlement_days plus raw edges equals the sums over the raw settlements, for windows starting and ending mid-day; a corrected page recounts its days")
    func dayRollupMatchesRaw() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.withClient(try db.writerURL) { client in
            try await writeETHMarkets(client)
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            // 30 days of settlements on both grids (8 h and 1 h), then one page corrected: Binance's settlements of
            // the last 3 days at twice the rate.
            let demo = DemoSettlements(url: try db.writerURL, dexes: ["binance", "hyperliquid"], logger: TestDatabase.logger)
            _ = try await demo.fill(store, done: [])
            let now = Date()
            let corrected = FundingGrid.times(from: now.addingTimeInterval(-3 * 86_400), to: now, intervalHours: 8).map {
                SettledFunding(dexSymbol: "ETHUSDT", fundingTime: $0, fundingRate: 0.0002, fundingIntervalHours: 8)
            }
            #expect(try await store.apply(dex: "binance", dexSymbol: "ETHUSDT", settlements: corrected,
                                          covered: now.addingTimeInterval(-3 * 86_400)..<now) == corrected.count)
        }
        try await db.with(try db.readerURL) { conn in
            // The day rows are exactly the raw rows grouped by UTC day, after the correction too.
            let drift = try await conn.scalar("""
                SELECT count(*)::int FROM settlement_days d FULL JOIN (
                    SELECT market_id, date_trunc('day', funding_time, 'UTC') AS day, count(*)::int AS n,
                           sum(funding_rate) AS r, sum(funding_interval_hours) AS h
                    FROM funding_settlements GROUP BY 1, 2) x ON x.market_id = d.market_id AND x.day = d.day
                WHERE x.n IS DISTINCT FROM d.settlements OR abs(x.r - d.rate_sum) > 1e-12 OR x.h IS DISTINCT FROM d.hours
                """, as: Int.self)
            #expect(drift == 0)
            // Windows that start and end mid-day, one inside a day, one across a midnight, one ending at midnight.
            let windows: [(window: String, until: String)] = [
                ("1 day 12 hours", "now() - interval '3 hours'"), ("3 days 7 hours", "now() - interval '26 hours'"),
                ("30 days", "now()"), ("20 hours", "now() - interval '5 hours'"),
                ("5 hours", "date_trunc('day', now(), 'UTC') + interval '2 hours'"),
                ("7 days", "date_trunc('day', now(), 'UTC')")]
            for w in windows {
                let mismatches = try await conn.scalar(PostgresQuery(unsafeSQL: """
                    WITH p AS (SELECT interval '\(w.window)' AS win, \(w.until) AS until),
                    r AS (SELECT x.* FROM p, realised_funding(p.win, 'ETH', NULL, p.until) x),
                    raw AS (
                        SELECT m.dex_symbol, count(*)::int AS n, sum(f.funding_rate) AS rate, sum(f.funding_interval_hours) AS hours,
                               min(f.funding_time) AS first, max(f.funding_time) AS last
                        FROM p, funding_settlements f JOIN markets m ON m.id = f.market_id
                        WHERE f.funding_time > p.until - p.win AND f.funding_time <= p.until GROUP BY m.dex_symbol)
                    SELECT count(*)::int FROM r FULL JOIN raw ON raw.dex_symbol = r.dex_symbol
                    WHERE raw.n IS DISTINCT FROM r.settlements OR abs(raw.rate - r.realised_rate) > 1e-12
                       OR raw.hours IS DISTINCT FROM r.hours_covered OR raw.first IS DISTINCT FROM r.first_funding_time
                       OR raw.last IS DISTINCT FROM r.last_funding_time OR raw.n IS NULL OR r.settlements IS NULL
                    """), as: Int.self)
                #expect(mismatches == 0, "window \(w)")
            }
            // And the windows were not empty: 30 days hold 90 + 720 settlements (one may have left the window since).
            let total = try await conn.scalar("SELECT sum(settlements)::int FROM realised_funding(interval '30 days', 'ETH')",
                                              as: Int.self)
            #expect((808...810).contains(total ?? 0))
            // A window that is not positive is refused, rows or not.
            for bad in ["SELECT * FROM realised_funding(interval '0 hours', 'ETH')",
                        "SELECT * FROM realised_funding(interval '-1 day', 'NOSUCH')"] {
                #expect(await SettlementsTests.sqlState { _ = try await conn.jsonRows(bad) } == "22023", "\(bad)")
            }
        }
    }
}
