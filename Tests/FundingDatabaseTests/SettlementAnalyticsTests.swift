import Foundation
import FundingAPI
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
}
