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

@Suite("Hyperliquid adapter")
struct HyperliquidAdapterTests {
    func core() throws -> VenueFetchResult {
        try HyperliquidAdapter.parseMetaAndAssetCtxs(Fixtures.data("hyperliquid", "metaAndAssetCtxs.json"), now: now)
    }

    func xyz() throws -> VenueFetchResult {
        try HyperliquidAdapter.parseMetaAndAssetCtxs(
            Fixtures.data("hyperliquid", "metaAndAssetCtxs_dex_xyz.json"), now: now)
    }

    @Test func coreBTCFromTheDocsExample() throws {
        // Docs example values (illustrative prices, not BTC's real ones).
        let btc = try #require(try core().snapshots.first { $0.dexSymbol == "BTC" })
        #expect(btc.dex == "hyperliquid")
        #expect(btc.symbol == "BTC")
        #expect(btc.quote == "USDC")
        #expect(btc.multiplier == 1)
        #expect(approx(btc.fundingRate, 0.0000125))          // "funding": fraction per 1h, used as is
        #expect(btc.fundingIntervalHours == 1)
        #expect(approx(btc.rate1h, 0.0000125))                // 0.0000125 / 1
        #expect(approx(btc.rate8h, 0.0001))                   // 0.0000125 × 8
        #expect(approx(btc.apr, 10.95))                       // 0.0000125 × 8760 × 100 = 10.95 %
        #expect(approx(btc.markPrice, 14.3161))
        #expect(approx(btc.indexPrice, 14.32))                // oraclePx
        #expect(approx(btc.openInterestBase, 688.11))
        #expect(approx(btc.openInterestUSD, 9851.051571))     // 688.11 × 14.3161
        #expect(approx(btc.volume24hUSD, 1169046.29406))      // dayNtlVlm
        #expect(btc.bestBid == nil && btc.bestAsk == nil)     // impactPxs are not the top of book
        #expect(btc.nextFundingTime == Date(timeIntervalSince1970: 1_789_149_600)) // next top of the hour
        #expect(btc.time == now)
        #expect(btc.predictedRate == nil)
    }

    @Test func coreETHAndHPOS() throws {
        let result = try core()
        let eth = try #require(result.snapshots.first { $0.dexSymbol == "ETH" })
        #expect(approx(eth.fundingRate, 0.0000125))
        #expect(approx(eth.markPrice, 6.0436))
        #expect(approx(eth.indexPrice, 6.0457))
        #expect(approx(eth.openInterestUSD, 11377.37918))     // 1882.55 × 6.0436
        #expect(approx(eth.volume24hUSD, 1426126.295175))

        let hpos = try #require(result.snapshots.first { $0.dexSymbol == "HPOS" })
        #expect(hpos.symbol == "HPOS")
        #expect(approx(hpos.openInterestBase, 2912.05))
        #expect(approx(hpos.openInterestUSD, 24619.05311))    // 2912.05 × 8.4542
        #expect(approx(hpos.volume24hUSD, 809774.565507))
        #expect(approx(hpos.indexPrice, 8.4585))
    }

    @Test func hip3BuilderDexMarkets() throws {
        let result = try xyz()
        let xyz100 = try #require(result.snapshots.first { $0.dexSymbol == "xyz:XYZ100" })
        #expect(xyz100.symbol == "XYZ100")
        #expect(xyz100.quote == "USDC")                       // collateralToken 0
        #expect(approx(xyz100.fundingRate, 0.00000625))
        #expect(approx(xyz100.apr, 5.475))                    // 0.00000625 × 8760 × 100
        #expect(approx(xyz100.markPrice, 29432.0))
        #expect(approx(xyz100.indexPrice, 29438.0))
        #expect(approx(xyz100.openInterestUSD, 260117661.44)) // 8837.92 × 29432.0
        #expect(approx(xyz100.volume24hUSD, 274087289.4394002557))

        let aapl = try #require(result.snapshots.first { $0.dexSymbol == "xyz:AAPL" })
        #expect(aapl.symbol == "AAPL")
        #expect(aapl.multiplier == 1)
        #expect(approx(aapl.fundingRate, -0.0000178177))
        #expect(approx(aapl.rate8h, -0.0001425416))           // −0.0000178177 × 8
        #expect(approx(aapl.apr, -15.6083052))                // −0.0000178177 × 8760 × 100
        #expect(approx(aapl.openInterestBase, 253476.492))
        #expect(approx(aapl.openInterestUSD, 84643404.97356)) // 253476.492 × 333.93
        #expect(approx(aapl.volume24hUSD, 30905658.5694200099))
    }

    @Test func everyFixtureMarketParsesOrIsSkippedOnPurpose() throws {
        let core = try core()
        #expect(core.snapshots.map(\.dexSymbol) == ["BTC", "ETH", "HPOS"])
        #expect(core.excluded.isEmpty && core.problems.isEmpty)
        let xyz = try xyz()
        #expect(xyz.snapshots.map(\.dexSymbol) == ["xyz:XYZ100", "xyz:AAPL"])
        #expect(xyz.excluded == [.delisted: 1])               // xyz:DELISTED has isDelisted: true
        let validator = SnapshotValidator()
        for s in core.snapshots + xyz.snapshots { #expect(validator.rejection(for: s) == nil) }
    }

    @Test func kPEPEIsAThousandPEPE() throws {
        // Constructed input in the metaAndAssetCtxs shape (no recording has kPEPE's context): checks the
        // multiplier only; the numbers are made up.
        let json = """
        [{"universe":[{"name":"kPEPE","szDecimals":0,"maxLeverage":10}]},
         [{"funding":"0.00001","markPx":"0.012","oraclePx":"0.0121","openInterest":"1000000","dayNtlVlm":"5000"}]]
        """
        let result = try HyperliquidAdapter.parseMetaAndAssetCtxs(Data(json.utf8), now: now)
        let pepe = try #require(result.snapshots.first)
        #expect(pepe.dexSymbol == "kPEPE")
        #expect(pepe.symbol == "PEPE")
        #expect(pepe.multiplier == 1000)
        #expect(approx(pepe.openInterestUSD, 12000))          // 1,000,000 kPEPE × 0.012 USD per kPEPE
    }

    @Test func perpDexsListsTheBuilderDexes() throws {
        #expect(try HyperliquidAdapter.parsePerpDexs(Fixtures.data("hyperliquid", "perpDexs.json")) == ["xyz", "flx"])
    }

    @Test func fetchThroughRoutes() async throws {
        let result = try await HyperliquidAdapter().fetch(
            client: Fixtures.client("hyperliquid"), baseURL: HyperliquidAdapter.descriptor.defaultBaseURL, now: now)
        // core 3 + xyz 2; xyz:DELISTED excluded; `flx` has no recording, so its request fails (404) and is counted.
        #expect(result.snapshots.count == 5)
        #expect(Set(result.snapshots.map(\.dexSymbol)) == ["BTC", "ETH", "HPOS", "xyz:XYZ100", "xyz:AAPL"])
        #expect(result.excluded == [.delisted: 1])
        #expect(result.failedRequests.map(\.request) == ["info metaAndAssetCtxs dex=flx"])
        #expect(result.snapshots.allSatisfy { $0.collectionLatencyMs != nil })
    }

    @Test func truncatedPayloadThrows() throws {
        let data = try Fixtures.data("hyperliquid", "metaAndAssetCtxs.json")
        #expect(throws: VenuePayloadError.self) {
            try HyperliquidAdapter.parseMetaAndAssetCtxs(data.prefix(300), now: now)
        }
    }

    @Test func contextCountMismatchThrows() throws {
        let json = #"[{"universe":[{"name":"BTC"},{"name":"ETH"}]},[{"funding":"0.0000125","markPx":"1"}]]"#
        #expect(throws: VenuePayloadError.self) {
            try HyperliquidAdapter.parseMetaAndAssetCtxs(Data(json.utf8), now: now)
        }
    }
}
