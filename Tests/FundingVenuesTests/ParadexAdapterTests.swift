import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// `|a − b| ≤ 1e-9 × max(1, |b|)`; a nil `a` never matches.
private func approx(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= relative * max(1, abs(b))
}

private let now = Date(timeIntervalSince1970: 1_789_147_200)

@Suite("Paradex adapter")
struct ParadexAdapterTests {
    func parse() throws -> VenueFetchResult {
        try ParadexAdapter.parse(
            summary: Fixtures.data("paradex", "markets_summary_prod.json"),
            markets: Fixtures.data("paradex", "markets.json"), now: now)
    }

    @Test func btcPerp() throws {
        let btc = try #require(try parse().snapshots.first { $0.dexSymbol == "BTC-USD-PERP" })
        #expect(btc.dex == "paradex")
        #expect(btc.symbol == "BTC")                           // base_currency
        #expect(btc.quote == "USD")                            // quote_currency (settled in USDC)
        #expect(btc.multiplier == 1)
        #expect(approx(btc.fundingRate, 0.00007688102642))     // per funding period
        // the recorded definition has no funding_period_hours: Paradex's documented default, 8h
        #expect(btc.fundingIntervalHours == 8)
        #expect(approx(btc.rate1h, 0.0000096101283025))        // 0.00007688102642 / 8
        #expect(approx(btc.apr, 8.41847239299))                // 0.0000096101283025 × 8760 × 100
        #expect(approx(btc.markPrice, 77804.85141726))
        #expect(approx(btc.indexPrice, 77788.24195927))        // underlying_price
        #expect(approx(btc.bestBid, 77804.3))
        #expect(approx(btc.bestAsk, 77814))
        #expect(approx(btc.openInterestBase, 50.4599))
        #expect(approx(btc.openInterestUSD, 3926025.022029797874)) // 50.4599 × 77804.85141726
        #expect(approx(btc.volume24hUSD, 4273947.632803999))
        #expect(btc.nextFundingTime == nil)                    // continuous accrual
        #expect(btc.time == now)  // the observation time (the collector stamps it), not a venue time
    }

    @Test func ethPerpWithoutADefinition() throws {
        // ETH-USD-PERP is not in the recorded /v1/markets sample: symbol and quote come from the name, the
        // period is the documented default.
        let eth = try #require(try parse().snapshots.first { $0.dexSymbol == "ETH-USD-PERP" })
        #expect(eth.symbol == "ETH")
        #expect(eth.quote == "USD")
        #expect(eth.fundingIntervalHours == 8)
        #expect(approx(eth.fundingRate, 0.00008019490495))
        #expect(approx(eth.rate8h, 0.00008019490495))          // period is 8h: rate8h = rate
        #expect(approx(eth.rate1h, 0.00001002436311875))       // 0.00008019490495 / 8
        #expect(approx(eth.markPrice, 2575.96185222))
        #expect(approx(eth.indexPrice, 2575.53476288))
        #expect(approx(eth.bestBid, 2576.12))
        #expect(approx(eth.bestAsk, 2576.8))
        #expect(approx(eth.openInterestUSD, 3225453.024214230588)) // 1252.1354 × 2575.96185222
        #expect(approx(eth.volume24hUSD, 5621600.612198004))
    }

    @Test func everyFixtureMarketParsesOrIsSkippedOnPurpose() throws {
        let result = try parse()
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC-USD-PERP", "ETH-USD-PERP"])
        #expect(result.excluded == [.option: 1])               // BTC-USD-25JUN27-86000-C
        for s in result.snapshots { #expect(SnapshotValidator().rejection(for: s) == nil) }
    }

    @Test func periodFromTheDefinitionAndAThousandPrefix() throws {
        // Constructed input (no recording has a non-8h market or a k-prefixed one): numbers are made up.
        let summary = """
        {"results":[
          {"symbol":"SOL-USD-PERP","mark_price":"150","open_interest":"10","funding_rate":"0.0004","bid":"","ask":"",
           "volume_24h":"1000","created_at":1789147120000},
          {"symbol":"kBONK-USD-PERP","mark_price":"0.02","open_interest":"500","funding_rate":"0.0001",
           "volume_24h":"10","created_at":1789147120000},
          {"symbol":"BTC-USD-PERP","mark_price":"1","open_interest":"1","funding_rate":"","created_at":1789147120000},
          {"symbol":"BTC-USD-26JUN26","mark_price":"1","funding_rate":"","created_at":1789147120000}]}
        """
        let markets = """
        {"results":[
          {"symbol":"SOL-USD-PERP","base_currency":"SOL","quote_currency":"USD","asset_kind":"PERP","funding_period_hours":4},
          {"symbol":"BTC-USD-PERP","base_currency":"BTC","quote_currency":"USD","asset_kind":"PERP"},
          {"symbol":"BTC-USD-26JUN26","base_currency":"BTC","quote_currency":"USD","asset_kind":"FUTURE"}]}
        """
        let result = try ParadexAdapter.parse(summary: Data(summary.utf8), markets: Data(markets.utf8), now: now)
        let sol = try #require(result.snapshots.first { $0.dexSymbol == "SOL-USD-PERP" })
        #expect(sol.fundingIntervalHours == 4)
        #expect(approx(sol.rate1h, 0.0001))                    // 0.0004 per 4h / 4
        #expect(sol.bestBid == nil && sol.bestAsk == nil)      // "" = empty book side
        let bonk = try #require(result.snapshots.first { $0.dexSymbol == "kBONK-USD-PERP" })
        #expect(bonk.symbol == "BONK")
        #expect(bonk.multiplier == 1000)
        #expect(result.excluded == [.notPerpetual: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
    }

    @Test func fetchThroughRoutes() async throws {
        let result = try await ParadexAdapter().fetch(
            client: Fixtures.client("paradex"), baseURL: ParadexAdapter.descriptor.defaultBaseURL, now: now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC-USD-PERP", "ETH-USD-PERP"])
        #expect(result.excluded == [.option: 1])
        #expect(approx(result.snapshots.first?.openInterestUSD, 3926025.022029797874))
    }

    @Test func truncatedPayloadThrows() throws {
        let summary = try Fixtures.data("paradex", "markets_summary_prod.json")
        #expect(throws: VenuePayloadError.self) {
            try ParadexAdapter.parse(
                summary: summary.prefix(500), markets: Fixtures.data("paradex", "markets.json"), now: now)
        }
    }

    @Test func nonNumericRateThrows() throws {
        let summary = #"{"results":[{"symbol":"BTC-USD-PERP","funding_rate":"abc"}]}"#
        #expect(throws: VenuePayloadError.self) {
            try ParadexAdapter.parse(
                summary: Data(summary.utf8), markets: Fixtures.data("paradex", "markets.json"), now: now)
        }
    }
}
