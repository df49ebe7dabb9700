import Foundation
@testable import FundingIngest
import FundingVenues
import Testing

/// `Backfill.missing`: which part of a window a backfill still asks the venue for.
@Suite("Backfill: the ranges still due")
struct BackfillRangeTests {
    /// Hours after 2019-10-01T00:00:00Z.
    static func t(_ hours: Double) -> Date { Date(timeIntervalSince1970: 1_569_888_000 + hours * 3600) }

    @Test("a venue whose history settles hourly (Deribit) is asked again every hour, though its markets quote 8 h")
    func hourlySettlementsOfAnEightHourMarket() {
        let market = SettlementStore.Market(dexSymbol: "BTC-PERPETUAL", symbol: "BTC", intervalHours: 8,
                                            covered: Self.t(0)..<Self.t(25))
        // Fetched up to 2019-10-02T01:00Z, asked until 03:00Z: the next 8 h funding time is 08:00Z, past the end, so
        // an 8 h market has nothing due; hourly settlements at 01:00Z and 02:00Z are.
        #expect(Backfill<FixtureHTTPClient>.missing(market, start: Self.t(1), until: Self.t(27)) == [])
        #expect(Backfill<FixtureHTTPClient>.missing(market, start: Self.t(1), until: Self.t(27),
                                                    everyHours: DeribitAdapter.settlementIntervalHours)
                == [Self.t(25)..<Self.t(27)])
        #expect(DeribitAdapter.settlementIntervalHours == 1)
        #expect(BinanceAdapter.settlementIntervalHours == nil && BitgetAdapter.settlementIntervalHours == nil)
    }
}
