import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Phemex recordings: docs examples of a coin-margined v1 ticker (BTCUSD, scaled integers), a USDT-perpetual v3
/// ticker (ETHUSDT, real values) and the products list (BTCUSD, BTCUSDT).
@Suite(.timeLimit(.minutes(1))) struct PhemexAdapterTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    func products() throws -> [PhemexAdapter.Product] {
        try PhemexAdapter.parseProducts(Fixtures.data("phemex", "products.json"))
    }

    @Test func btcUSDCoinMarginedScaledWorkedByHand() throws {
        let result = try PhemexAdapter.parse(
            products: products(), usdtTickers: Optional<Data>.none,
            coinTickers: Fixtures.data("phemex", "ticker-24hr-v1-coinm.json"), now: Self.now)
        let s = try #require(result.snapshots.first { $0.dexSymbol == "BTCUSD" })
        #expect(s.symbol == "BTC" && s.quote == "USD" && s.margin == .inverse && s.multiplier == 1)
        // fundingRateEr 235950 / 10^ratioScale 8 = 0.0023595 per fundingInterval 28800 s = 8 h; / 8 = 0.0002949375 per hour
        #expect(abs(s.fundingRate - 0.0023595) < 1e-15 && s.fundingIntervalHours == 8)
        #expect(abs(s.rate1h - 0.0002949375) < 1e-15)
        // predFundingRateEr 263402 / 10^8 = 0.00263402
        #expect(abs(s.predictedRate! - 0.00263402) < 1e-15)
        // markEp 91055001 / 10^priceScale 4 = 9105.5001; indexEp 90955275 → 9095.5275
        #expect(abs(s.markPrice! - 9105.5001) < 1e-9 && abs(s.indexPrice! - 9095.5275) < 1e-9)
        // bidEp 91225000 → 9122.5; askEp 91230000 → 9123
        #expect(abs(s.bestBid! - 9122.5) < 1e-9 && abs(s.bestAsk! - 9123) < 1e-9)
        // openInterest 1,986,019 contracts × contractSize 1 USD = 1,986,019 USD; / 9105.5001 = 218.11201781... BTC
        #expect(s.openInterestUSD == 1_986_019)
        #expect(abs(s.openInterestBase! - 218.11201781217926) < 1e-9)
        // volume 105,502,896 contracts of 1 USD
        #expect(s.volume24hUSD == 105_502_896)
        #expect(s.nextFundingTime == nil)
        #expect(SnapshotValidator().rejection(for: s) == nil)
    }

    @Test func ethUSDTRealValuesWorkedByHand() throws {
        // The recorded v3 ETHUSDT ticker against the recorded BTCUSDT product row renamed to ETHUSDT.
        let text = String(decoding: try Fixtures.data("phemex", "products.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"symbol\": \"BTCUSDT\"", with: "\"symbol\": \"ETHUSDT\"")
            .replacingOccurrences(of: "\"baseCurrency\": \"BTC\",\n                \"description\": \"BTC/USDT perpetual",
                                  with: "\"baseCurrency\": \"ETH\",\n                \"description\": \"BTC/USDT perpetual")
        let result = try PhemexAdapter.parse(
            products: PhemexAdapter.parseProducts(Data(text.utf8)),
            usdtTickers: Fixtures.data("phemex", "ticker-24hr-v3-usdt-perp.json"), coinTickers: Optional<Data>.none, now: Self.now)
        let s = try #require(result.snapshots.first { $0.dexSymbol == "ETHUSDT" })
        #expect(s.symbol == "ETH" && s.quote == "USDT" && s.margin == .linear)
        // fundingRateRr "0.0001" per 28800 s = 8 h → 0.0000125 per hour; predFundingRateRr "0.0001"
        #expect(s.fundingRate == 0.0001 && s.fundingIntervalHours == 8 && abs(s.rate1h - 0.0000125) < 1e-15)
        #expect(s.predictedRate == 0.0001)
        #expect(s.markPrice == 1905.733555189 && s.indexPrice == 1906.275)
        #expect(s.bestBid == 1906 && s.bestAsk == 1906.03)
        // openInterestRv "7115" ETH × markRp 1905.733555189 = 13,559,294.245169735 USD
        #expect(s.openInterestBase == 7115)
        #expect(abs(s.openInterestUSD! - 13_559_294.245169735) < 1e-6)
        // turnoverRv "128200614.5585" USDT
        #expect(s.volume24hUSD == 128_200_614.5585)
    }

    @Test func fetchThroughRecordedRoutesCountsEveryRow() async throws {
        let result = try await PhemexAdapter().fetch(
            client: Fixtures.client("phemex"), baseURL: PhemexAdapter.descriptor.defaultBaseURL, now: Self.now)
        #expect(result.snapshots.map(\.dexSymbol) == ["BTCUSD"])
        // BTCUSDT: product without a recorded v3 ticker; ETHUSDT: ticker without a product row
        #expect(result.dropped == [.missingFundingRate: 1, .unknownMarket: 1])
    }

    @Test func productsKeepOnlyPerpetuals() throws {
        // products.json lists BTCUSD (Perpetual), sBTCUSDT (Spot) and BTCUSDT (PerpetualV2)
        #expect(try products().map(\.symbol).sorted() == ["BTCUSD", "BTCUSDT"])
    }

    @Test func truncatedWrongTypedOrErrorPayloadThrows() throws {
        let ticker = try Fixtures.data("phemex", "ticker-24hr-v1-coinm.json")
        let products = try products()
        #expect(throws: VenuePayloadError.self) {
            try PhemexAdapter.parse(products: products, usdtTickers: Optional<Data>.none, coinTickers: ticker.prefix(100), now: Self.now)
        }
        let wrong = String(decoding: ticker, as: UTF8.self)
            .replacingOccurrences(of: "\"fundingRateEr\": 235950", with: "\"fundingRateEr\": \"0.24%\"")
        #expect(throws: VenuePayloadError.self) {
            try PhemexAdapter.parse(products: products, usdtTickers: Optional<Data>.none, coinTickers: Data(wrong.utf8), now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try PhemexAdapter.parse(products: products, usdtTickers: Optional<Data>.none,
                                    coinTickers: Data(#"{"error":{"code":30018,"message":"invalid symbol"},"id":0,"result":null}"#.utf8), now: Self.now)
        }
        #expect(throws: VenuePayloadError.self) {
            try PhemexAdapter.parseProducts(try Fixtures.data("phemex", "products.json").prefix(500))
        }
    }
}
