import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// The only Bybit tickers recording is the docs' inverse BTCUSD example (`tickers-inverse.json`, recorded on
/// testnet, so bid and ask are far apart). No linear tickers answer was recorded: linear parsing is covered by
/// the shared code path only, and `fetch` with both categories cannot succeed from the recordings.
@Suite struct BybitAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func inverse() throws -> VenueFetchResult {
        try BybitAdapter.parseTickers(Fixtures.data("bybit", "tickers-inverse.json"), category: .inverse, now: Self.now)
    }

    @Test func inverseBTCUSD() throws {
        let result = try inverse()
        let s = try #require(result.snapshots.first)
        #expect(s.dex == "bybit")
        #expect(s.dexSymbol == "BTCUSD")
        #expect(s.symbol == "BTC")
        #expect(s.quote == "USD")
        #expect(s.margin == .inverse)
        #expect(s.multiplier == 1)
        // fundingRate "0.0001" per fundingIntervalHour "8" h; 0.0001 / 8 = 0.0000125 per hour
        #expect(abs(s.fundingRate - 0.0001) < 1e-12)
        #expect(s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.0000125) < 1e-12)
        #expect(s.predictedRate == nil)
        // nextFundingTime "1760371200000" = 2025-10-13T16:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_760_371_200))
        #expect(s.time == Self.now)  // the observation time (the collector stamps it), not a venue time
        #expect(abs(s.markPrice! - 114898.43) < 1e-9)
        #expect(abs(s.indexPrice! - 114890.92) < 1e-9)
        #expect(abs(s.bestBid! - 103401.0) < 1e-9)
        #expect(abs(s.bestAsk! - 109152.8) < 1e-9)
        // inverse: openInterest "240113967" is USD (1 USD contracts), openInterestValue "2089.79" is BTC
        #expect(s.openInterestUSD == 240_113_967)
        #expect(abs(s.openInterestBase! - 2089.79) < 1e-9)
        // inverse: volume24h "13713832.0000" is USD contracts (turnover24h "115.6907" is BTC)
        #expect(s.volume24hUSD == 13_713_832)
    }

    @Test func everyRowParsesOrIsSkippedOnPurpose() throws {
        let result = try inverse()
        #expect(result.snapshots.count == 1)
        #expect(result.excluded.isEmpty && result.problems.isEmpty)
        #expect(SnapshotValidator().rejection(for: result.snapshots[0]) == nil)
    }

    @Test func fetchInverseThroughRecordedRoutes() async throws {
        let result = try await BybitAdapter(categories: [.inverse]).fetch(
            client: Fixtures.client("bybit"), baseURL: BybitAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTCUSD"])
        #expect(result.excluded.isEmpty && result.problems.isEmpty)
        #expect(result.snapshots[0].collectionLatencyMs != nil)
        #expect(result.snapshots[0].openInterestUSD == 240_113_967)
    }

    @Test func aFailedCategoryCostsOnlyItsMarkets() async throws {
        // The default adapter asks for category=linear too; nothing was recorded for it (HTTP 404 from the
        // fixture client): the inverse markets still come through and the lost category is counted.
        let result = try await BybitAdapter().fetch(
            client: Fixtures.client("bybit"), baseURL: BybitAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTCUSD"])
        #expect(result.failedRequests.map(\.request) == ["GET /v5/market/tickers?category=linear"])
        #expect(result.problems.count == 1)
    }

    @Test func everyCategoryFailingFailsTheVenue() async throws {
        let error = try await #require(throws: AllRequestsFailed.self) {
            try await BybitAdapter(categories: [.linear]).fetch(
                client: Fixtures.client("bybit"), baseURL: BybitAdapter.descriptor.defaultBaseURL, now: Self.now)
        }
        #expect(error.first is HTTPFetchError)
    }

    @Test func symbolNames() {
        // Names only (no payload): Bybit's prefix and suffix multipliers and its USDC perpetual naming.
        #expect(BybitAdapter.normalize("1000PEPEUSDT") == NormalizedSymbol(symbol: "PEPE", multiplier: 1000, quote: "USDT"))
        #expect(BybitAdapter.normalize("SHIB1000USDT") == NormalizedSymbol(symbol: "SHIB", multiplier: 1000, quote: "USDT"))
        #expect(BybitAdapter.normalize("BTCPERP") == NormalizedSymbol(symbol: "BTC", multiplier: 1, quote: "USDC"))
        #expect(BybitAdapter.normalize("BTCUSD") == NormalizedSymbol(symbol: "BTC", multiplier: 1, quote: "USD"))
        #expect(BybitAdapter.normalize("1INCHUSDT").symbol == "1INCH")
    }

    @Test func truncatedOrRejectedPayloadThrows() throws {
        let whole = try Fixtures.data("bybit", "tickers-inverse.json")
        #expect(throws: VenuePayloadError.self) {
            try BybitAdapter.parseTickers(whole.prefix(400), category: .inverse, now: Self.now)
        }
        // A Bybit error envelope (retCode ≠ 0) is not a list of markets.
        #expect(throws: VenuePayloadError.self) {
            try BybitAdapter.parseTickers(
                Data(#"{"retCode":10001,"retMsg":"params error","result":{},"time":1}"#.utf8),
                category: .linear, now: Self.now)
        }
    }

    /// The inverse ticker with its `fundingIntervalHour` removed, as some Bybit tickers come.
    static func tickerWithoutInterval() throws -> Data {
        let text = String(decoding: try Fixtures.data("bybit", "tickers-inverse.json"), as: UTF8.self)
        let stripped = text.replacingOccurrences(of: #""fundingIntervalHour": "8","#, with: "")
        #expect(stripped != text)
        return Data(stripped.utf8)
    }

    @Test func intervalFallsBackToInstrumentsInfoMinutes() throws {
        // instruments-info-linear.json: BTCUSDT fundingInterval 480 (minutes) = 480 / 60 = 8 h
        #expect(try BybitAdapter.parseInstrumentIntervals(Fixtures.data("bybit", "instruments-info-linear.json"))
            == ["BTCUSDT": 8])
        let body = try Self.tickerWithoutInterval()
        let without = try BybitAdapter.parseTickers(body, category: .inverse, now: Self.now)
        #expect(without.snapshots.isEmpty)
        #expect(without.dropped == [.missingFundingInterval: 1])
        // With an instruments-info interval of 240 min = 4 h: fundingRate 0.0001 / 4 = 0.000025 per hour
        let with = try BybitAdapter.parseTickers(body, category: .inverse, intervals: ["BTCUSD": 4], now: Self.now)
        let s = try #require(with.snapshots.first)
        #expect(s.fundingIntervalHours == 4)
        #expect(abs(s.rate1h - 0.000025) < 1e-15)
        #expect(with.problems.isEmpty)
    }

    /// Inverse tickers without interval; instruments-info fails.
    struct NoIntervalAnywhere: HTTPFetching {
        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            if path.hasPrefix("/v5/market/tickers?category=inverse") { return Array(try tickerWithoutInterval()) }
            throw HTTPFetchError.status(503, url: baseURL + path, retryAfterSeconds: nil)
        }
        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: baseURL + path, retryAfterSeconds: nil)
        }
    }

    @Test func failedInstrumentsInfoCostsOnlyTheMarketsWithoutInterval() async throws {
        let result = try await BybitAdapter(categories: [.inverse]).fetch(
            client: NoIntervalAnywhere(), baseURL: "https://api.bybit.com", now: Self.now)
        #expect(result.snapshots.isEmpty)
        #expect(result.dropped.isEmpty)
        #expect(result.failedRequests.map(\.request) == ["GET /v5/market/instruments-info?category=inverse&limit=1000"])
        #expect(result.failedRequests.first?.marketsLost == 1)
    }
}
