import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings: `instruments-swap.json` (looks live: BTC-USD-SWAP, ETH-USDT-SWAP, BTC-USDT-SWAP) and
/// `funding-rate.json` (docs example, BTC-USDT-SWAP, 2025-04). tickers, open-interest and mark-price are OKX's
/// **placeholder** examples (markPx "200", oiUsd "50000"): they are used for field mapping only. No funding
/// answer was recorded for BTC-USD-SWAP or ETH-USDT-SWAP, so only BTC-USDT-SWAP yields a snapshot.
@Suite struct OKXAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func instruments() throws -> [OKXAdapter.Instrument] {
        try OKXAdapter.parseInstruments(Fixtures.data("okx", "instruments-swap.json")).0
    }

    func funding() throws -> OKXAdapter.Funding {
        try OKXAdapter.parseFundingRate(Fixtures.data("okx", "funding-rate.json"), instId: "BTC-USDT-SWAP")
    }

    @Test func instrumentsLinearAndInverse() throws {
        let byId = Dictionary(uniqueKeysWithValues: try instruments().map { ($0.instId, $0) })
        // BTC-USD-SWAP: ctType inverse, instFamily BTC-USD (100 USD contracts, settled in BTC)
        #expect(byId["BTC-USD-SWAP"] == OKXAdapter.Instrument(
            instId: "BTC-USD-SWAP", symbol: "BTC", quote: "USD", margin: .inverse, multiplier: 1))
        // ETH-USDT-SWAP: ctType linear, instFamily ETH-USDT (ctVal 0.1 ETH is a contract size, not a multiplier)
        #expect(byId["ETH-USDT-SWAP"] == OKXAdapter.Instrument(
            instId: "ETH-USDT-SWAP", symbol: "ETH", quote: "USDT", margin: .linear, multiplier: 1))
        #expect(byId["BTC-USDT-SWAP"] == OKXAdapter.Instrument(
            instId: "BTC-USDT-SWAP", symbol: "BTC", quote: "USDT", margin: .linear, multiplier: 1))
    }

    @Test func btcUsdtFunding() throws {
        let f = try funding()
        // fundingRate "0.0000182221218054" is a fraction for the current period
        #expect(abs(f.rate - 0.0000182221218054) < 1e-18)
        // nextFundingTime − fundingTime = 1743638400000 − 1743609600000 = 28,800,000 ms = 8 h
        #expect(f.intervalHours == 8)
        // fundingTime 1743609600000 = 2025-04-02T16:00:00Z is when this rate settles
        #expect(f.settlesAt == Date(timeIntervalSince1970: 1_743_609_600))
        // nextFundingRate "" (method current_period) → no predicted rate
        #expect(f.predictedRate == nil)
    }

    @Test func assembledSnapshot() throws {
        let result = try OKXAdapter.assemble(
            instruments: instruments(), fundings: ["BTC-USDT-SWAP": funding()],
            tickers: Fixtures.data("okx", "tickers-swap.json"),
            openInterest: Fixtures.data("okx", "open-interest.json"),
            markPrices: Fixtures.data("okx", "mark-price.json"), now: Self.now)
        #expect(result.dropped == [.missingFundingRate: 2])
        let s = try #require(result.snapshots.first)
        #expect(result.snapshots.count == 1)
        #expect(s.dex == "okx")
        #expect(s.dexSymbol == "BTC-USDT-SWAP")
        #expect(s.symbol == "BTC")
        #expect(s.quote == "USDT")
        #expect(s.margin == .linear)
        #expect(s.fundingIntervalHours == 8)
        // 0.0000182221218054 / 8 = 0.000002277765225675 per hour
        #expect(abs(s.rate1h - 0.000002277765225675) < 1e-18)
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_743_609_600))
        #expect(s.time == Self.now)  // observation time; the collector stamps it
        // Placeholder values, mapping only: markPx "200", oiCcy "555.55", oiUsd "50000".
        #expect(s.markPrice == 200)
        #expect(s.openInterestBase == 555.55)
        #expect(s.openInterestUSD == 50000)
        // The tickers example has LTC-USD-SWAP and BTC-USD-SWAP only: no book or volume for BTC-USDT-SWAP.
        #expect(s.bestBid == nil && s.bestAsk == nil && s.volume24hUSD == nil)
        #expect(s.indexPrice == nil)
    }

    @Test func everyInstrumentParsesOrIsSkippedOnPurpose() throws {
        let (instruments, skipped) = try OKXAdapter.parseInstruments(Fixtures.data("okx", "instruments-swap.json"))
        #expect(instruments.count == 3)
        #expect(skipped.excluded.isEmpty && skipped.problems.isEmpty)
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await OKXAdapter(fundingSpacing: .zero).fetch(
            client: Fixtures.client("okx"), baseURL: OKXAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC-USDT-SWAP"])
        // funding-rate was recorded for BTC-USDT-SWAP only; the other two requests find no recording.
        #expect(result.failedRequests.count == 1)
        #expect(result.failedRequests.first?.marketsLost == 2)
        #expect(result.dropped.isEmpty)
        #expect(abs(result.snapshots[0].fundingRate - 0.0000182221218054) < 1e-18)
        #expect(result.snapshots[0].collectionLatencyMs != nil)
    }

    @Test func truncatedPayloadThrows() throws {
        let whole = try Fixtures.data("okx", "instruments-swap.json")
        #expect(throws: VenuePayloadError.self) { try OKXAdapter.parseInstruments(whole.prefix(700)) }
        let funding = try Fixtures.data("okx", "funding-rate.json")
        #expect(throws: VenuePayloadError.self) {
            try OKXAdapter.parseFundingRate(funding.prefix(200), instId: "BTC-USDT-SWAP")
        }
        // an answer for another instrument is not this one's
        #expect(throws: VenuePayloadError.self) { try OKXAdapter.parseFundingRate(funding, instId: "ETH-USDT-SWAP") }
    }
}
