import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recording: `perpetualMarkets.json` (mainnet capture 2025-12-08 from nautilus_trader's test data: BTC, ETH, SOL).
@Suite struct DYDXAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_765_209_630)  // 2025-12-08T16:00:30Z

    func parsed() throws -> VenueFetchResult {
        try DYDXAdapter.parse(Fixtures.data("dydx", "perpetualMarkets.json"), now: Self.now)
    }

    @Test func btcUSD() throws {
        let s = try #require(try parsed().snapshots.first { $0.dexSymbol == "BTC-USD" })
        #expect(s.dex == "dydx" && s.symbol == "BTC" && s.quote == "USD" && s.margin == .linear && s.multiplier == 1)
        // nextFundingRate "0.00000254545454545455" is already per 1 h: rate = rate per hour
        #expect(s.fundingRate == 0.00000254545454545455)
        #expect(s.fundingIntervalHours == 1)
        #expect(s.rate1h == 0.00000254545454545455)
        // oraclePrice "89919.2" is both mark and index
        #expect(s.markPrice == 89919.2 && s.indexPrice == 89919.2)
        // openInterest "381.7348" BTC × 89919.2 = 34,325,287.82816 USD
        #expect(s.openInterestBase == 381.7348)
        #expect(abs(s.openInterestUSD! - 34_325_287.82816) < 1e-6)
        // volume24H "247500844.6834" USD
        #expect(s.volume24hUSD == 247_500_844.6834)
        // next top of the hour after 16:00:30Z = 17:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_765_213_200))
        #expect(s.bestBid == nil && s.bestAsk == nil && s.predictedRate == nil)
        #expect(s.time == Self.now)
    }

    @Test func solUSDWithANegativeRate() throws {
        let s = try #require(try parsed().snapshots.first { $0.dexSymbol == "SOL-USD" })
        // nextFundingRate "-0.00000143181818181818" per 1 h
        #expect(s.fundingRate == -0.00000143181818181818)
        #expect(s.rate1h == -0.00000143181818181818)
        // openInterest "41917.9" SOL × oraclePrice 135.3 = 5,671,491.87 USD
        #expect(abs(s.openInterestUSD! - 5_671_491.87) < 1e-6)
        #expect(s.volume24hUSD == 54_043_106.256)
    }

    @Test func everyMarketParsesOrIsCounted() throws {
        let result = try parsed()
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC-USD", "ETH-USD", "SOL-USD"])
        #expect(result.excluded.isEmpty && result.problems.isEmpty)
    }

    @Test func statusesAndMissingRate() throws {
        let body = Data(#"{"markets":{"A-USD":{"ticker":"A-USD","status":"FINAL_SETTLEMENT","nextFundingRate":"0"},"B-USD":{"ticker":"B-USD","status":"INITIALIZING"},"C-USD":{"ticker":"C-USD","status":"CANCEL_ONLY","nextFundingRate":"0.00001","oraclePrice":"2"},"D-USD":{"ticker":"D-USD","status":"ACTIVE"}}}"#.utf8)
        let result = try DYDXAdapter.parse(body, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["C-USD"])
        #expect(result.excluded == [.delisted: 1, .inactive: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
    }

    @Test func truncatedOrWrongTypedPayloadThrows() throws {
        let whole = try Fixtures.data("dydx", "perpetualMarkets.json")
        #expect(throws: VenuePayloadError.self) { try DYDXAdapter.parse(whole.prefix(300), now: Self.now) }
        let wrong = Data(#"{"markets":{"A-USD":{"ticker":"A-USD","nextFundingRate":{"x":1}}}}"#.utf8)
        #expect(throws: VenuePayloadError.self) { try DYDXAdapter.parse(wrong, now: Self.now) }
    }
}
