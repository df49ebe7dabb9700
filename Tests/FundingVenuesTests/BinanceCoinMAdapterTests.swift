import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Recordings are Binance's COIN-M docs examples (`Tests/Fixtures/binance-coinm/SOURCE.md`): one perpetual,
/// BTCUSD_PERP, in premiumIndex; the exchangeInfo, ticker, book and open-interest examples are quarterlies, so the
/// contract-size conversions are checked on those quarterlies' numbers.
@Suite struct BinanceCoinMAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func parsed() throws -> VenueFetchResult {
        try BinanceCoinMAdapter.parse(
            premiumIndex: Fixtures.data("binance-coinm", "premium-index.json"),
            fundingInfo: Fixtures.data("binance-coinm", "funding-info.json"),
            exchangeInfo: Fixtures.data("binance-coinm", "exchange-info.json"),
            tickers24h: Fixtures.data("binance-coinm", "ticker-24hr.json"),
            bookTickers: Fixtures.data("binance-coinm", "book-ticker.json"), now: Self.now)
    }

    @Test func btcusdPerpIsInverseInUSD() throws {
        let result = try parsed()
        let s = try #require(result.snapshots.first { $0.dexSymbol == "BTCUSD_PERP" })
        #expect(s.dex == "binance_coinm")
        #expect(s.symbol == "BTC" && s.quote == "USD" && s.margin == .inverse && s.multiplier == 1)
        // lastFundingRate "0.00071003" per fundingIntervalHours 8 (funding-info lists BTCUSD_PERP with 8)
        #expect(s.fundingRate == 0.00071003)
        #expect(s.fundingIntervalHours == 8)
        // 0.00071003 / 8 = 0.00008875375 per hour
        #expect(abs(s.rate1h - 0.00008875375) < 1e-15)
        #expect(s.markPrice == 11029.69574559)
        #expect(s.indexPrice == 10979.144375)
        // nextFundingTime 1596096000000 ms = 2020-07-30T08:00:00Z
        #expect(s.nextFundingTime == Date(timeIntervalSince1970: 1_596_096_000))
        #expect(s.predictedRate == nil)
        #expect(s.time == Self.now)
        // The examples' ticker, book and exchangeInfo name quarterlies only: no contractSize for the perpetual,
        // so neither volume nor open interest can be put in USD, and no book.
        #expect(s.volume24hUSD == nil && s.openInterestUSD == nil && s.bestBid == nil)
        #expect(result.degraded == [.volume: 1, .bookTop: 1])
        #expect(result.excluded.isEmpty && result.problems.isEmpty)
    }

    @Test func contractsOfFixedUSDSize() throws {
        let symbols = BinanceCoinMAdapter.symbols(try Fixtures.data("binance-coinm", "exchange-info.json"))
        // exchangeInfo example: BTCUSD_200925 contractSize 100 (USD per contract)
        #expect(symbols["BTCUSD_200925"]?.contractSize.number == 100)
        // ticker example BTCUSD_200925 volume "494109" contracts × 100 USD = 49,410,900 USD
        // (cross-check: baseVolume 5192.94797687 BTC × weightedAvgPrice 9547.3 ≈ 49.58 M USD)
        let volumes = try BinanceCoinMAdapter.volumesUSD(Fixtures.data("binance-coinm", "ticker-24hr.json"), symbols: symbols)
        #expect(volumes == ["BTCUSD_200925": 49_410_900])
        // openInterest example "15004" contracts (a BTCUSD quarterly, 100 USD each) = 15004 × 100 = 1,500,400 USD;
        // in BTC at the premiumIndex mark 11029.69574559: 1,500,400 / 11029.69574559 = 136.0327641494467 BTC
        let contracts = try BinanceAdapter.parseOpenInterest(Fixtures.data("binance-coinm", "open-interest.json"))
        let oi = BinanceCoinMAdapter.openInterest(contracts: contracts, contractSize: 100, mark: 11029.69574559)
        #expect(oi.usd == 1_500_400)
        #expect(abs(oi.base! - 136.0327641494467) < 1e-9)
    }

    @Test func deliveryContractsAreExcluded() throws {
        // A quarterly row as the docs' premiumIndex example shows it: empty rate, nextFundingTime 0.
        let body = Data(#"[{"symbol":"BTCUSD_200925","pair":"BTCUSD","markPrice":"12077.01343750","indexPrice":"10979.10312500","lastFundingRate":"","interestRate":"","nextFundingTime":0,"time":1596094042000}]"#.utf8)
        let result = try BinanceCoinMAdapter.parse(
            premiumIndex: body, fundingInfo: Data?.none, exchangeInfo: Data?.none, tickers24h: Data?.none,
            bookTickers: Data?.none, now: Self.now)
        #expect(result.snapshots.isEmpty)
        #expect(result.excluded == [.datedFuture: 1])
    }

    @Test func fetchThroughRecordedRoutes() async throws {
        let result = try await BinanceCoinMAdapter().fetch(
            client: Fixtures.client("binance_coinm"), baseURL: BinanceCoinMAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTCUSD_PERP"])
        #expect(result.degraded == [.volume: 1, .bookTop: 1, .openInterest: 1])
        #expect(result.problems.isEmpty)
    }

    @Test func truncatedPayloadThrows() throws {
        let whole = try Fixtures.data("binance-coinm", "premium-index.json")
        #expect(throws: VenuePayloadError.self) {
            try BinanceCoinMAdapter.parse(premiumIndex: whole.prefix(100), fundingInfo: Data?.none, exchangeInfo: Data?.none,
                                          tickers24h: Data?.none, bookTickers: Data?.none, now: Self.now)
        }
    }
}
