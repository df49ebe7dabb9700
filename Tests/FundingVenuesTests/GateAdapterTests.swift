import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Gate's recordings are docs examples: `contracts.json` holds one contract (`LAB_USDT`, quanto multiplier 100)
/// and `tickers.json` one ticker of another contract (`BTC_USDT`), so only LAB_USDT is stored.
@Suite(.timeLimit(.minutes(1))) struct GateAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func usdt() throws -> VenueFetchResult {
        try GateAdapter.parse(
            contracts: Fixtures.data("gate", "contracts.json"), tickers: Fixtures.data("gate", "tickers.json"), now: Self.now)
    }

    @Test func labUSDTWorkedByHand() throws {
        let s = try #require(try usdt().snapshots.first)
        #expect(s.dex == "gate" && s.dexSymbol == "LAB_USDT" && s.symbol == "LAB" && s.quote == "USDT")
        #expect(s.margin == .linear && s.multiplier == 1)
        #expect(s.time == Self.now)
        // funding_rate "0.002053" per funding_interval 28800 s = 8 h; 0.002053 / 8 = 0.000256625 per hour
        #expect(s.fundingRate == 0.002053)
        #expect(s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.000256625) < 1e-15)
        #expect(s.predictedRate == 0.000219)
        // funding_next_apply 1610035200 is Unix seconds (2021-01-07T16:00:00Z)
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_610_035_200))
        #expect(s.markPrice == 37985.6 && s.indexPrice == 37954.92)
        // position_size "40177.8" contracts × quanto_multiplier "100" = 4,017,780 LAB
        #expect(abs(s.openInterestBase! - 4_017_780) < 1e-6)
        // 4,017,780 × 37985.6 = 152,675,640,000 − 4,017,780 × 14.4 (57,856,032) = 152,617,783,968 USD
        #expect(abs(s.openInterestUSD! - 152_617_783_968) < 1e-3)
        // no ticker row for LAB_USDT in the recording: no bid/ask/volume (contracts' trade_size is not 24 h)
        #expect(s.volume24hUSD == nil && s.bestBid == nil && s.bestAsk == nil)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func tickerFieldsJoinByContract() throws {
        // The recorded BTC_USDT ticker, joined to a contract row of the same name (the LAB_USDT row renamed).
        let contracts = String(decoding: try Fixtures.data("gate", "contracts.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"LAB_USDT\"", with: "\"BTC_USDT\"")
        let result = try GateAdapter.parse(
            contracts: Data(contracts.utf8), tickers: Fixtures.data("gate", "tickers.json"), now: Self.now)
        let s = try #require(result.snapshots.first)
        #expect(s.symbol == "BTC")
        // highest_bid "34089.7", lowest_ask "34217.9"; volume_24h_quote "184040233284" USDT
        #expect(s.bestBid == 34089.7 && s.bestAsk == 34217.9)
        #expect(s.volume24hUSD == 184_040_233_284)
        #expect(result.excluded.isEmpty && result.dropped.isEmpty && result.failedRequests.isEmpty && result.degraded.isEmpty)
    }

    @Test func everyRecordedRowParsesOrIsCounted() throws {
        let result = try usdt()
        #expect(result.snapshots.map(\.dexSymbol) == ["LAB_USDT"])
        // the BTC_USDT ticker has no contract row; LAB_USDT has no ticker row (kept without book top and volume)
        #expect(result.dropped == [.unknownMarket: 1])
        #expect(result.degraded == [.bookTop: 1, .volume: 1])
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await GateAdapter().fetch(
            client: Fixtures.client("gate"), baseURL: GateAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["LAB_USDT"])
        // settle btc was not recorded (HTTP 404 from the fixture client): only its markets are lost
        #expect(result.dropped == [.unknownMarket: 1])
        #expect(result.failedRequests.map(\.request) == ["GET /api/v4/futures/btc/contracts"])
    }

    @Test func aFailedTickersAnswerKeepsTheMarkets() throws {
        let result = try GateAdapter.parse(
            contracts: Fixtures.data("gate", "contracts.json"), tickers: Optional<Data>.none, now: Self.now)
        #expect(result.snapshots.count == 1)
        #expect(result.degraded == [.bookTop: 1, .volume: 1])
        #expect(result.dropped.isEmpty)
    }

    @Test func truncatedOrWrongTypedPayloadThrows() throws {
        let whole = try Fixtures.data("gate", "contracts.json")
        #expect(throws: VenuePayloadError.self) {
            try GateAdapter.parse(contracts: whole.prefix(300), tickers: Optional<Data>.none, now: Self.now)
        }
        let wrong = String(decoding: whole, as: UTF8.self)
            .replacingOccurrences(of: "\"funding_interval\": 28800", with: "\"funding_interval\": \"eight hours\"")
        #expect(throws: VenuePayloadError.self) {
            try GateAdapter.parse(contracts: Data(wrong.utf8), tickers: Optional<Data>.none, now: Self.now)
        }
    }
}
