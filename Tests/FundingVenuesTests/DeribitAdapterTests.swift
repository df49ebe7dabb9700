import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Deribit recordings: the docs' BTC-PERPETUAL ticker (2021-06) and an instruments list (testnet test fixture)
/// with BTC-PERPETUAL, a dated future, an option and a combo.
@Suite(.timeLimit(.minutes(1))) struct DeribitAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func btcPerpetual() throws -> DeribitAdapter.Instrument {
        let (perpetuals, _) = try DeribitAdapter.parseInstruments(Fixtures.data("deribit", "get-instruments-future.json"))
        return try #require(perpetuals.first)
    }

    @Test func btcPerpetualInverseWorkedByHand() throws {
        let s = try DeribitAdapter.parseTicker(
            Fixtures.data("deribit", "ticker-btc-perpetual.json"), instrument: btcPerpetual(), now: Self.now)
        #expect(s.dexSymbol == "BTC-PERPETUAL" && s.symbol == "BTC" && s.quote == "USD" && s.margin == .inverse)
        // funding_8h 2.203e-05 stored per 8 h (continuous accrual): 2.203e-05 / 8 = 2.75375e-06 per hour
        #expect(s.fundingRate == 2.203e-05 && s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 2.75375e-06) < 1e-18)
        #expect(s.predictedRate == nil && s.nextFundingTime == nil)
        #expect(s.markPrice == 36288.31 && s.indexPrice == 36297.02)
        // open_interest 502,231,260 is USD on an inverse perpetual; / mark 36,288.31 = 13,840.0289239... BTC
        #expect(s.openInterestUSD == 502_231_260)
        #expect(abs(s.openInterestBase! - 13840.028923915167) < 1e-8)
        // stats.volume_usd 282,615,600
        #expect(s.volume24hUSD == 282_615_600)
        #expect(s.bestBid == 36289.5 && s.bestAsk == 36290)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func linearOpenInterestIsBaseCoin() throws {
        // The recorded ticker read for a linear instrument (USDC perpetual rule): open_interest is BTC.
        var linear = try btcPerpetual()
        linear.instrument_type = "linear"
        linear.quote_currency = "USDC"
        let s = try DeribitAdapter.parseTicker(
            Fixtures.data("deribit", "ticker-btc-perpetual.json"), instrument: linear, now: Self.now)
        #expect(s.margin == .linear && s.quote == "USDC")
        // 502,231,260 BTC × 36,288.31 (absurd size, same digits): base as given, USD = base × mark
        #expect(s.openInterestBase == 502_231_260)
        #expect(abs(s.openInterestUSD! - 502_231_260 * 36288.31) < 1)
    }

    @Test func everyInstrumentIsKeptOrCounted() throws {
        let (perpetuals, listed) = try DeribitAdapter.parseInstruments(Fixtures.data("deribit", "get-instruments-future.json"))
        #expect(perpetuals.map(\.name) == ["BTC-PERPETUAL"])
        #expect(listed.excluded == [.datedFuture: 1, .notPerpetual: 2])
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await DeribitAdapter().fetch(
            client: Fixtures.client("deribit"), baseURL: DeribitAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC-PERPETUAL"])
        #expect(result.excluded == [.datedFuture: 1, .notPerpetual: 2])
        #expect(result.problems.isEmpty)
    }

    @Test func truncatedWrongTypedOrErrorPayloadThrows() throws {
        let whole = try Fixtures.data("deribit", "ticker-btc-perpetual.json")
        let instrument = try btcPerpetual()
        #expect(throws: VenuePayloadError.self) {
            try DeribitAdapter.parseTicker(whole.prefix(300), instrument: instrument, now: Self.now)
        }
        let wrong = String(decoding: whole, as: UTF8.self)
            .replacingOccurrences(of: "\"funding_8h\": 2.203e-05", with: "\"funding_8h\": true")
        #expect(throws: VenuePayloadError.self) {
            try DeribitAdapter.parseTicker(Data(wrong.utf8), instrument: instrument, now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try DeribitAdapter.parseTicker(
                Data(#"{"jsonrpc":"2.0","id":1,"error":{"code":10029,"message":"not_found"}}"#.utf8),
                instrument: instrument, now: Self.now)
        }
    }
}
