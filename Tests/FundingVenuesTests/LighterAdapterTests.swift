import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// `|a − b| ≤ 1e-9 × max(1, |b|)`; a nil `a` never matches.
private func approx(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= relative * max(1, abs(b))
}

// 2026-09-11T17:18:40Z; the next top of the hour is 18:00:00Z = 1789149600.
private let now = Date(timeIntervalSince1970: 1_789_147_120)

@Suite("Lighter adapter")
struct LighterAdapterTests {
    func parse(details: String = "orderBookDetails_2026-09.json") throws -> VenueFetchResult {
        try LighterAdapter.parse(
            fundingRates: Fixtures.data("lighter", "funding-rates.json"),
            orderBookDetails: Fixtures.data("lighter", details), now: now)
    }

    @Test func ethFromTheSeptemberDetails() throws {
        let eth = try #require(try parse().snapshots.first)
        #expect(eth.dex == "lighter")
        #expect(eth.dexSymbol == "ETH")
        #expect(eth.symbol == "ETH")
        #expect(eth.quote == "USDC")
        #expect(eth.multiplier == 1)
        // funding-rates "rate" 0.000096 is an 8h equivalent, paid hourly at 1/8: 0.000096 / 8 = 0.000012 per 1h
        #expect(approx(eth.fundingRate, 0.000012))
        #expect(eth.fundingIntervalHours == 1)
        #expect(approx(eth.rate1h, 0.000012))
        #expect(approx(eth.rate8h, 0.000096))                 // back to the quoted 8h figure
        #expect(approx(eth.apr, 10.512))                      // 0.000012 × 8760 × 100
        #expect(approx(eth.markPrice, 2574.08))
        #expect(approx(eth.indexPrice, 2575.08))
        #expect(approx(eth.openInterestBase, 47381.5269))
        #expect(approx(eth.openInterestUSD, 121963840.762752)) // 47381.5269 × 2574.08
        #expect(approx(eth.volume24hUSD, 427857446.752992))   // daily_quote_token_volume
        #expect(eth.nextFundingTime == Date(timeIntervalSince1970: 1_789_149_600))
        #expect(eth.time == now)
        #expect(eth.bestBid == nil && eth.bestAsk == nil)
        #expect(SnapshotValidator().rejection(for: eth) == nil)
    }

    @Test func ethFromTheMayDetailsHasNoMarkSoOIUsesLastTrade() throws {
        let eth = try #require(try parse(details: "orderBookDetails.json").snapshots.first)
        #expect(eth.markPrice == nil)
        #expect(eth.indexPrice == nil)
        #expect(approx(eth.fundingRate, 0.000012))
        #expect(approx(eth.openInterestBase, 27350.8981))
        #expect(approx(eth.openInterestUSD, 64583949.192511)) // 27350.8981 × 2361.31 (last_trade_price)
        #expect(approx(eth.volume24hUSD, 460664167.955905))
    }

    @Test func everyFixtureMarketParsesOrIsSkippedOnPurpose() throws {
        let result = try parse()
        // BTC (active) has no Lighter row in the recorded funding-rates; PIPPIN is "inactive".
        #expect(result.snapshots.map(\.dexSymbol) == ["ETH"])
        #expect(result.excluded == [.inactive: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
    }

    @Test func relayedRowsOfOtherExchangesAreSkipped() throws {
        // Constructed input in the funding-rates shape (the recording kept only the Lighter row): rates are
        // made up; checks that only `exchange == "lighter"` rows become snapshots and that a Lighter row for a
        // market the details do not list is counted.
        let rates = """
        {"code":200,"funding_rates":[
          {"market_id":0,"exchange":"binance","symbol":"ETH","rate":0.0001},
          {"market_id":0,"exchange":"lighter","symbol":"ETH","rate":0.00008},
          {"market_id":0,"exchange":"bybit","symbol":"ETH","rate":0.0001},
          {"market_id":0,"exchange":"hyperliquid","symbol":"ETH","rate":0.0001},
          {"market_id":77,"exchange":"lighter","symbol":"GONE","rate":0.0001}]}
        """
        let result = try LighterAdapter.parse(
            fundingRates: Data(rates.utf8),
            orderBookDetails: Fixtures.data("lighter", "orderBookDetails_2026-09.json"), now: now)
        #expect(result.snapshots.count == 1)
        #expect(approx(result.snapshots.first?.fundingRate, 0.00001)) // 0.00008 / 8
        #expect(result.excluded == [.relayed: 3, .inactive: 1])
        #expect(result.dropped == [.missingFundingRate: 1, .unknownMarket: 1])
    }

    @Test func thousandPrefixedSymbolCarriesTheMultiplier() throws {
        // Constructed input (no recording has a 1000-prefixed Lighter market): numbers are made up.
        let rates = #"{"code":200,"funding_rates":[{"market_id":9,"exchange":"lighter","symbol":"1000PEPE","rate":0.0008}]}"#
        let details = """
        {"code":200,"order_book_details":[{"symbol":"1000PEPE","market_id":9,"market_type":"perp","status":"active",
          "mark_price":"0.0125","open_interest":2000000,"daily_quote_token_volume":1000}]}
        """
        let pepe = try #require(try LighterAdapter.parse(
            fundingRates: Data(rates.utf8), orderBookDetails: Data(details.utf8), now: now).snapshots.first)
        #expect(pepe.symbol == "PEPE")
        #expect(pepe.multiplier == 1000)
        #expect(approx(pepe.fundingRate, 0.0001))             // 0.0008 / 8
        #expect(approx(pepe.openInterestUSD, 25000))          // 2,000,000 × 0.0125 (per 1000 PEPE)
    }

    @Test func fetchThroughRoutes() async throws {
        let result = try await LighterAdapter().fetch(
            client: Fixtures.client("lighter"), baseURL: LighterAdapter.descriptor.defaultBaseURL, now: now)
        #expect(result.snapshots.map(\.dexSymbol) == ["ETH"])
        #expect(approx(result.snapshots.first?.openInterestUSD, 121963840.762752))
        #expect(result.excluded == [.inactive: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
    }

    @Test func truncatedPayloadThrows() throws {
        let details = try Fixtures.data("lighter", "orderBookDetails_2026-09.json")
        #expect(throws: VenuePayloadError.self) {
            try LighterAdapter.parse(
                fundingRates: Fixtures.data("lighter", "funding-rates.json"),
                orderBookDetails: details.prefix(250), now: now)
        }
        #expect(throws: VenuePayloadError.self) {
            try LighterAdapter.parse(fundingRates: Data("{\"code\":200,\"funding_rates\":[{\"market_id\":0".utf8),
                                     orderBookDetails: details, now: now)
        }
    }
}
