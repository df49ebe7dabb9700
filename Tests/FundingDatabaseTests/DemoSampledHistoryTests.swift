import Foundation
@testable import FundingApp
import FundingCore
import FundingStore
import Testing

@Suite("Demo sampled history: the market page's charts full at once", .timeLimit(.minutes(5)))
struct DemoSampledHistoryTests {
    @Test("the schedule: every 4 h on the UTC grid back to 30 days less an hour, hourly over the last 48 h, before the first sample")
    func schedule() {
        let schedule = DemoSampledHistory.Schedule()
        // 2026-12-03T10:37:00Z.
        let now = Date(timeIntervalSince1970: 1_796_294_220)
        let times = schedule.times(now: now, until: now).map(\.timeIntervalSince1970)
        // 4-hourly from 2026-11-03T12:00 (the first 4 h slot after 30 days less an hour back, 11:37) to
        // 2026-12-01T08:00: 168; hourly from 2026-12-01T11:00 (the first hour within 48 h) to 10:00 today: 48.
        #expect(times.count == 168 + 48)
        #expect(times.first == 1_793_707_200)  // 2026-11-03T12:00
        #expect(times.last == 1_796_292_000)  // 10:00
        #expect(times.allSatisfy { $0.truncatingRemainder(dividingBy: 3_600) == 0 })
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 > $0 })
        let hourly = times.filter { $0 > 1_796_294_220 - 48 * 3_600 }
        #expect(hourly.count == 48)
        let older = times.filter { $0 <= 1_796_294_220 - 48 * 3_600 }
        #expect(older.allSatisfy { $0.truncatingRemainder(dividingBy: 14_400) == 0 })
        #expect(older.count == 168)
        // Until a first sample 3 days ago: only the older ones before it; none when it is older than 30 days.
        #expect(schedule.times(now: now, until: now.addingTimeInterval(-3 * 86_400)).allSatisfy {
            $0.timeIntervalSince1970 < 1_796_294_220 - 3 * 86_400
        })
        #expect(schedule.times(now: now, until: now.addingTimeInterval(-31 * 86_400)).isEmpty)
    }

    @Test("after seeding, the market page's history reads for BTC (30d, 7d, 1d) return a full series whose values at a sampled time are the model's; a second fill writes nothing")
    func seeded() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let market = try DemoMarket(catalog: fixtureCatalog)
        let shapes = DemoShapes(market: market, catalog: fixtureCatalog)
        let history = DemoSampledHistory(url: try db.writerURL, dexes: ["binance", "hyperliquid", "okx"], shapes: shapes,
                                         batchRows: 100, logger: TestDatabase.logger)
        let now = Date()
        let firstSample = now.addingTimeInterval(-60)
        try await db.withClient(try db.writerURL) { client in
            // The first cycle: BTC on Binance (8 h) and Hyperliquid (1 h), and a market the demo does not model.
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(snapshots: [
                MarketSnapshot(dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", quote: "USDT", time: firstSample,
                               fundingRate: 0.0001, fundingIntervalHours: 8, markPrice: 90_000),
                MarketSnapshot(dex: "hyperliquid", dexSymbol: "BTC", symbol: "BTC", quote: "USDC", time: firstSample,
                               fundingRate: 0.00001, fundingIntervalHours: 1, markPrice: 90_000),
                MarketSnapshot(dex: "hyperliquid", dexSymbol: "xyz:TSLA", symbol: "TSLA", quote: "USDC", time: firstSample,
                               fundingRate: 0.00001, fundingIntervalHours: 1, markPrice: 400),
            ], runs: [])
            let seeded = DemoSampledHistory.Schedule().times(now: now, until: firstSample).count
            // OKX (a demo venue) has no markets yet: a fill waiting for every venue writes nothing.
            #expect(try await history.fill(client, now: now, waitForEveryVenue: true) == nil)
            let first = try #require(try await history.fill(client, now: now))
            #expect(first.markets == 2)
            #expect(first.rows == 2 * seeded)
            // A restarted demo: every market has its samples back there already.
            let again = try #require(try await history.fill(client, now: now.addingTimeInterval(30)))
            #expect(again.rows == 0 && again.markets == 0)
        }

        let times = DemoSampledHistory.Schedule().times(now: now, until: firstSample)
        // A 4-hourly sample 10 days back, an hourly one 5 hours back, the newest one (in the raw 1 d window).
        let older = try #require(times.last { $0 < now.addingTimeInterval(-10 * 86_400) })
        let hourly = try #require(times.last { $0 < now.addingTimeInterval(-5 * 3_600) })
        let newest = try #require(times.last)
        try await withRouter(db) { client, _ in
            for (dex, dexSymbol, interval, share) in [("binance", "BTCUSDT", 8.0, 1.0), ("hyperliquid", "BTC", 1.0, 0.4)] {
                for (period, at, expectedInterval) in [("30d", older, "1h"), ("7d", hourly, "1h"), ("1d", newest, "raw")] {
                    let answer = try await client.call("/api/v1/history/funding-rates/\(dex)/BTC?period=\(period)")
                    #expect(answer.status == .ok, "\(answer.text.prefix(300))")
                    let json = try answer.json
                    #expect(json["interval"] as? String == expectedInterval)
                    #expect(json["dex_symbol"] as? String == dexSymbol)
                    let points = (json["data"] as? [[String: Any]] ?? []).filter { $0["dex_symbol"] as? String == dexSymbol }
                    // Full: every seeded time in the window (one bucket each) and the first cycle's sample (its
                    // own hour bucket, or the last seeded hour's).
                    let window = now.addingTimeInterval(-(HistoryPeriods.seconds[period] ?? 0))
                    let inWindow = times.filter { $0 >= window }
                    let bucket = { (d: Date) in
                        expectedInterval == "raw" ? d : Date(timeIntervalSince1970: (d.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600)
                    }
                    let expected = Set(inWindow.map(bucket) + [bucket(firstSample)]).count
                    #expect(points.count == expected, "\(dex) \(period): \(points.count) points, \(expected) expected")
                    // The values at the sampled time are the model's there.
                    let point = try #require(points.first { parseTime($0["time"]) == at }, "\(dex) \(period) at \(at)")
                    let q = market.quote(market.assets[0], dex: dex, share: share, intervalHours: interval, at: at)
                    #expect(close(double(point["mark_price"]), q.mark, relative: 1e-12), "\(dex) \(period) mark")
                    #expect(close(double(point["open_interest_usd"]), q.openInterestUSD, relative: 1e-12), "\(dex) \(period) OI")
                    #expect(close(double(point["volume_24h_usd"]), q.volume24hUSD, relative: 1e-12), "\(dex) \(period) volume")
                    #expect(close(double(point["funding_rate"]), q.rate, relative: 1e-12), "\(dex) \(period) rate")
                    #expect(close(double(point["rate_8h"]), q.rate / interval * 8, relative: 1e-12), "\(dex) \(period) rate 8h")
                    #expect(double(point["funding_interval_hours"]) == interval)
                }
            }
        }
    }
}

/// The history route's period lengths.
enum HistoryPeriods {
    static let seconds: [String: TimeInterval] = ["1d": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400]
}

/// An API time (`2026-12-03T10:00:00Z`, with or without fractional seconds).
func parseTime(_ value: Any?) -> Date? {
    guard let text = value as? String else { return nil }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
}
