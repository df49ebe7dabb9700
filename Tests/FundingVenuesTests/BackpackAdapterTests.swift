import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings (`Tests/Fixtures/backpack/SOURCE.md`): `markets.json`, `markPrices.json`, `openInterest.json`,
/// `tickers.json` (live 2026-09-13, trimmed by their source: 10 markets, 9 of them perps), and the 8 h era pair
/// `markets_ccxt.json` + `markPrices_2025-08.json`.
@Suite struct BackpackAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_789_338_600)  // 2026-09-13T22:30:00Z

    func parsed() throws -> VenueFetchResult {
        try BackpackAdapter.parse(
            markets: Fixtures.data("backpack", "markets.json"), markPrices: Fixtures.data("backpack", "markPrices.json"),
            openInterest: Fixtures.data("backpack", "openInterest.json"), tickers: Fixtures.data("backpack", "tickers.json"),
            now: Self.now)
    }

    func market(_ symbol: String) throws -> MarketSnapshot {
        try #require(try parsed().snapshots.first { $0.dexSymbol == symbol })
    }

    @Test func btc() throws {
        let s = try market("BTC_USDC_PERP")
        #expect(s.dex == "backpack" && s.symbol == "BTC" && s.quote == "USDC" && s.multiplier == 1 && s.margin == .linear)
        // fundingRate "0.0000007945965277712049003927" per interval; fundingInterval 3600000 ms / 3,600,000 = 1 h
        #expect(s.fundingRate == 0.0000007945965277712049003927 && s.fundingIntervalHours == 1)
        #expect(s.rate1h == 0.0000007945965277712049003927 && s.predictedRate == nil)
        #expect(s.markPrice == 76746.5 && s.indexPrice == 76785.99441873)
        // openInterest "412.67346" BTC × mark 76746.5 = 31,671,243.69789 USD
        #expect(s.openInterestBase == 412.67346)
        #expect(abs(s.openInterestUSD! - 31_671_243.69789) < 1e-6)
        // tickers quoteVolume "126024537.212937" USDC
        #expect(s.volume24hUSD == 126_024_537.212937)
        // nextFundingTimestamp 1789340400000 ms = 2026-09-13T23:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_789_340_400))
        #expect(s.bestBid == nil && s.bestAsk == nil && s.time == Self.now)
    }

    @Test func kPEPEIsAThousandPEPE() throws {
        let s = try market("kPEPE_USDC_PERP")
        #expect(s.symbol == "PEPE" && s.multiplier == 1000)
        // "0.0000125" per 1 h (the 0.01 %/8 h floor spread over 8 hours: 0.0001 / 8)
        #expect(s.fundingRate == 0.0000125 && s.fundingIntervalHours == 1 && s.rate1h == 0.0000125)
        #expect(s.markPrice == 0.0033465 && s.indexPrice == 0.0033479)  // USDC per kPEPE
        // 17,219,200 kPEPE × 0.0033465 = 57,624.0528 USD
        #expect(s.openInterestBase == 17_219_200)
        #expect(abs(s.openInterestUSD! - 57_624.0528) < 1e-6)
        #expect(s.volume24hUSD == 45_777.58805)
    }

    @Test func anEquityKeepsItsName() throws {
        let s = try market("MU.US_USDC_PERP")
        #expect(s.symbol == "MU.US" && s.multiplier == 1)
        #expect(s.fundingRate == 0.00000625 && s.rate1h == 0.00000625)
        #expect(s.markPrice == 935.64 && s.indexPrice == 935.94550145)
        // 91.838 × 935.64 = 85,927.30632 USD
        #expect(abs(s.openInterestUSD! - 85_927.30632) < 1e-6)
        #expect(s.volume24hUSD == 341_312.68245)
    }

    @Test func everyMarketParsesOrIsSkippedOnPurpose() throws {
        let result = try parsed()
        // 8 perps with a mark-price row; IP_USDC_PERP (orderBookState Closed) has none; SOL_USDC is spot
        #expect(result.snapshots.map(\.dexSymbol) == [
            "AMZN.US_USDC_PERP", "BTC_USDC_PERP", "DRAM.US_USDC_PERP", "ETH_USDC_PERP", "MU.US_USDC_PERP",
            "PAXG_USDC_PERP", "QQQ.US_USDC_PERP", "kPEPE_USDC_PERP",
        ])
        #expect(result.excluded == [.spot: 1])
        #expect(result.dropped == [.missingFundingRate: 1])
        // tickers.json has no AMZN.US row (it was trimmed by its source); its open interest is "0"
        #expect(result.degraded == [.volume: 1])
        #expect(result.snapshots.first?.openInterestUSD == 0)
        #expect(result.failedRequests.isEmpty)
    }

    @Test func theEightHourEraAndAStringInterval() throws {
        // ccxt's copy of /markets writes fundingInterval as a string: ETH "28800000" = 8 h (before 2025-08-20);
        // markPrices of 2025-08-12 writes nextFundingTimestamp as a string.
        let result = try BackpackAdapter.parse(
            markets: Fixtures.data("backpack", "markets_ccxt.json"),
            markPrices: Fixtures.data("backpack", "markPrices_2025-08.json"), openInterest: Data?.none,
            tickers: Data?.none, now: Date(timeIntervalSince1970: 1_754_950_000))
        let eth = try #require(result.snapshots.first)
        #expect(result.snapshots.count == 1 && eth.dexSymbol == "ETH_USDC_PERP")
        // 0.0001 per 8 h = 0.0000125 per hour
        #expect(eth.fundingRate == 0.0001 && eth.fundingIntervalHours == 8 && eth.rate1h == 0.0000125)
        #expect(eth.markPrice == 4307.57627888 && eth.indexPrice == 4308.72205352)
        // "1754956800000" ms = 2025-08-12T00:00:00Z
        #expect(eth.nextFundingTime == Date(timeIntervalSince1970: 1_754_956_800))
        #expect(eth.openInterestUSD == nil && eth.volume24hUSD == nil)
        // ETH_USDC spot; ADA_USDC_PERP has no mark-price row in that answer
        #expect(result.excluded == [.spot: 1] && result.dropped == [.missingFundingRate: 1])
        #expect(result.degraded == [.openInterest: 1, .volume: 1])
    }

    @Test func intervalAsNumberStringOrNull() throws {
        let markets = Data(#"""
            [{"symbol":"A_USDC_PERP","baseSymbol":"A","quoteSymbol":"USDC","marketType":"PERP","fundingInterval":3600000},
             {"symbol":"B_USDC_PERP","baseSymbol":"B","quoteSymbol":"USDC","marketType":"PERP","fundingInterval":"14400000"},
             {"symbol":"C_USDC_PERP","baseSymbol":"C","quoteSymbol":"USDC","marketType":"PERP","fundingInterval":null},
             {"symbol":"D_USDC_PREDICTION","marketType":"PREDICTION"}]
            """#.utf8)
        let marks = Data(#"""
            [{"symbol":"A_USDC_PERP","fundingRate":"0.0001","markPrice":"2","nextFundingTimestamp":1789340400000},
             {"symbol":"B_USDC_PERP","fundingRate":"-0.0004","markPrice":"3","nextFundingTimestamp":"1789340400000"},
             {"symbol":"C_USDC_PERP","fundingRate":"0.0001","markPrice":"4"},
             {"symbol":"E_USDC_PERP","fundingRate":"0.0001","markPrice":"5"}]
            """#.utf8)
        let result = try BackpackAdapter.parse(markets: markets, markPrices: marks, openInterest: Data("[]".utf8),
                                               tickers: Data("[]".utf8), now: Self.now)
        // 3,600,000 ms = 1 h; "14400000" ms = 4 h, so -0.0004 per 4 h = -0.0001 per hour
        #expect(result.snapshots.map(\.fundingIntervalHours) == [1, 4])
        #expect(result.snapshots.map(\.rate1h) == [0.0001, -0.0001])
        #expect(result.snapshots.map(\.nextFundingTime) == [Date(timeIntervalSince1970: 1_789_340_400),
                                                            Date(timeIntervalSince1970: 1_789_340_400)])
        // C has no interval; E is not a listed perp; D is a prediction contract
        #expect(result.dropped == [.missingFundingInterval: 1, .unknownMarket: 1])
        #expect(result.excluded == [.notPerpetual: 1])
    }

    @Test func truncatedOrWrongTypedAnswers() throws {
        let markets = try Fixtures.data("backpack", "markets.json")
        let marks = try Fixtures.data("backpack", "markPrices.json")
        let oi = try Fixtures.data("backpack", "openInterest.json")
        // a truncated or wrong-typed markets / markPrices answer fails the venue
        #expect(throws: VenuePayloadError.self) {
            try BackpackAdapter.parse(markets: markets.prefix(500), markPrices: marks, openInterest: oi, tickers: oi, now: Self.now)
        }
        let wrong = Data(String(decoding: marks, as: UTF8.self)
            .replacingOccurrences(of: #""fundingRate": "0.0000125""#, with: #""fundingRate": {"x": 1}"#).utf8)
        #expect(throws: VenuePayloadError.self) {
            try BackpackAdapter.parse(markets: markets, markPrices: wrong, openInterest: oi, tickers: oi, now: Self.now)
        }
        // a truncated open-interest answer costs that field only, reported as a failed request
        let result = try BackpackAdapter.parse(markets: markets, markPrices: marks, openInterest: oi.prefix(200),
                                               tickers: Fixtures.data("backpack", "tickers.json"), now: Self.now)
        #expect(result.snapshots.count == 8 && result.snapshots.allSatisfy { $0.openInterestUSD == nil })
        #expect(result.degraded[.openInterest] == 8)
        #expect(result.failedRequests.map(\.request) == ["GET /api/v1/openInterest"])
    }

    @Test func fetchThroughTheRecordings() async throws {
        let result = try await BackpackAdapter().fetch(
            client: Fixtures.client("backpack"), baseURL: BackpackAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.count == 8 && result.failedRequests.isEmpty)
    }

    @Test func failedTickersAndOpenInterestDegradeTheRows() async throws {
        let result = try await BackpackAdapter().fetch(
            client: RecordingsWithOutage(dex: "backpack", failing: ["/api/v1/tickers", "/api/v1/openInterest"]),
            baseURL: BackpackAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.count == 8)
        #expect(result.degraded == [.openInterest: 8, .volume: 8])
        #expect(result.failedRequests.map(\.request) == ["GET /api/v1/openInterest", "GET /api/v1/tickers"])
        // a failed markPrices request fails the venue
        await #expect(throws: HTTPFetchError.self) {
            try await BackpackAdapter().fetch(
                client: RecordingsWithOutage(dex: "backpack", failing: ["/api/v1/markPrices"]),
                baseURL: BackpackAdapter.descriptor.defaultBaseURL, now: Self.now)
        }
    }
}
