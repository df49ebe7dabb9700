import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings: `all_instruments_live.json` (live, 6 perpetuals with 8 h and 4 h intervals), `ticker.json`
/// (BTC_USDT_Perp only, a ccxt response sample of 2025-12-03). No ticker was recorded for the other
/// instruments, so only BTC yields a full snapshot; the others are checked through the instruments answer.
@Suite struct GRVTAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func instruments() throws -> [GRVTAdapter.Instrument] {
        let (instruments, skipped) = try GRVTAdapter.parseInstruments(Fixtures.data("grvt", "all_instruments_live.json"))
        #expect(skipped.excluded.isEmpty && skipped.problems.isEmpty)
        return instruments
    }

    func instrument(_ name: String) throws -> GRVTAdapter.Instrument {
        try #require(try instruments().first { $0.instrument == name })
    }

    @Test func btcTicker() throws {
        let s = try #require(try GRVTAdapter.parseTicker(
            Fixtures.data("grvt", "ticker.json"), instrument: instrument("BTC_USDT_Perp"), now: Self.now))
        #expect(s.dex == "grvt")
        #expect(s.dexSymbol == "BTC_USDT_Perp")
        #expect(s.symbol == "BTC")
        #expect(s.quote == "USDT")
        #expect(s.margin == .linear)
        #expect(s.multiplier == 1)
        // funding_rate "0.0037" is percent per 8 h: 0.0037 % → 0.000037 per 8 h; / 8 = 0.000004625 per hour
        #expect(abs(s.fundingRate - 0.000037) < 1e-15)
        #expect(s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.000004625) < 1e-15)
        #expect(s.predictedRate == nil)
        // next_funding_time "1764777600000000000" ns = 2025-12-03T16:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_764_777_600))
        #expect(s.time == Self.now)  // the observation time (the collector stamps it), not a venue time
        #expect(abs(s.markPrice! - 92697.300078773) < 1e-9)
        #expect(abs(s.indexPrice! - 92727.818122278) < 1e-9)
        #expect(abs(s.bestBid! - 92682.9) < 1e-9)
        #expect(abs(s.bestAsk! - 92683.0) < 1e-9)
        // open_interest "1523.218935908" BTC × mark 92697.300078773 = 141,198,282.7875 USD
        #expect(abs(s.openInterestBase! - 1523.218935908) < 1e-9)
        #expect(abs(s.openInterestUSD! - 141_198_282.7875) < 1e-3)
        // buy_volume_24h_q 266,955,739.1606 + sell_volume_24h_q 268,170,211.7109 = 535,125,950.8715 USDT
        #expect(abs(s.volume24hUSD! - 535_125_950.8715) < 1e-4)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func fourHourIntervalAndThousandPrefix() throws {
        // ENA_USDT_Perp: funding_interval_hours 4
        let ena = try instrument("ENA_USDT_Perp")
        #expect(ena.symbol == "ENA")
        #expect(ena.fundingIntervalHours == 4)
        #expect(ena.multiplier == 1)
        // KBONK_USDT_Perp: base "KBONK" = 1000 BONK per contract unit, funding_interval_hours 4
        let bonk = try instrument("KBONK_USDT_Perp")
        #expect(bonk.symbol == "BONK")
        #expect(bonk.multiplier == 1000)
        #expect(bonk.quote == "USDT")
        #expect(bonk.fundingIntervalHours == 4)
        // tradfi perps keep their own names: XAU 4 h, AAPL 8 h
        #expect(try instrument("XAU_USDT_Perp").symbol == "XAU")
        #expect(try instrument("XAU_USDT_Perp").fundingIntervalHours == 4)
        #expect(try instrument("AAPL_USDT_Perp").fundingIntervalHours == 8)
    }

    @Test func everyInstrumentParsesOrIsSkippedOnPurpose() throws {
        #expect(try instruments().map(\.instrument) == [
            "BTC_USDT_Perp", "ETH_USDT_Perp", "ENA_USDT_Perp", "XAU_USDT_Perp", "AAPL_USDT_Perp", "KBONK_USDT_Perp",
        ])
        // ccxt's one-row sample (kind PERPETUAL filter): AAVE, 8 h
        let (ccxtRows, skipped) = try GRVTAdapter.parseInstruments(Fixtures.data("grvt", "all_instruments.json"))
        #expect(ccxtRows == [GRVTAdapter.Instrument(
            instrument: "AAVE_USDT_Perp", symbol: "AAVE", quote: "USDT", multiplier: 1, fundingIntervalHours: 8)])
        #expect(skipped.excluded.isEmpty && skipped.problems.isEmpty)
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await GRVTAdapter().fetch(
            client: Fixtures.client("grvt"), baseURL: GRVTAdapter.descriptor.defaultBaseURL, now: Self.now)
        // 6 perpetuals; only BTC_USDT_Perp's ticker was recorded, the other 5 requests find no recording.
        #expect(result.snapshots.map(\.dexSymbol) == ["BTC_USDT_Perp"])
        #expect(result.failedRequests.count == 1)
        #expect(result.failedRequests.first?.marketsLost == 5)
        #expect(abs(result.snapshots[0].fundingRate - 0.000037) < 1e-15)
        #expect(result.snapshots[0].collectionLatencyMs != nil)
    }

    @Test func truncatedPayloadThrows() throws {
        let ticker = try Fixtures.data("grvt", "ticker.json")
        let btc = try instrument("BTC_USDT_Perp")
        #expect(throws: VenuePayloadError.self) {
            try GRVTAdapter.parseTicker(ticker.prefix(300), instrument: btc, now: Self.now)
        }
        let instruments = try Fixtures.data("grvt", "all_instruments_live.json")
        #expect(throws: VenuePayloadError.self) { try GRVTAdapter.parseInstruments(instruments.prefix(500)) }
        // the BTC ticker answer is not ETH's
        #expect(throws: VenuePayloadError.self) {
            try GRVTAdapter.parseTicker(ticker, instrument: self.instrument("ETH_USDT_Perp"), now: Self.now)
        }
    }
}
