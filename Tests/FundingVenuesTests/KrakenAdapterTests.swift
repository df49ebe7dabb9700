import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Kraken Futures recordings: tickers for PI_XBTUSD (inverse, live-looking) and PF_ETHUSD (linear, hand-made
/// round numbers), and four instruments (PI_XBTUSD, PF_ETHUSD, PF_PEPEUSD, PF_AAPLxUSD).
@Suite(.timeLimit(.minutes(1))) struct KrakenAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func parsed() throws -> VenueFetchResult {
        try KrakenAdapter.parse(
            tickers: Fixtures.data("kraken", "tickers.json"), instruments: Fixtures.data("kraken", "instruments.json"), now: Self.now)
    }

    @Test func piXBTUSDAbsoluteFundingToFractionWorkedByHand() throws {
        let s = try #require(try parsed().snapshots.first { $0.dexSymbol == "PI_XBTUSD" })
        #expect(s.symbol == "BTC" && s.quote == "USD" && s.margin == .inverse && s.multiplier == 1)
        // fundingRate -3.995839963e-09 BTC per 1-USD contract per hour × markPrice 91,506.6009839176
        //   = -0.000365645733089833 (fraction per hour)
        #expect(s.fundingIntervalHours == 1)
        #expect(abs(s.fundingRate - -0.000365645733089833) < 1e-15)
        #expect(abs(s.rate1h - -0.000365645733089833) < 1e-15)
        // fundingRatePrediction 6.272058425e-08 × 91,506.6009839176 = 0.005739347476442937
        #expect(abs(s.predictedRate! - 0.005739347476442937) < 1e-15)
        #expect(s.markPrice == 91506.6009839176 && s.indexPrice == 91468.38)
        // openInterest 21,279,580 contracts × 1 USD = 21,279,580 USD; / mark = 232.54693946877027 BTC
        #expect(s.openInterestUSD == 21_279_580)
        #expect(abs(s.openInterestBase! - 232.54693946877027) < 1e-9)
        // vol24h 21,118,140 contracts of 1 USD
        #expect(s.volume24hUSD == 21_118_140)
        #expect(s.bestBid == 91415 && s.bestAsk == 91490.5)
        #expect(s.nextFundingTime == nil)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func pfETHUSDLinearConversion() throws {
        // The hand-made row, for the linear rule only: fundingRate 1.5e-05 USD per 1-ETH contract per hour
        // / (contractSize 1 × markPrice 3,205.25) = 4.679822166757663e-09 per hour.
        let s = try #require(try parsed().snapshots.first { $0.dexSymbol == "PF_ETHUSD" })
        #expect(s.symbol == "ETH" && s.margin == .linear)
        #expect(abs(s.fundingRate - 4.679822166757663e-09) < 1e-20)
        // openInterest 1,000,000 contracts × 1 ETH = 1,000,000 ETH; × 3,205.25 = 3,205,250,000 USD
        #expect(s.openInterestBase == 1_000_000 && s.openInterestUSD == 3_205_250_000)
        // volumeQuote 1,600,000 USD
        #expect(s.volume24hUSD == 1_600_000)
    }

    @Test func historicalRelativeRateMatchesTheInverseRule() throws {
        // historical-funding-rates.json (2022): fundingRate -8.15861558e-10 with relativeFundingRate
        // -0.000016898883333333, i.e. a price of 20,712.9...: relative = absolute × price, the rule used above.
        let price = -0.000016898883333333 / -8.15861558e-10
        #expect(abs(price - 20_712.9) < 1)
    }

    @Test func everyRecordedTickerParsesOrIsCounted() throws {
        let result = try parsed()
        #expect(result.snapshots.map(\.dexSymbol) == ["PI_XBTUSD", "PF_ETHUSD"])
        #expect(result.excluded.isEmpty && result.dropped.isEmpty && result.failedRequests.isEmpty && result.degraded.isEmpty)
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await KrakenAdapter().fetch(
            client: Fixtures.client("kraken"), baseURL: KrakenAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.count == 2)
    }

    @Test func truncatedWrongTypedOrErrorPayloadThrows() throws {
        let tickers = try Fixtures.data("kraken", "tickers.json")
        let instruments = try Fixtures.data("kraken", "instruments.json")
        #expect(throws: VenuePayloadError.self) {
            try KrakenAdapter.parse(tickers: tickers.prefix(400), instruments: instruments, now: Self.now)
        }
        let wrong = String(decoding: tickers, as: UTF8.self)
            .replacingOccurrences(of: "\"fundingRate\": -3.995839963e-09", with: "\"fundingRate\": \"n/a\"")
        #expect(throws: VenuePayloadError.self) {
            try KrakenAdapter.parse(tickers: Data(wrong.utf8), instruments: instruments, now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try KrakenAdapter.parse(tickers: Data(#"{"result":"error","error":"apiLimitExceeded"}"#.utf8),
                                    instruments: instruments, now: Self.now)
        }
    }
}
