import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings (`Tests/Fixtures/hibachi/SOURCE.md`): `inventory.json` (live 2026-09-13, trimmed by its source to 6
/// markets: 5 live, FARTCOIN/USDT-P closed), `funding_rates_BTC.json` (BTC settlements 19:00–22:00 UTC that day,
/// 3,600 s apart) and `funding_rates_BTC_2025-07.json` (one row of the 8 h era).
@Suite struct HibachiAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_789_338_600)  // 2026-09-13T22:30:00Z

    func parsed(history: String = "funding_rates_BTC.json") throws -> VenueFetchResult {
        try HibachiAdapter.parse(
            inventory: Fixtures.data("hibachi", "inventory.json"), fundingHistory: Fixtures.data("hibachi", history),
            now: Self.now)
    }

    func market(_ symbol: String) throws -> MarketSnapshot {
        try #require(try parsed().snapshots.first { $0.dexSymbol == symbol })
    }

    @Test func btc() throws {
        let s = try market("BTC/USDT-P")
        #expect(s.dex == "hibachi" && s.symbol == "BTC" && s.quote == "USDT" && s.multiplier == 1 && s.margin == .linear)
        // newest settlements 1789336800 − 1789333200 = 3,600 s → 1 h; estimatedFundingRate "0.000006" per 1 h
        #expect(s.fundingRate == 0.000006 && s.fundingIntervalHours == 1 && s.rate1h == 0.000006)
        #expect(s.predictedRate == nil)
        #expect(s.markPrice == 76763.73316 && s.indexPrice == 76758.93936)  // markPrice, spotPrice
        #expect(s.bestBid == 76767.9 && s.bestAsk == 76768.9)
        // openInterestQuantity 9.1104214497 BTC × 76763.73316 = 699,349.961139911162052 USD
        #expect(s.openInterestBase == 9.1104214497)
        #expect(abs(s.openInterestUSD! - 699_349.961139911) < 1e-6)
        #expect(s.volume24hUSD == 7_503_062.407919)  // USDT notional
        // newest settlement 22:00:00Z + 1 h = 23:00:00Z, the first slot after 22:30
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_789_340_400))
        #expect(s.time == Self.now)
    }

    @Test func anFXMarket() throws {
        let s = try market("EUR/USDT-P")
        #expect(s.symbol == "EUR" && s.quote == "USDT" && s.multiplier == 1)
        #expect(s.fundingRate == -0.000006 && s.fundingIntervalHours == 1 && s.rate1h == -0.000006)
        #expect(s.markPrice == 1.159014792 && s.indexPrice == 1.159125)
        #expect(s.bestBid == 1.15892 && s.bestAsk == 1.15893)
        // 178,169.73486 EUR × 1.159014792 = 206,501.35818945804912 USD
        #expect(abs(s.openInterestUSD! - 206_501.358189458) < 1e-6)
        #expect(s.volume24hUSD == 132_937.241418)
    }

    @Test func everyMarketParsesOrIsSkippedOnPurpose() throws {
        let result = try parsed()
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC/USDT-P", "ETH/USDT-P", "EUR/USDT-P", "PAXG/USDT-P", "XAG/USDT-P"])
        // FARTCOIN/USDT-P: status CLOSED (marketCloseTimestamp set), every info number null
        #expect(result.excluded == [.delisted: 1])
        #expect(result.dropped.isEmpty && result.failedRequests.isEmpty && result.degraded.isEmpty)
    }

    @Test func noIntervalIsGuessed() throws {
        // the 2025-07 history has one settlement: no spacing, so every live market is dropped
        let result = try parsed(history: "funding_rates_BTC_2025-07.json")
        #expect(result.snapshots.isEmpty)
        #expect(result.dropped == [.missingFundingInterval: 5] && result.excluded == [.delisted: 1])
    }

    @Test func anEightHourSpacing() throws {
        // two settlements of the 8 h era (00:00 and 08:00 UTC, 2025-07-26), in any order
        let history = Data(#"{"data":[{"fundingTimestamp":1753516800,"fundingRate":"0.0001"},{"fundingTimestamp":1753488000,"fundingRate":"0.000137"}]}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_753_520_400)  // 09:00Z
        let result = try HibachiAdapter.parse(inventory: Fixtures.data("hibachi", "inventory.json"),
                                              fundingHistory: history, now: now)
        let btc = try #require(result.snapshots.first)
        // 1753516800 − 1753488000 = 28,800 s = 8 h; 0.000006 per 8 h = 0.00000075 per hour
        #expect(btc.fundingIntervalHours == 8 && abs(btc.rate1h - 0.00000075) < 1e-18)
        // next slot after 09:00Z: 08:00Z + 8 h = 16:00Z
        #expect(btc.nextFundingTime == Date(timeIntervalSince1970: 1_753_545_600))
    }

    @Test func aMissedSettlementDoesNotWidenTheInterval() throws {
        // hourly settlements 20:00, 21:00 and 23:00Z (22:00 missing): the smallest spacing, 3,600 s, is the interval
        let history = Data(#"{"data":[{"fundingTimestamp":1757793600,"fundingRate":"0.0001"},{"fundingTimestamp":1757797200,"fundingRate":"0.0001"},{"fundingTimestamp":1757804400,"fundingRate":"0.0001"}]}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_757_805_000)  // 23:10Z
        let result = try HibachiAdapter.parse(inventory: Fixtures.data("hibachi", "inventory.json"),
                                              fundingHistory: history, now: now)
        let btc = try #require(result.snapshots.first)
        #expect(btc.fundingIntervalHours == 1)
        // next slot after 23:10Z: 23:00Z + 1 h = 00:00Z (1757804400 + 3600)
        #expect(btc.nextFundingTime == Date(timeIntervalSince1970: 1_757_808_000))
    }

    @Test func truncatedOrWrongTypedAnswers() throws {
        let inventory = try Fixtures.data("hibachi", "inventory.json")
        let history = try Fixtures.data("hibachi", "funding_rates_BTC.json")
        #expect(throws: VenuePayloadError.self) {
            try HibachiAdapter.parse(inventory: inventory.prefix(700), fundingHistory: history, now: Self.now)
        }
        let wrong = Data(String(decoding: inventory, as: UTF8.self)
            .replacingOccurrences(of: #""markPrice": "76763.73316""#, with: #""markPrice": ["76763.73316"]"#).utf8)
        #expect(throws: VenuePayloadError.self) {
            try HibachiAdapter.parse(inventory: wrong, fundingHistory: history, now: Self.now)
        }
        // an unreadable history answer: reported, and no interval for any market
        let result = try HibachiAdapter.parse(inventory: inventory, fundingHistory: history.prefix(100), now: Self.now)
        #expect(result.snapshots.isEmpty && result.dropped == [.missingFundingInterval: 5])
        #expect(result.failedRequests.map(\.request) == ["GET /market/data/funding-rates?symbol=BTC/USDT-P"])
    }

    @Test func fetchThroughTheRecordings() async throws {
        let result = try await HibachiAdapter().fetch(
            client: Fixtures.client("hibachi"), baseURL: HibachiAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.count == 5 && result.problems.isEmpty)
        // the history request asks for the last two days of BTC settlements, in seconds
        #expect(HibachiAdapter.historyPath(now: Self.now)
                == "/market/data/funding-rates?symbol=BTC%2FUSDT-P&startTime=1789165800&endTime=1789338600&limit=100")
    }

    @Test func aFailedHistoryRequestLosesTheLiveMarkets() async throws {
        let result = try await HibachiAdapter().fetch(
            client: RecordingsWithOutage(dex: "hibachi", failing: ["/market/data/funding-rates"]),
            baseURL: HibachiAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.isEmpty && result.dropped.isEmpty && result.excluded == [.delisted: 1])
        #expect(result.failedRequests.map(\.marketsLost) == [5])
        #expect(result.problems.map(\.description) == [
            "GET /market/data/funding-rates?symbol=BTC/USDT-P failed (timed out waiting for "
                + "https://data-api.hibachi.xyz/market/data/funding-rates?symbol=BTC%2FUSDT-P&startTime=1789165800"
                + "&endTime=1789338600&limit=100), 5 markets lost",
        ])
    }
}
