import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// KuCoin's `contracts/active` recording is the docs example with one contract (XBTUSDTM, lot 0.001 BTC);
/// `allTickers` also lists the inverse XBTUSDM, which has no contract row there.
@Suite(.timeLimit(.minutes(1))) struct KuCoinAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func parsed() throws -> VenueFetchResult {
        try KuCoinAdapter.parse(
            contracts: Fixtures.data("kucoin", "contracts-active.json"),
            tickers: Fixtures.data("kucoin", "all-tickers.json"), now: Self.now)
    }

    @Test func xbtUSDTMWorkedByHand() throws {
        let s = try #require(try parsed().snapshots.first)
        #expect(s.dexSymbol == "XBTUSDTM" && s.symbol == "BTC" && s.quote == "USDT")
        #expect(s.margin == .linear && s.multiplier == 1 && s.time == Self.now)
        // fundingFeeRate 0.000052 per fundingRateGranularity 28,800,000 ms = 8 h; 0.000052 / 8 = 0.0000065 per hour
        #expect(s.fundingRate == 0.000052)
        #expect(s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.0000065) < 1e-15)
        #expect(s.predictedRate == 0.000083)
        // nextFundingRateTime 17,752,926 is a countdown in ms: now 1,800,000,000 + 17,752.926 s = 1,800,017,752.926,
        // rounded to the whole hour: 1,800,017,752.926 / 3600 = 500,004.93 → 500,005 × 3600 = 1,800,018,000
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_800_018_000))
        #expect(s.markPrice == 86378.69 && s.indexPrice == 86382.64)
        // openInterest "6748176" lots × multiplier 0.001 BTC = 6,748.176 BTC
        #expect(abs(s.openInterestBase! - 6748.176) < 1e-9)
        // 6,748.176 × 86,378.69 = 582,898,602.76944 USD
        #expect(abs(s.openInterestUSD! - 582_898_602.76944) < 1e-4)
        // turnoverOf24h 1,034,643,198.3265533 USDT (volumeOf24h 12,069.225 is BTC)
        #expect(abs(s.volume24hUSD! - 1_034_643_198.3265533) < 1e-6)
        // allTickers XBTUSDTM: bestBidPrice "67153", bestAskPrice "67153.1"
        #expect(s.bestBid == 67153 && s.bestAsk == 67153.1)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func inverseLotsAreUSD() throws {
        // The recorded contract marked inverse with KuCoin's inverse lot (multiplier -1 = 1 USD per lot): the
        // same 6,748,176 lots are 6,748,176 USD, i.e. 6,748,176 / 86,378.69 = 78.1231... BTC; volume stays nil.
        let text = String(decoding: try Fixtures.data("kucoin", "contracts-active.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"isInverse\": false", with: "\"isInverse\": true")
            .replacingOccurrences(of: "\"multiplier\": 0.001", with: "\"multiplier\": -1")
        let s = try #require(try KuCoinAdapter.parse(contracts: Data(text.utf8), tickers: Optional<Data>.none, now: Self.now).snapshots.first)
        #expect(s.margin == .inverse)
        #expect(s.openInterestUSD == 6_748_176)
        #expect(abs(s.openInterestBase! - 6_748_176 / 86378.69) < 1e-9)
        #expect(s.volume24hUSD == nil)
    }

    @Test func everyRecordedRowParsesOrIsCounted() throws {
        let result = try parsed()
        #expect(result.snapshots.map(\.dexSymbol) == ["XBTUSDTM"])
        // the XBTUSDM ticker has no contract row in the recording
        #expect(result.dropped == [.unknownMarket: 1])
        #expect(result.excluded.isEmpty && result.degraded.isEmpty)
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await KuCoinAdapter().fetch(
            client: Fixtures.client("kucoin"), baseURL: KuCoinAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["XBTUSDTM"])
        #expect(result.snapshots.first?.bestBid == 67153)
    }

    @Test func truncatedWrongTypedOrErrorPayloadThrows() throws {
        let whole = try Fixtures.data("kucoin", "contracts-active.json")
        #expect(throws: VenuePayloadError.self) {
            try KuCoinAdapter.parse(contracts: whole.prefix(500), tickers: Optional<Data>.none, now: Self.now)
        }
        let wrong = String(decoding: whole, as: UTF8.self)
            .replacingOccurrences(of: "\"openInterest\": \"6748176\"", with: "\"openInterest\": [6748176]")
        #expect(throws: VenuePayloadError.self) {
            try KuCoinAdapter.parse(contracts: Data(wrong.utf8), tickers: Optional<Data>.none, now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try KuCoinAdapter.parse(contracts: Data(#"{"code":"400100","msg":"Parameter error"}"#.utf8),
                                    tickers: Optional<Data>.none, now: Self.now)
        }
    }
}
