import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recording: `stats_markets.json` (ccxt's static test response, 2026-02-10; ccxt kept only BTC-PERP).
@Suite struct DriftAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_770_728_440)  // 2026-02-10T13:00:40Z

    @Test func btcPerpPercentPerHourAndTheLargerSide() throws {
        let result = try DriftAdapter.parse(Fixtures.data("drift", "stats_markets.json"), now: Self.now)
        let s = try #require(result.snapshots.first)
        #expect(result.snapshots.count == 1 && result.excluded.isEmpty && result.problems.isEmpty)
        #expect(s.dex == "drift" && s.dexSymbol == "BTC-PERP" && s.symbol == "BTC" && s.quote == "USDC")
        // fundingRate.long "0.00093" = +0.00093 % per hour of P&L for longs → longs receive:
        // rate paid by longs = −0.00093 / 100 = −0.0000093 per 1 h
        #expect(abs(s.fundingRate - -0.0000093) < 1e-18)
        #expect(s.fundingIntervalHours == 1)
        #expect(abs(s.rate1h - -0.0000093) < 1e-18)
        #expect(s.markPrice == 68481.850665)
        #expect(s.indexPrice == 68525.837797)
        // openInterest long 264.7866, short −312.3766 → larger side 312.3766 BTC
        #expect(s.openInterestBase == 312.3766)
        // 312.3766 × 68481.850665 = 21,392,127.672440439 USD
        #expect(abs(s.openInterestUSD! - 21_392_127.672440439) < 1e-6)
        // quoteVolume "20508203.775252" USDC
        #expect(s.volume24hUSD == 20_508_203.775252)
        // next top of the hour after 13:00:40Z = 14:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_770_732_000))
        #expect(s.bestBid == nil && s.predictedRate == nil)
    }

    @Test func spotInactiveAndMissingRate() throws {
        let body = Data(#"{"success":true,"markets":[{"symbol":"SOL","marketType":"spot","status":"active"},{"symbol":"X-PERP","marketType":"perp","status":"delisted"},{"symbol":"Y-PERP","marketType":"perp","status":"active","fundingRate":{}},{"symbol":"1MBONK-PERP","marketType":"perp","baseAsset":"1MBONK","quoteAsset":"USDC","status":"active","markPrice":"0.01","fundingRate":{"long":"-0.002","short":"0.002"},"openInterest":{"long":"10","short":"-4"}}]}"#.utf8)
        let result = try DriftAdapter.parse(body, now: Self.now)
        #expect(result.excluded == [.spot: 1, .inactive: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
        let bonk = try #require(result.snapshots.first)
        // 1MBONK: one contract unit is 10⁶ BONK; long P&L −0.002 %/h → longs pay 0.00002 per hour
        #expect(bonk.symbol == "BONK" && bonk.multiplier == 1_000_000)
        #expect(abs(bonk.fundingRate - 0.00002) < 1e-18)
        #expect(bonk.openInterestBase == 10)  // max(|10|, |−4|)
    }

    @Test func truncatedOrWrongTypedPayloadThrows() throws {
        let whole = try Fixtures.data("drift", "stats_markets.json")
        #expect(throws: VenuePayloadError.self) { try DriftAdapter.parse(whole.prefix(500), now: Self.now) }
        let wrong = Data(#"{"markets":[{"symbol":"A-PERP","marketType":"perp","status":"active","fundingRate":{"long":[1]}}]}"#.utf8)
        #expect(throws: VenuePayloadError.self) { try DriftAdapter.parse(wrong, now: Self.now) }
    }
}
