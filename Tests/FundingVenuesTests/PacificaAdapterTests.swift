import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings: `info_prices.json` (the docs' sample, XPL, 2025-09-30) and `info_live.json` (live 2026-09, ten
/// markets of `/info` including the spot pair SOL-USDC).
@Suite struct PacificaAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_759_222_980)  // 2025-09-30T09:03:00Z

    func parsed() throws -> VenueFetchResult {
        try PacificaAdapter.parse(
            prices: Fixtures.data("pacifica", "info_prices.json"), info: Fixtures.data("pacifica", "info_live.json"),
            now: Self.now)
    }

    @Test func xpl() throws {
        let s = try #require(try parsed().snapshots.first)
        #expect(s.dex == "pacifica" && s.dexSymbol == "XPL" && s.symbol == "XPL" && s.quote == "USD")
        #expect(s.multiplier == 1 && s.margin == .linear)
        // funding "0.00010529" is a fraction per 1 h; next_funding "0.00011096" the settlement after it
        #expect(s.fundingRate == 0.00010529 && s.fundingIntervalHours == 1 && s.rate1h == 0.00010529)
        #expect(s.predictedRate == 0.00011096)
        // mark "1.084819", oracle "1.084524"
        #expect(s.markPrice == 1.084819 && s.indexPrice == 1.084524)
        // open_interest "3634796" XPL × mark 1.084819 = 3,943,095.761924 USD
        #expect(s.openInterestBase == 3_634_796)
        #expect(abs(s.openInterestUSD! - 3_943_095.761924) < 1e-6)
        #expect(s.volume24hUSD == 20_896_698.0672)
        // next top of the hour after 09:03:00Z = 10:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_759_222_800 + 3600))
        #expect(s.bestBid == nil && s.bestAsk == nil && s.time == Self.now)
    }

    @Test func spotPairsAreExcludedAndThousandsPrefixIsAMultiplier() throws {
        let prices = Data(#"""
            {"success":true,"data":[
              {"symbol":"SOL-USDC","funding":"0","mark":"150"},
              {"symbol":"kBONK","funding":"-0.00000345","next_funding":"-0.00000332","mark":"0.021","open_interest":"1000"},
              {"symbol":"NEW","mark":"2"}],"error":null,"code":null}
            """#.utf8)
        let result = try PacificaAdapter.parse(prices: prices, info: Fixtures.data("pacifica", "info_live.json"), now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["kBONK"])
        let bonk = try #require(result.snapshots.first)
        // kBONK = 1,000 BONK per contract unit; OI 1,000 contract units × 0.021 = 21 USD
        #expect(bonk.symbol == "BONK" && bonk.multiplier == 1000 && bonk.openInterestUSD == 21)
        #expect(result.excluded == [.spot: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
    }

    @Test func theDocsSampleWithoutInstrumentTypeCountsAsPerpetual() throws {
        let result = try PacificaAdapter.parse(
            prices: Fixtures.data("pacifica", "info_prices.json"), info: Fixtures.data("pacifica", "info.json"),
            now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["XPL"] && result.excluded.isEmpty)
    }

    @Test func errorsAndMalformedAnswersThrow() throws {
        let info = try Fixtures.data("pacifica", "info_live.json")
        let failed = Data(#"{"success":false,"data":null,"error":"rate limited","code":429}"#.utf8)
        #expect(throws: VenuePayloadError.self) { try PacificaAdapter.parse(prices: failed, info: info, now: Self.now) }
        let whole = try Fixtures.data("pacifica", "info_prices.json")
        #expect(throws: VenuePayloadError.self) {
            try PacificaAdapter.parse(prices: whole.prefix(100), info: info, now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) { try PacificaAdapter.parse(prices: whole, info: failed, now: Self.now) }
    }

    @Test func fetchThroughTheRecordings() async throws {
        let result = try await PacificaAdapter().fetch(
            client: Fixtures.client("pacifica"), baseURL: PacificaAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["XPL"] && result.problems.isEmpty)
    }
}
