import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// BitMEX recordings: three live `instrument/active` rows of 2024-03-02 (JTOUSDT linear, XBTETH inverse quoted
/// in ETH and therefore excluded, XBTUSD inverse) and one live XBTUSD row of 2024-11-24.
@Suite(.timeLimit(.minutes(1))) struct BitMEXAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func active() throws -> VenueFetchResult {
        try BitMEXAdapter.parse(Fixtures.data("bitmex", "instrument-active-2024-03-02.json"), now: Self.now)
    }

    func market(_ symbol: String) throws -> MarketSnapshot {
        try #require(try active().snapshots.first { $0.dexSymbol == symbol })
    }

    @Test func xbtUSDInverseWorkedByHand() throws {
        let s = try market("XBTUSD")
        #expect(s.symbol == "BTC" && s.quote == "USD" && s.margin == .inverse && s.multiplier == 1)
        // fundingRate 0.000224 per fundingInterval "2000-01-01T08:00:00.000Z" = 8 h; 0.000224 / 8 = 0.000028 per hour
        #expect(s.fundingRate == 0.000224 && s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.000028) < 1e-15)
        #expect(s.predictedRate == 0.0001)
        // fundingTimestamp 2024-03-02T04:00:00.000Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_709_352_000))
        #expect(s.markPrice == 62074.87 && s.indexPrice == 62072.67)
        // openValue 461,319,177,384 satoshi / 10^8 = 4,613.19177384 BTC
        #expect(abs(s.openInterestBase! - 4613.19177384) < 1e-9)
        // 4,613.19177384 × 62,074.87 = 286,363,279.6461874 USD (openInterest says 286,362,900 one-USD contracts)
        #expect(abs(s.openInterestUSD! - 286_363_279.6461874) < 1e-4)
        // foreignNotional24h 424,219,100 USD
        #expect(s.volume24hUSD == 424_219_100)
        #expect(s.bestBid == 62093 && s.bestAsk == 62093.5)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func jtoUSDTLinearWorkedByHand() throws {
        let s = try market("JTOUSDT")
        #expect(s.symbol == "JTO" && s.quote == "USDT" && s.margin == .linear)
        // fundingRate 0.0001 per 8 h = 0.0000125 per hour
        #expect(s.fundingRate == 0.0001 && s.fundingIntervalHours == 8 && abs(s.rate1h - 0.0000125) < 1e-15)
        // openValue 16,716,835,800 micro-USDT / 10^6 = 16,716.8358 USDT; / mark 2.46561 = 6,780 JTO (= openInterest)
        #expect(abs(s.openInterestUSD! - 16716.8358) < 1e-9)
        #expect(abs(s.openInterestBase! - 6780) < 1e-6)
        // foreignNotional24h 1,171.5003 USDT
        #expect(s.volume24hUSD == 1171.5003)
        #expect(s.markPrice == 2.46561 && s.indexPrice == 2.46557)
    }

    @Test func xbtETHIsExcludedAsQuotedInACoin() throws {
        // XBTETH is priced in ETH per BTC: its prices and volume are not USD, so it is excluded (the kit's policy).
        let result = try active()
        #expect(!result.snapshots.contains { $0.dexSymbol == "XBTETH" })
        #expect(result.excluded == [.nonUSDQuote: 1])
    }

    @Test func theNovemberXBTUSDRow() throws {
        let s = try #require(try BitMEXAdapter.parse(Fixtures.data("bitmex", "instrument-xbtusd.json"), now: Self.now).snapshots.first)
        // fundingRate 0.00011, indicativeFundingRate 0.000125, next 2024-11-25T04:00Z
        #expect(s.fundingRate == 0.00011 && s.predictedRate == 0.000125)
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_732_507_200))
        // 420,691,293,378 sat = 4,206.91293378 BTC × 97,849.76 = 411,645,420.9112689 USD
        #expect(abs(s.openInterestUSD! - 411_645_420.9112689) < 1e-4)
    }

    @Test func everyRecordedRowParsesOrIsCounted() throws {
        let result = try active()
        #expect(result.snapshots.map(\.dexSymbol).sorted() == ["JTOUSDT", "XBTUSD"])
        #expect(result.excluded == [.nonUSDQuote: 1] && result.dropped.isEmpty)
        #expect(result.snapshots.allSatisfy { SnapshotValidator().rejection(for: $0) == nil })
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await BitMEXAdapter().fetch(
            client: Fixtures.client("bitmex"), baseURL: BitMEXAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.count == 2)
    }

    @Test func nonPerpetualsAreSkipped() throws {
        let text = String(decoding: try Fixtures.data("bitmex", "instrument-active-2024-03-02.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"symbol\": \"JTOUSDT\",\n    \"rootSymbol\": \"JTO\",\n    \"state\": \"Open\",\n    \"typ\": \"FFWCSX\"",
                                  with: "\"symbol\": \"JTOH24\",\n    \"rootSymbol\": \"JTO\",\n    \"state\": \"Open\",\n    \"typ\": \"FFCCSX\"")
        let result = try BitMEXAdapter.parse(Data(text.utf8), now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["XBTUSD"])
        #expect(result.excluded == [.notPerpetual: 1, .nonUSDQuote: 1])
    }

    @Test func truncatedOrWrongTypedPayloadThrows() throws {
        let whole = try Fixtures.data("bitmex", "instrument-active-2024-03-02.json")
        #expect(throws: VenuePayloadError.self) { try BitMEXAdapter.parse(whole.prefix(900), now: Self.now) }
        let wrong = String(decoding: whole, as: UTF8.self)
            .replacingOccurrences(of: "\"fundingRate\": 0.000224", with: "\"fundingRate\": {\"value\": 0.000224}")
        #expect(throws: VenuePayloadError.self) { try BitMEXAdapter.parse(Data(wrong.utf8), now: Self.now) }
    }
}
