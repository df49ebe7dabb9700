import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings: ccxt's static Aster responses (`Tests/Fixtures/aster/SOURCE.md`): BTCUSDT in premiumIndex
/// (2025-06-17), fundingInfo and ticker/24hr. No bookTicker answer was recorded.
@Suite struct AsterAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func btcusdtThroughTheRecordedRoutes() async throws {
        let result = try await AsterAdapter().fetch(
            client: Fixtures.client("aster"), baseURL: AsterAdapter.descriptor.defaultBaseURL, now: Self.now)
        let s = try #require(result.snapshots.first)
        #expect(result.snapshots.count == 1)
        #expect(s.dex == "aster" && s.dexSymbol == "BTCUSDT" && s.symbol == "BTC" && s.quote == "USDT")
        // lastFundingRate "0.00010000" per fundingIntervalHours 8 (fundingInfo): 0.0001 / 8 = 0.0000125 per hour
        #expect(s.fundingRate == 0.0001)
        #expect(s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.0000125) < 1e-15)
        #expect(s.markPrice == 106630.71786957)
        #expect(s.indexPrice == 106678.52086957)
        // nextFundingTime 1750176000000 ms = 2025-06-17T16:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_750_176_000))
        // quoteVolume "918896966.74" USDT
        #expect(s.volume24hUSD == 918_896_966.74)
        // No documented open-interest endpoint: nil, and not counted as degraded (never published).
        #expect(s.openInterestBase == nil && s.openInterestUSD == nil)
        // bookTicker has no recording (404): the row is kept without a book.
        #expect(s.bestBid == nil && s.bestAsk == nil)
        #expect(result.degraded == [.bookTop: 1])
        #expect(result.problems.isEmpty && result.excluded.isEmpty)
        #expect(s.time == Self.now)
    }

    @Test func intervalFromFundingInfoElse8h() throws {
        let premium = try Fixtures.data("aster", "premiumIndex.json")
        let fourHours = Data(#"[{"symbol":"BTCUSDT","fundingIntervalHours":4}]"#.utf8)
        let four = try BinanceAdapter.parse(premiumIndex: premium, fundingInfo: fourHours, tickers24h: Data?.none,
                                            bookTickers: Data?.none, now: Self.now, dex: "aster")
        // 0.0001 per 4 h = 0.000025 per hour
        #expect(four.snapshots.first?.fundingIntervalHours == 4)
        #expect(abs(four.snapshots.first!.rate1h - 0.000025) < 1e-15)
        let unlisted = try BinanceAdapter.parse(premiumIndex: premium, fundingInfo: Data("[]".utf8), tickers24h: Data?.none,
                                                bookTickers: Data?.none, now: Self.now, dex: "aster")
        #expect(unlisted.snapshots.first?.fundingIntervalHours == 8)
        #expect(unlisted.snapshots.first?.dex == "aster")
    }

    @Test func truncatedPremiumIndexThrows() throws {
        let whole = try Fixtures.data("aster", "premiumIndex.json")
        #expect(throws: VenuePayloadError.self) {
            try BinanceAdapter.parse(premiumIndex: whole.prefix(120), fundingInfo: Data?.none, tickers24h: Data?.none,
                                     bookTickers: Data?.none, now: Self.now, dex: "aster")
        }
    }
}
