import Foundation
import FundingApp
import Testing

@Suite("Demo venues: next funding times")
struct DemoVenuesTests {
    /// 2024-12-07 19:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_733_598_000)

    @Test("a past next funding time moves to the first slot of its grid after now, in its own unit and quoting")
    func rollsForward() {
        let body = """
            [{"nextFundingTime": 1732723200000, "fundingTime": 1732723200000},
             {"nextFundingTime":"1732723200000"}, {"funding_next_apply": 1610035200},
             {"next_funding_time": "1733590800000000000"}, {"next_funding_time": "1764777600000000000"},
             {"nextFundingRateTime": 17752926}, {"nextSettleTime": 1732723200000},
             {"fundingTimestamp": "2024-11-25T04:00:00.000Z"}, {"nextFundingTimestamp": 1732723200000}]
            """
        let rolled = DemoVenues.rollForward(body, now: Self.now)
        // 1732723200 s is on the 8 h grid (60164 × 28800); now − t = 874800 s = 30.375 steps, so 31 steps:
        // 1732723200 + 31 × 28800 = 1733616000 (now + 5 h).
        #expect(rolled.contains(#"{"nextFundingTime": 1733616000000, "fundingTime": 1732723200000}"#))
        #expect(rolled.contains(#"{"nextFundingTime":"1733616000000"}"#))
        // Gate's seconds: 1610035200 = 55904 × 28800; 123562800 s behind = 4290.375 steps → 4291: 1733616000.
        #expect(rolled.contains(#"{"funding_next_apply": 1733616000}"#))
        // GRVT's nanoseconds, 2 h behind on a 1 h grid only (1733590800 / 14400 = 120388.25): 3 steps, now + 1 h.
        #expect(rolled.contains(#"{"next_funding_time": "1733601600000000000"}"#))
        // A time already in the future and KuCoin's duration (not a time) stay as they are.
        #expect(rolled.contains(#"{"next_funding_time": "1764777600000000000"}"#))
        #expect(rolled.contains(#"{"nextFundingRateTime": 17752926}"#))
        // MEXC's name for it, and BitMEX's ISO time: 2024-11-25T04:00Z = 1732507200 s, on the 4 h grid only
        // (1732507200 / 28800 = 60156.5, / 14400 = 120313); 1090800 s behind = 75.75 steps → 76:
        // 1732507200 + 76 × 14400 = 1733601600 = 2024-12-07T20:00:00Z.
        #expect(rolled.contains(#"{"nextSettleTime": 1733616000000}"#))
        #expect(rolled.contains(#"{"fundingTimestamp": "2024-12-07T20:00:00.000Z"}"#))
        // Backpack's name for it (ms): the same 8 h-grid time as the first, 31 steps → 1733616000000.
        #expect(rolled.contains(#"{"nextFundingTimestamp": 1733616000000}"#))
    }

    @Test("OKX's fundingTime and nextFundingTime move together: their difference (the interval) stays 8 h")
    func pairsMoveTogether() {
        let body = #"{"fundingRate":"0.0001","fundingTime":"1732723200000","instId":"BTC-USDT-SWAP","nextFundingTime":"1732752000000"}"#
        let rolled = DemoVenues.rollForward(body, now: Self.now)
        // fundingTime 1732723200 s is on the 8 h grid: 31 steps to 1733616000 (now + 5 h), a shift of 892800 s;
        // nextFundingTime 1732752000 + 892800 = 1733644800 (8 h later still).
        #expect(rolled == #"{"fundingRate":"0.0001","fundingTime":"1733616000000","instId":"BTC-USDT-SWAP","nextFundingTime":"1733644800000"}"#)
    }

    @Test("a body without next funding times is returned unchanged")
    func untouched() {
        let body = #"{"symbol":"BTCUSDT","lastFundingRate":"0.0001","time":1732723200000}"#
        #expect(DemoVenues.rollForward(body, now: Self.now) == body)
    }
}
