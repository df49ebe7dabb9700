import Foundation
@testable import FundingApp
import FundingCore
import FundingIngest
import FundingStore
import PostgresNIO
import Testing

@Suite("Demo venues: next funding times")
struct DemoVenuesTests {
    /// 2024-12-07 19:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_733_598_000)

    @Test("a past next funding time moves to the first slot of its grid after now, in its own unit and quoting")
    func rollsForward() {
        let body = """
            [{"nextFundingTime": 1732723200000, "fundingTime": 1732723200000},
             {"nextFundingTime":"1732723200000"}, {"funding_next_apply": 1610035200},
             {"next_funding_time": "1733590800000000000"}, {"next_funding_time": "1764777600000000000"},
             {"nextFundingRateTime": 17752926}, {"nextSettleTime": 1732723200000},
             {"fundingTimestamp": "2024-11-25T04:00:00.000Z"}, {"nextFundingTimestamp": 1732723200000}]
            """
        let rolled = DemoVenues.rollForward(body, now: Self.now)
        // 1732723200 s is on the 8 h grid (60164 × 28800); now − t = 874800 s = 30.375 steps, so 31 steps:
        // 1732723200 + 31 × 28800 = 1733616000 (now + 5 h).
        #expect(rolled.contains(#"{"nextFundingTime": 1733616000000, "fundingTime": 1732723200000}"#))
        #expect(rolled.contains(#"{"nextFundingTime":"1733616000000"}"#))
        // Gate's seconds: 1610035200 = 55904 × 28800; 123562800 s behind = 4290.375 steps → 4291: 1733616000.
        #expect(rolled.contains(#"{"funding_next_apply": 1733616000}"#))
        // GRVT's nanoseconds, 2 h behind on a 1 h grid only (1733590800 / 14400 = 120388.25): 3 steps, now + 1 h.
        #expect(rolled.contains(#"{"next_funding_time": "1733601600000000000"}"#))
        // A time already in the future and KuCoin's duration (not a time) stay as they are.
        #expect(rolled.contains(#"{"next_funding_time": "1764777600000000000"}"#))
        #expect(rolled.contains(#"{"nextFundingRateTime": 17752926}"#))
        // MEXC's name for it, and BitMEX's ISO time: 2024-11-25T04:00Z = 1732507200 s, on the 4 h grid only
        // (1732507200 / 28800 = 60156.5, / 14400 = 120313); 1090800 s behind = 75.75 steps → 76:
        // 1732507200 + 76 × 14400 = 1733601600 = 2024-12-07T20:00:00Z.
        #expect(rolled.contains(#"{"nextSettleTime": 1733616000000}"#))
        #expect(rolled.contains(#"{"fundingTimestamp": "2024-12-07T20:00:00.000Z"}"#))
        // Backpack's name for it (ms): the same 8 h-grid time as the first, 31 steps → 1733616000000.
        #expect(rolled.contains(#"{"nextFundingTimestamp": 1733616000000}"#))
    }

    @Test("OKX's fundingTime and nextFundingTime move together: their difference (the interval) stays 8 h")
    func pairsMoveTogether() {
        let body = #"{"fundingRate":"0.0001","fundingTime":"1732723200000","instId":"BTC-USDT-SWAP","nextFundingTime":"1732752000000"}"#
        let rolled = DemoVenues.rollForward(body, now: Self.now)
        // fundingTime 1732723200 s is on the 8 h grid: 31 steps to 1733616000 (now + 5 h), a shift of 892800 s;
        // nextFundingTime 1732752000 + 892800 = 1733644800 (8 h later still).
        #expect(rolled == #"{"fundingRate":"0.0001","fundingTime":"1733616000000","instId":"BTC-USDT-SWAP","nextFundingTime":"1733644800000"}"#)
    }

    @Test("a body without next funding times is returned unchanged")
    func untouched() {
        let body = #"{"symbol":"BTCUSDT","lastFundingRate":"0.0001","time":1732723200000}"#
        #expect(DemoVenues.rollForward(body, now: Self.now) == body)
    }
}

@Suite("Demo settlements: 30 days on each market's grid", .timeLimit(.minutes(3)))
struct DemoSettlementsTests {
    @Test("the synthesised rate by hand, and the funding grid")
    func rateAndGrid() {
        // At the epoch: phase("ETH") = (69 + 84 + 72) % 360 = 225°, phase("binance:ETH") = (720 + 58 + 225) % 360 =
        // 283°; swing = 0.8 × sin 225° + 0.3 × sin 283° = -0.565685… - 0.292311… ; per 8 h 0.0001 × (1 - 0.857996…)
        // = 0.0000142004; per 1 h / 8. The pulse is nil: sin 283° < 0.
        let epoch = Date(timeIntervalSince1970: 0)
        let rate = DemoMarket.rate(dex: "binance", symbol: "ETH", at: epoch, intervalHours: 8)
        #expect(abs(rate - 0.0001 * (1 - 0.8 * 0.5.squareRoot() + 0.3 * sin(283 * Double.pi / 180))) < 1e-15)
        #expect(abs(rate - 0.0000142004) < 1e-10)
        #expect(abs(DemoMarket.rate(dex: "binance", symbol: "ETH", at: epoch, intervalHours: 1) - rate / 8) < 1e-15)
        // 01:30 to 17:00 on a 4 h grid: 04:00, 08:00, 12:00, 16:00.
        let times = FundingGrid.times(from: Date(timeIntervalSince1970: 5_400), to: Date(timeIntervalSince1970: 61_200),
                                      intervalHours: 4)
        #expect(times.map(\.timeIntervalSince1970) == [14_400, 28_800, 43_200, 57_600])
    }

    @Test("fill writes 30 days per market through settlements_apply, marks them fetched, skips done markets; funding_stats uses them")
    func fill() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.withClient(try db.writerURL) { client in
            try await writeETHMarkets(client)
            let demo = DemoSettlements(url: try db.writerURL, dexes: ["binance", "hyperliquid"],
                                       logger: TestDatabase.logger)
            let store = SettlementStore(client: client, logger: TestDatabase.logger)
            // 30 days: 90 funding times 8 h apart and 720 one hour apart.
            let first = try await demo.fill(store, done: [])
            #expect(first.written == 90 + 720)
            #expect(first.done == ["binance/ETHUSDT", "hyperliquid/ETH"])
            let again = try await demo.fill(store, done: first.done)
            #expect(again.written == 0)
            let markets = try await store.markets(dex: "binance")
            // Stored in microseconds: 30 days to within a millisecond.
            #expect(abs((markets.first?.covered.map { $0.upperBound.timeIntervalSince($0.lowerBound) } ?? 0) - 30 * 86_400) < 0.001)
        }
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("SELECT dex, sample_count, stats_source FROM funding_stats('30d', 'ETH') ORDER BY dex")
            #expect(rows.map { $0.string("stats_source") } == ["settlements", "settlements"])
            // The oldest funding time may fall out of the query's own 30 days if a grid slot passed in between.
            #expect((89...90).contains(rows.first?.int("sample_count") ?? 0))
            #expect((719...720).contains(rows.last?.int("sample_count") ?? 0))
        }
    }
}

/// Binance ETHUSDT (8 h) and Hyperliquid ETH (1 h), each with one current sample, as a first cycle creates them.
func writeETHMarkets(_ client: PostgresClient) async throws {
    try await CycleWriter(client: client, logger: TestDatabase.logger).write(snapshots: [
        MarketSnapshot(dex: "binance", dexSymbol: "ETHUSDT", symbol: "ETH", quote: "USDT", time: Date(),
                       fundingRate: 0.0001, fundingIntervalHours: 8),
        MarketSnapshot(dex: "hyperliquid", dexSymbol: "ETH", symbol: "ETH", quote: "USDC", time: Date(),
                       fundingRate: 0.00001, fundingIntervalHours: 1),
    ], runs: [])
}
