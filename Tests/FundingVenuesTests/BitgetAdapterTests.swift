import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Bitget's recordings are docs examples of different product types: USDT-FUTURES funding (BTCUSDT, 2025 shape
/// with the interval), COIN-FUTURES tickers (BTCUSD perpetual and the dated ETHUSD_231229).
@Suite(.timeLimit(.minutes(1))) struct BitgetAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func btcUSDTFundingWorkedByHand() throws {
        let result = try BitgetAdapter.parse(
            funding: Fixtures.data("bitget", "current-fund-rate-2025.json"), tickers: Optional<Data>.none,
            productType: "USDT-FUTURES", now: Self.now)
        let s = try #require(result.snapshots.first)
        #expect(s.dexSymbol == "BTCUSDT" && s.symbol == "BTC" && s.quote == "USDT" && s.margin == .linear)
        // fundingRate "0.000068" per fundingRateInterval "8" hours; 0.000068 / 8 = 0.0000085 per hour
        #expect(s.fundingRate == 0.000068 && s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.0000085) < 1e-15)
        // nextUpdate "1743062400000" ms = 2025-03-27T08:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_743_062_400))
        #expect(s.markPrice == nil && s.openInterestBase == nil)
        #expect(result.degraded == [.bookTop: 1, .volume: 1, .markPrice: 1])
    }

    @Test func coinMarginedTickerWorkedByHand() throws {
        // The recorded COIN-FUTURES tickers with the 2025 funding row renamed to the recorded perpetual BTCUSD.
        let funding = String(decoding: try Fixtures.data("bitget", "current-fund-rate-2025.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"BTCUSDT\"", with: "\"BTCUSD\"")
        let result = try BitgetAdapter.parse(
            funding: Data(funding.utf8), tickers: Fixtures.data("bitget", "tickers.json"),
            productType: "COIN-FUTURES", now: Self.now)
        let s = try #require(result.snapshots.first)
        #expect(s.dexSymbol == "BTCUSD" && s.symbol == "BTC" && s.quote == "USD" && s.margin == .inverse)
        #expect(s.indexPrice == 29132.353333)
        // holdingAmount "125.6844" is base coin (BTC); the 2023 example has no markPrice, so no USD value
        #expect(s.openInterestBase == 125.6844 && s.openInterestUSD == nil && s.markPrice == nil)
        // quoteVolume "0" (the docs example's 24 h stats are all zero); bidPr "29903.5", askPr "29904.5"
        #expect(s.volume24hUSD == 0)
        #expect(s.bestBid == 29903.5 && s.bestAsk == 29904.5)
        // every recorded ticker row: BTCUSD stored, ETHUSD_231229 (deliveryTime 1703836799000) dated
        #expect(result.snapshots.count == 1)
        #expect(result.excluded == [.datedFuture: 1])
        #expect(result.dropped.isEmpty)
    }

    @Test func theOldFundingShapeHasNoInterval() throws {
        // current-fund-rate.json (2023) carries only symbol and rate: no interval, so nothing is guessed.
        let result = try BitgetAdapter.parse(
            funding: Fixtures.data("bitget", "current-fund-rate.json"), tickers: Optional<Data>.none,
            productType: "USDT-FUTURES", now: Self.now)
        #expect(result.snapshots.isEmpty)
        #expect(result.dropped == [.missingFundingInterval: 1])
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await BitgetAdapter().fetch(
            client: Fixtures.client("bitget"), baseURL: BitgetAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTCUSDT"])
        // USDC-FUTURES and COIN-FUTURES funding were not recorded: each costs only its own markets
        #expect(result.failedRequests.map(\.request).sorted() == [
            "GET /api/v2/mix/market/current-fund-rate?productType=COIN-FUTURES",
            "GET /api/v2/mix/market/current-fund-rate?productType=USDC-FUTURES"])
        #expect(result.degraded == [.bookTop: 1, .volume: 1, .markPrice: 1])
    }

    @Test func truncatedWrongTypedOrErrorPayloadThrows() throws {
        let whole = try Fixtures.data("bitget", "current-fund-rate-2025.json")
        #expect(throws: VenuePayloadError.self) {
            try BitgetAdapter.parse(funding: whole.prefix(120), tickers: Optional<Data>.none, productType: "USDT-FUTURES", now: Self.now)
        }
        let wrong = String(decoding: whole, as: UTF8.self)
            .replacingOccurrences(of: "\"fundingRate\": \"0.000068\"", with: "\"fundingRate\": \"0.0068%\"")
        #expect(throws: VenuePayloadError.self) {
            try BitgetAdapter.parse(funding: Data(wrong.utf8), tickers: Optional<Data>.none, productType: "USDT-FUTURES", now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try BitgetAdapter.parse(funding: Data(#"{"code":"40034","msg":"Parameter does not exist","data":null}"#.utf8),
                                    tickers: Optional<Data>.none, productType: "USDT-FUTURES", now: Self.now)
        }
    }
}
