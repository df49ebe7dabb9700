import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Expected values are read by hand from `Tests/Fixtures/binance-usdm/premium-index-all.json` (live recording,
/// every row stamped `time` 1732715655000 = 2024-11-27T13:54:15Z) and the docs examples next to it.
@Suite struct BinanceAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func parsed() throws -> VenueFetchResult {
        try BinanceAdapter.parse(
            premiumIndex: Fixtures.data("binance-usdm", "premium-index-all.json"),
            fundingInfo: Fixtures.data("binance-usdm", "funding-info.json"),
            tickers24h: Data?.none, bookTickers: Data?.none, now: Self.now)
    }

    func market(_ result: VenueFetchResult, _ dexSymbol: String) throws -> MarketSnapshot {
        try #require(result.snapshots.first { $0.dexSymbol == dexSymbol })
    }

    @Test func btcusdt() throws {
        let s = try market(parsed(), "BTCUSDT")
        #expect(s.dex == "binance")
        #expect(s.symbol == "BTC")
        #expect(s.quote == "USDT")
        #expect(s.margin == .linear)
        #expect(s.multiplier == 1)
        // lastFundingRate "0.00013062" is already a fraction per interval; BTCUSDT is not in fundingInfo → 8 h.
        #expect(abs(s.fundingRate - 0.00013062) < 1e-12)
        #expect(s.fundingIntervalHours == 8)
        // 0.00013062 / 8 = 0.0000163275 per hour
        #expect(abs(s.rate1h - 0.0000163275) < 1e-12)
        #expect(s.predictedRate == nil)
        #expect(abs(s.markPrice! - 93951.8) < 1e-9)
        #expect(abs(s.indexPrice! - 93902.89680851) < 1e-9)
        // nextFundingTime 1732723200000 ms = 2024-11-27T16:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_732_723_200))
        #expect(s.time == Self.now)  // the observation time (the collector stamps it), not a venue time
        // Only the all-symbol answers were parsed: OI, volume and book are not part of them.
        #expect(s.openInterestBase == nil && s.openInterestUSD == nil && s.volume24hUSD == nil)
        #expect(s.bestBid == nil && s.bestAsk == nil)
    }

    @Test func thousandPepeCarriesMultiplier() throws {
        let s = try market(parsed(), "1000PEPEUSDT")
        #expect(s.symbol == "PEPE")
        #expect(s.multiplier == 1000)
        #expect(s.quote == "USDT")
        // "0.00010000" → 0.0001 per 8 h; / 8 = 0.0000125 per hour
        #expect(abs(s.fundingRate - 0.0001) < 1e-12)
        #expect(abs(s.rate1h - 0.0000125) < 1e-12)
        // prices stay per contract unit (per 1000 PEPE), as quoted
        #expect(abs(s.markPrice! - 0.0183524) < 1e-12)
        #expect(abs(s.indexPrice! - 0.01834651) < 1e-12)
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_732_723_200))
    }

    @Test func usdcPerpetualAndMillionPrefix() throws {
        let result = try parsed()
        let usdc = try market(result, "BTCUSDC")
        #expect(usdc.symbol == "BTC")
        #expect(usdc.quote == "USDC")
        // "0.00018617" per 8 h; / 8 = 0.00002327125 per hour
        #expect(abs(usdc.fundingRate - 0.00018617) < 1e-12)
        #expect(abs(usdc.rate1h - 0.00002327125) < 1e-12)
        #expect(abs(usdc.markPrice! - 93972.1) < 1e-9)

        let mog = try market(result, "1000000MOGUSDT")
        #expect(mog.symbol == "MOG")
        #expect(mog.multiplier == 1_000_000)
        // "0.00016623" per 8 h; / 8 = 0.00002077875 per hour
        #expect(abs(mog.rate1h - 0.00002077875) < 1e-12)
        #expect(abs(mog.markPrice! - 2.4304) < 1e-12)

        let babydoge = try market(result, "1MBABYDOGEUSDT")
        #expect(babydoge.symbol == "BABYDOGE")
        #expect(babydoge.multiplier == 1_000_000)
        #expect(try market(result, "1INCHUSDT").symbol == "1INCH")
        #expect(try market(result, "1INCHUSDT").multiplier == 1)
    }

    @Test func fundingInfoIntervalIsUsed() throws {
        // funding-info.json (docs example) lists BLZUSDT with fundingIntervalHours 8, the only row it has.
        let s = try market(parsed(), "BLZUSDT")
        #expect(s.fundingIntervalHours == 8)
    }

    @Test func everyRowParsesOrIsSkippedOnPurpose() throws {
        let result = try parsed()
        // 379 rows = 373 perpetuals + 4 delivery contracts (BTCUSDT_241227, BTCUSDT_250328, ETHUSDT_241227,
        // ETHUSDT_250328) + 2 markets quoted in BTC (ETHBTC, BNBBTC)
        #expect(result.snapshots.count == 373)
        #expect(result.excluded == [.datedFuture: 4, .nonUSDQuote: 2])
        #expect(result.problems.isEmpty && result.degraded.isEmpty)
        #expect(Set(result.snapshots.map(\.dexSymbol)).count == 373)
        #expect(result.snapshots.allSatisfy { SnapshotValidator().rejection(for: $0) == nil })
    }

    /// ticker-24hr.json and book-ticker.json are docs examples with **placeholder** values (last price 4.0000002
    /// for BTCUSDT): the numbers below only check which field lands where, they are not market facts.
    @Test func tickerAndBookFieldMapping() throws {
        let result = try BinanceAdapter.parse(
            premiumIndex: Fixtures.data("binance-usdm", "premium-index-all.json"),
            fundingInfo: Data?.none,
            tickers24h: Fixtures.data("binance-usdm", "ticker-24hr.json"),
            bookTickers: Fixtures.data("binance-usdm", "book-ticker.json"), now: Self.now)
        let s = try market(result, "BTCUSDT")
        #expect(s.volume24hUSD == 15.3)  // quoteVolume "15.30000000", not volume "8913.3"
        #expect(s.bestBid == 4.0)  // bidPrice "4.00000000"
        #expect(s.bestAsk == 4.000002)  // askPrice "4.00000200"
        #expect(try market(result, "ETHUSDT").volume24hUSD == nil)
    }

    @Test func openInterestAnswer() throws {
        // open-interest.json (docs example): "openInterest": "10659.509" BTC
        #expect(try BinanceAdapter.parseOpenInterest(Fixtures.data("binance-usdm", "open-interest.json")) == 10659.509)
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await BinanceAdapter().fetch(
            client: Fixtures.client("binance"), baseURL: BinanceAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.count == 373)
        // Only the per-symbol ticker answers were recorded, so the all-symbol ticker/24hr and bookTicker requests
        // find no recording (404) and every row lacks volume and book; open interest was recorded for BTCUSDT only.
        #expect(result.excluded == [.datedFuture: 4, .nonUSDQuote: 2])
        #expect(result.degraded == [.volume: 373, .bookTop: 373, .openInterest: 372])
        #expect(result.problems.isEmpty)
        let btc = try market(result, "BTCUSDT")
        // 10659.509 BTC (docs example) × mark 93951.8 = 1,001,480,057.6662 USD
        #expect(btc.openInterestBase == 10659.509)
        #expect(abs(btc.openInterestUSD! - 1_001_480_057.6662) < 1e-3)
        #expect(btc.collectionLatencyMs != nil)
        #expect(try market(result, "ETHUSDT").openInterestUSD == nil)
    }

    @Test func truncatedPayloadThrows() throws {
        let whole = try Fixtures.data("binance-usdm", "premium-index-all.json")
        #expect(throws: VenuePayloadError.self) {
            try BinanceAdapter.parse(
                premiumIndex: whole.prefix(1000), fundingInfo: Data?.none, tickers24h: Data?.none,
                bookTickers: Data?.none, now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try BinanceAdapter.parseOpenInterest(Data(#"{"openInterest": "abc", "symbol": "BTCUSDT"}"#.utf8))
        }
    }
}
