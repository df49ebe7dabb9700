import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// `|a − b| ≤ 1e-9 × max(1, |b|)`; a nil `a` never matches.
private func approx(_ a: Double?, _ b: Double, relative: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= relative * max(1, abs(b))
}

private let now = Date(timeIntervalSince1970: 1_789_339_040)

@Suite("edgeX adapter")
struct EdgeXAdapterTests {
    func parse(tickers: [String: Data]? = nil) throws -> VenueFetchResult {
        try EdgeXAdapter.parse(
            metaData: Fixtures.data("edgex", "getMetaData.json"),
            latestFundingRates: [Fixtures.data("edgex", "getLatestFundingRate.json")],
            tickers: tickers ?? ["30000001": Fixtures.data("edgex", "getTicker.json")],
            now: now)
    }

    @Test func btcWithItsTicker() throws {
        let btc = try #require(try parse().snapshots.first { $0.dexSymbol == "BTCUSDC" })
        #expect(btc.dex == "edgex")
        #expect(btc.symbol == "BTC")
        #expect(btc.quote == "USDC")
        #expect(btc.multiplier == 1)
        #expect(approx(btc.fundingRate, -0.00005592))          // forecastFundingRate, per 4h (= ticker fundingRate)
        #expect(btc.fundingIntervalHours == 4)                 // fundingRateIntervalMin 240 / 60
        #expect(approx(btc.rate1h, -0.00001398))               // −0.00005592 / 4
        #expect(approx(btc.rate8h, -0.00011184))               // −0.00001398 × 8
        #expect(approx(btc.apr, -12.24648))                    // −0.00001398 × 8760 × 100
        #expect(approx(btc.markPrice, 76767.044808407373464849))
        #expect(approx(btc.indexPrice, 76799.6329068953))
        #expect(approx(btc.openInterestBase, 3284.957))        // ticker openInterest
        #expect(approx(btc.openInterestUSD, 252176441.21269146)) // 3284.957 × 76767.0448084074
        #expect(approx(btc.volume24hUSD, 210414016.4312))      // ticker value (USDC turnover)
        // fundingTime 1789329600000 + 240 min × 60000 = 1789344000000 ms (= ticker nextFundingTime)
        #expect(btc.nextFundingTime == Date(timeIntervalSince1970: 1_789_344_000))
        #expect(btc.time == now)  // the observation time (the collector stamps it), not a venue time
        #expect(btc.predictedRate == nil)
        #expect(btc.bestBid == nil && btc.bestAsk == nil)
    }

    @Test func thousandPEPEWithoutTicker() throws {
        let pepe = try #require(try parse().snapshots.first { $0.dexSymbol == "1000PEPEUSDC" })
        #expect(pepe.symbol == "PEPE")                          // base coin "1000PEPE"
        #expect(pepe.multiplier == 1000)
        #expect(approx(pepe.fundingRate, 0.00005))             // forecastFundingRate "0.00005000" per 4h
        #expect(approx(pepe.rate1h, 0.0000125))                // 0.00005 / 4
        #expect(approx(pepe.apr, 10.95))                       // 0.0000125 × 8760 × 100
        #expect(approx(pepe.markPrice, 0.003353667202044079))  // per 1000 PEPE
        #expect(approx(pepe.indexPrice, 0.0033553402))
        #expect(pepe.openInterestBase == nil)                  // no ticker recorded for 30000046
        #expect(pepe.openInterestUSD == nil)
        #expect(pepe.volume24hUSD == nil)
        #expect(pepe.nextFundingTime == Date(timeIntervalSince1970: 1_789_344_000))
    }

    @Test func nonASCIIContractNameAndStockContract() throws {
        let result = try parse()
        let hajimi = try #require(result.snapshots.first { $0.dexSymbol == "哈基米USDC" })
        #expect(hajimi.symbol == "HAJIMI")                     // base coin name, not the contract name
        #expect(hajimi.multiplier == 1)
        #expect(approx(hajimi.fundingRate, 0.00005299))
        #expect(approx(hajimi.markPrice, 0.032430294581357634))

        let spy = try #require(result.snapshots.first { $0.dexSymbol == "SPYUSDC" })
        #expect(spy.symbol == "SPY")
        #expect(approx(spy.fundingRate, 0.00045657))
        #expect(approx(spy.rate1h, 0.0001141425))              // 0.00045657 / 4
        #expect(approx(spy.rate8h, 0.000913140))               // 0.0001141425 × 8
    }

    @Test func everyFixtureMarketParsesOrIsSkippedOnPurpose() throws {
        let result = try parse()
        #expect(result.snapshots.map(\.dexSymbol) == [
            "BTCUSDC", "ETHUSDC", "XAUUSDC", "SPYUSDC", "1000PEPEUSDC", "ZROUSDC", "EURUSDC", "哈基米USDC",
        ])
        // All 8 contracts have a funding row; only BTC has a recorded ticker: the other 7 are kept without
        // open interest and volume and counted.
        #expect(result.degraded == [.openInterest: 7, .volume: 7])
        #expect(result.problems.isEmpty)
        let validator = SnapshotValidator()
        for s in result.snapshots { #expect(validator.rejection(for: s) == nil) }
    }

    @Test func malformedTickerDegradesOnlyThatMarket() throws {
        let result = try parse(tickers: ["30000001": Data("{\"code\":\"SUCCESS\",\"data\":[{".utf8)])
        #expect(result.snapshots.count == 8)
        #expect(result.degraded == [.openInterest: 8, .volume: 8])
        #expect(result.snapshots.first { $0.dexSymbol == "BTCUSDC" }?.openInterestUSD == nil)
    }

    @Test func fetchThroughRoutes() async throws {
        let result = try await EdgeXAdapter().fetch(
            client: Fixtures.client("edgex"), baseURL: EdgeXAdapter.descriptor.defaultBaseURL, now: now)
        #expect(result.snapshots.count == 8)
        #expect(result.degraded == [.openInterest: 7, .volume: 7])  // getTicker recorded for 30000001 only; others 404
        #expect(result.problems.isEmpty)
        let btc = try #require(result.snapshots.first { $0.dexSymbol == "BTCUSDC" })
        #expect(approx(btc.openInterestUSD, 252176441.21269146))
        #expect(btc.collectionLatencyMs != nil)
    }

    @Test func truncatedPayloadThrows() throws {
        let funding = try Fixtures.data("edgex", "getLatestFundingRate.json")
        #expect(throws: VenuePayloadError.self) {
            try EdgeXAdapter.parse(
                metaData: Fixtures.data("edgex", "getMetaData.json"),
                latestFundingRates: [funding.prefix(400)], tickers: [:], now: now)
        }
    }

    @Test func failedEnvelopeThrows() throws {
        let failed = #"{"code":"INVALID_PARAM","data":null,"msg":"contractId invalid"}"#
        #expect(throws: VenuePayloadError.self) {
            try EdgeXAdapter.parse(
                metaData: Fixtures.data("edgex", "getMetaData.json"),
                latestFundingRates: [Data(failed.utf8)], tickers: [:], now: now)
        }
    }
}
