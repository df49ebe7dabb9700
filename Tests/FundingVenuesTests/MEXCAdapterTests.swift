import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// MEXC's recordings are docs examples of one contract, BTC_USDT (contract size 0.0001 BTC): the 2025-10 set
/// (`contract-detail.json`, `ticker-2025.json`, `funding-rate-2025.json`) that `routes.json` serves, and the
/// team's 2021 `ticker.json` / `funding-rate.json`.
@Suite(.timeLimit(.minutes(1))) struct MEXCAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func parsed(ticker: String = "ticker-2025.json", funding: String = "funding-rate-2025.json") throws -> VenueFetchResult {
        try MEXCAdapter.parse(
            detail: Fixtures.data("mexc", "contract-detail.json"), tickers: Fixtures.data("mexc", ticker),
            funding: Fixtures.data("mexc", funding), now: Self.now)
    }

    @Test func btcUSDTWorkedByHand() throws {
        let s = try #require(try parsed().snapshots.first)
        #expect(s.dexSymbol == "BTC_USDT" && s.symbol == "BTC" && s.quote == "USDT")
        #expect(s.margin == .linear && s.multiplier == 1 && s.time == Self.now)
        // funding_rate fundingRate 0.000018 per collectCycle 8 h; 0.000018 / 8 = 0.00000225 per hour
        #expect(s.fundingRate == 0.000018)
        #expect(s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.00000225) < 1e-15)
        #expect(s.predictedRate == nil)
        // nextSettleTime 1761897600000 ms = 2025-10-31T08:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_761_897_600))
        // fairPrice is the mark price
        #expect(s.markPrice == 109168.9 && s.indexPrice == 109235)
        // holdVol 381,485,808 contracts × contractSize 0.0001 BTC = 38,148.5808 BTC
        #expect(abs(s.openInterestBase! - 38148.5808) < 1e-6)
        // 38,148.5808 × 109,168.9 = 4,164,638,602.49712 USD
        #expect(abs(s.openInterestUSD! - 4_164_638_602.49712) < 1e-3)
        // amount24 10,374,579,341.00211 USDT
        #expect(abs(s.volume24hUSD! - 10_374_579_341.00211) < 1e-3)
        #expect(s.bestBid == 109167 && s.bestAsk == 109167.1)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func the2021RecordingsParseToo() throws {
        let s = try #require(try parsed(ticker: "ticker.json", funding: "funding-rate.json").snapshots.first)
        // fundingRate -0.000489 per collectCycle 8 h = -0.000061125 per hour
        #expect(s.fundingRate == -0.000489 && s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - -0.000061125) < 1e-15)
        // holdVol 55,102,960 × 0.0001 = 5,510.296 BTC; × fairPrice 31,199.5 = 171,918,480.052 USD
        #expect(abs(s.openInterestBase! - 5510.296) < 1e-9)
        #expect(abs(s.openInterestUSD! - 171_918_480.052) < 1e-4)
        #expect(s.volume24hUSD == 124_905_007.4428)
    }

    @Test func everyRecordedContractParsesOrIsCounted() throws {
        let result = try parsed()
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC_USDT"])
        #expect(result.excluded.isEmpty && result.dropped.isEmpty && result.failedRequests.isEmpty && result.degraded.isEmpty)
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await MEXCAdapter().fetch(
            client: Fixtures.client("mexc"), baseURL: MEXCAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC_USDT"])
        #expect(result.snapshots.first?.fundingIntervalHours == 8)
    }

    @Test func truncatedWrongTypedOrErrorPayloadThrows() throws {
        let ticker = try Fixtures.data("mexc", "ticker-2025.json")
        let detail = try Fixtures.data("mexc", "contract-detail.json")
        let funding = try Fixtures.data("mexc", "funding-rate-2025.json")
        #expect(throws: VenuePayloadError.self) {
            try MEXCAdapter.parse(detail: detail, tickers: ticker.prefix(200), funding: funding, now: Self.now)
        }
        let wrong = String(decoding: funding, as: UTF8.self)
            .replacingOccurrences(of: "\"collectCycle\": 8", with: "\"collectCycle\": \"8h\"")
        #expect(throws: VenuePayloadError.self) {
            try MEXCAdapter.parse(detail: detail, tickers: ticker, funding: Data(wrong.utf8), now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try MEXCAdapter.parse(detail: detail, tickers: ticker,
                                  funding: Data(#"{"success":false,"code":1001,"message":"contract not exist"}"#.utf8), now: Self.now)
        }
    }
}
