import Foundation
import FundingCore
@testable import FundingVenues
import Testing

/// Settled funding history of each venue from its recordings (`Tests/Fixtures/<venue>/`), with the expected values
/// worked out by hand from the recorded rows, and the kit's paging (stitching, interval inference) with fakes.
@Suite("Settled funding history", .timeLimit(.minutes(1)))
struct FundingHistoryTests {
    static func date(_ iso: String) -> Date { VenueTime.iso8601(iso)! }
    static func ms(_ value: Double) -> Date { Date(timeIntervalSince1970: value / 1000) }

    @Test("every venue with history declares the capability; the others do not")
    func capabilities() {
        let withHistory = Set(Venues.all.filter { $0.capabilities.contains(.fundingHistory) }.map { $0.descriptor.name })
        #expect(withHistory == ["binance", "binance_coinm", "aster", "bybit", "okx", "hyperliquid", "dydx", "gate"])
    }

    @Test("Binance USDⓈ-M: fundingRate is a fraction per interval, fundingTime ms, markPrice kept; one row takes the 8 h default or the market's interval")
    func binance() async throws {
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.date("2019-10-09T00:00:00Z"),
                                            end: Self.date("2019-10-10T00:00:00Z"))
        let page = try await BinanceAdapter().fundingHistory(request, client: Fixtures.client("binance"), baseURL: "")
        // funding-rate-history.json: {"fundingRate":"-0.03750000","fundingTime":1570608000000,
        // "markPrice":"34287.54619963"}: 1570608000000 ms = 2019-10-09T08:00:00Z; -0.0375 is already a fraction
        // (the docs' illustrative value); one row and no interval field: the venue default of 8 h.
        #expect(page.settlements == [SettledFunding(dexSymbol: "BTCUSDT", fundingTime: Self.date("2019-10-09T08:00:00Z"),
                                                    fundingRate: -0.0375, fundingIntervalHours: 8,
                                                    markPrice: 34287.54619963)])
        #expect(page.next == nil)  // 1 row < the 1000 asked for: the range is done

        var fourHourly = request
        fourHourly.intervalHours = 4
        let hinted = try await BinanceAdapter().fundingHistory(fourHourly, client: Fixtures.client("binance"), baseURL: "")
        #expect(hinted.settlements.map(\.fundingIntervalHours) == [4])

        // The recorded row lies outside this range: the venue's extra rows are not stored.
        let later = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.date("2019-10-09T08:00:00.001Z"),
                                          end: Self.date("2019-10-10T00:00:00Z"))
        #expect(try await BinanceAdapter().fundingHistory(later, client: Fixtures.client("binance"), baseURL: "")
            .settlements.isEmpty)
    }

    @Test("Binance COIN-M and Aster share the format: fraction per interval, ms times, no price")
    func binanceStyle() async throws {
        let coinm = try await BinanceCoinMAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "BTCUSD_PERP", start: Self.date("2020-07-29T00:00:00Z"),
                                  end: Self.date("2020-07-30T00:00:00Z")),
            client: Fixtures.client("binance_coinm"), baseURL: "")
        // {"fundingTime":1596038400000,"fundingRate":"-0.00300000"}: 2020-07-29T16:00:00Z, -0.003 per 8 h.
        #expect(coinm.settlements == [SettledFunding(dexSymbol: "BTCUSD_PERP",
                                                     fundingTime: Self.date("2020-07-29T16:00:00Z"),
                                                     fundingRate: -0.003, fundingIntervalHours: 8)])
        let aster = try await AsterAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.date("2025-06-16T00:00:00Z"),
                                  end: Self.date("2025-06-17T00:00:00Z")),
            client: Fixtures.client("aster"), baseURL: "")
        // {"fundingTime":1750060800000,"fundingRate":"0.00010000"}: 2025-06-16T08:00:00Z, 0.0001 per 8 h.
        #expect(aster.settlements == [SettledFunding(dexSymbol: "BTCUSDT", fundingTime: Self.date("2025-06-16T08:00:00Z"),
                                                     fundingRate: 0.0001, fundingIntervalHours: 8)])
    }

    @Test("Bybit: a linear USDC perpetual asks category=linear; fundingRateTimestamp is ms as a string")
    func bybit() async throws {
        // The recording answers only category=linear&symbol=ETHPERP, so getting a row proves the category.
        let page = try await BybitAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "ETHPERP", start: Self.date("2022-12-26T00:00:00Z"),
                                  end: Self.date("2022-12-27T00:00:00Z")),
            client: Fixtures.client("bybit"), baseURL: "")
        // {"fundingRate":"0.0001","fundingRateTimestamp":"1672041600000"}: 2022-12-26T08:00:00Z, 0.0001 per 8 h.
        #expect(page.settlements == [SettledFunding(dexSymbol: "ETHPERP", fundingTime: Self.date("2022-12-26T08:00:00Z"),
                                                    fundingRate: 0.0001, fundingIntervalHours: 8)])
        #expect(page.next == nil)
    }

    @Test("OKX: realizedRate (what settled), not the predicted fundingRate; newest-first rows come back oldest first; interval from consecutive times")
    func okx() async throws {
        let page = try await OKXAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "BTC-USD-SWAP", start: Self.date("2023-12-19T00:00:00Z"),
                                  end: Self.date("2023-12-21T00:00:00Z"), intervalHours: 4),
            client: Fixtures.client("okx"), baseURL: "")
        // Rows: 1703059200000 (2023-12-20T08:00Z) realizedRate 0.0000746572360545 (fundingRate 0.0000746604960499
        // was the prediction) and 1703030400000 (2023-12-20T00:00Z) realizedRate 0.0002279755647389. They are 8 h
        // apart, so both settled 8 h (the 4 h hint is not needed).
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTC-USD-SWAP", fundingTime: Self.date("2023-12-20T00:00:00Z"),
                           fundingRate: 0.0002279755647389, fundingIntervalHours: 8),
            SettledFunding(dexSymbol: "BTC-USD-SWAP", fundingTime: Self.date("2023-12-20T08:00:00Z"),
                           fundingRate: 0.0000746572360545, fundingIntervalHours: 8),
        ])
        #expect(page.next == nil)
    }

    @Test("Hyperliquid 2023: 34 rows 8 h apart (times a few ms after the hour), fraction per interval")
    func hyperliquid2023() async throws {
        let page = try await HyperliquidAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "BTC", start: Self.ms(1_681_923_833_000), end: Self.ms(1_684_811_870_000)),
            client: Fixtures.client("hyperliquid"), baseURL: "")
        #expect(page.settlements.count == 34)
        // First row: time 1683849600048 = 2023-05-12T00:00:00.048Z, fundingRate -0.00061334; the next row is at
        // 1683878400388: 28,800.34 s = 480.006 min, to the minute 480 = 8 h (the hourly venue default is not used).
        #expect(page.settlements.first == SettledFunding(dexSymbol: "BTC", fundingTime: Self.ms(1_683_849_600_048),
                                                         fundingRate: -0.00061334, fundingIntervalHours: 8))
        #expect(page.settlements.last?.fundingRate == -0.00018991)
        #expect(Set(page.settlements.map(\.fundingIntervalHours)) == [8])
        // Sum of the 34 recorded rates (python: sum(float(r["fundingRate"]))) = -0.0047333.
        #expect(abs(page.settlements.map(\.fundingRate).reduce(0, +) - -0.0047333) < 1e-12)
        #expect(page.next == nil)  // 34 < 500
    }

    @Test("Hyperliquid 2026: hourly rows; the first row's interval comes from the one after it")
    func hyperliquid2026() async throws {
        let page = try await HyperliquidAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "BTC", start: Self.date("2026-02-01T00:00:00Z"),
                                  end: Self.date("2026-02-02T00:00:00Z")),
            client: Fixtures.client("hyperliquid"), baseURL: "")
        // 1769908800000, 1769912400000, 1769916000000: 3,600,000 ms apart = 1 h; rates 0.0000125, -0.0000081, 0.0000033.
        #expect(page.settlements.map(\.fundingRate) == [0.0000125, -0.0000081, 0.0000033])
        #expect(page.settlements.map(\.fundingIntervalHours) == [1, 1, 1])
        #expect(page.settlements.map(\.fundingTime) == [Self.ms(1_769_908_800_000), Self.ms(1_769_912_400_000),
                                                        Self.ms(1_769_916_000_000)])
    }

    @Test("dYdX: hourly rate fraction, oracle price as the index price, ISO times; newest first in, oldest first out")
    func dydx() async throws {
        let page = try await DYDXAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "BTC-USD", start: Self.date("2025-12-08T00:00:00Z"),
                                  end: Self.date("2025-12-09T00:00:00Z")),
            client: Fixtures.client("dydx"), baseURL: "")
        // historicalFunding.json, oldest first: 14:00:00.112Z rate 0.000000625 price 91459.59191; 15:00:00.586Z
        // 0.000000375 / 90860.48604; 16:00:00.219Z 0.000002375 / 89993.8. 15:00:00.586 − 14:00:00.112 = 60.008 min
        // → 60 min = 1 h; the first row takes the gap to the second (1 h).
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTC-USD", fundingTime: Self.date("2025-12-08T14:00:00.112Z"),
                           fundingRate: 0.000000625, fundingIntervalHours: 1, indexPrice: 91459.59191),
            SettledFunding(dexSymbol: "BTC-USD", fundingTime: Self.date("2025-12-08T15:00:00.586Z"),
                           fundingRate: 0.000000375, fundingIntervalHours: 1, indexPrice: 90860.48604),
            SettledFunding(dexSymbol: "BTC-USD", fundingTime: Self.date("2025-12-08T16:00:00.219Z"),
                           fundingRate: 0.000002375, fundingIntervalHours: 1, indexPrice: 89993.8),
        ])
    }

    @Test("Gate: t in seconds, r a fraction per interval; 96 h windows, so a full page of 100 is an error, not a cut")
    func gate() async throws {
        let request = FundingHistoryRequest(dexSymbol: "BTC_USDT", start: Self.date("2018-12-04T00:00:00Z"),
                                            end: Self.date("2018-12-14T00:00:00Z"))
        let page = try await GateAdapter().fundingHistory(request, client: Fixtures.client("gate"), baseURL: "")
        // funding-rate-history.json: {"t":1543968000,"r":"0.000157"}: 2018-12-05T00:00:00Z, 0.000157 per 8 h (one
        // row: Gate's default interval).
        #expect(page.settlements == [SettledFunding(dexSymbol: "BTC_USDT", fundingTime: Self.date("2018-12-05T00:00:00Z"),
                                                    fundingRate: 0.000157, fundingIntervalHours: 8)])
        // Ten days in 96 h windows: the next page starts 96 h after the first (2018-12-08T00:00Z), and this page
        // covered exactly its window.
        #expect(page.next?.start == Self.date("2018-12-08T00:00:00Z"))
        #expect(page.covered(by: request) == Self.date("2018-12-04T00:00:00Z")..<Self.date("2018-12-08T00:00:00Z"))
        let full = "[" + (0..<100).map { #"{"t":\#(1_543_968_000 + $0 * 3600),"r":"0.0001"}"# }.joined(separator: ",") + "]"
        #expect(throws: VenuePayloadError.self) {
            try GateAdapter.parseFundingHistory(Array(full.utf8), request: request)
        }
    }

    @Test("a malformed history answer is a VenuePayloadError naming the venue")
    func malformed() async throws {
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.date("2019-10-09T00:00:00Z"),
                                            end: Self.date("2019-10-10T00:00:00Z"))
        #expect(throws: VenuePayloadError.self) {
            try BinanceAdapter.parseBinanceStyleHistory(Array(#"[{"fundingRate":"x","fundingTime":1}]"#.utf8),
                                                        request: request, pageSize: 1000,
                                                        descriptor: BinanceAdapter.descriptor, endpoint: "/fapi/v1/fundingRate")
        }
        #expect(throws: VenuePayloadError.self) {
            try BinanceAdapter.parseBinanceStyleHistory(Array(#"[{"fundingTime":1570608000000}]"#.utf8),
                                                        request: request, pageSize: 1000,
                                                        descriptor: BinanceAdapter.descriptor, endpoint: "/fapi/v1/fundingRate")
        }
    }

    // MARK: - Paging with fakes

    /// A venue of `count` settlements 8 h apart from 2024-01-01T00:00Z (rate = index × 1e-6), answering Binance's
    /// `fundingRate` (oldest first from startTime) and Bybit's `funding/history` (newest first up to endTime) by
    /// their query parameters, `limit` rows at most.
    struct SeriesVenue: HTTPFetching {
        var count: Int
        let origin = 1_704_067_200_000.0  // 2024-01-01T00:00:00Z in ms

        func time(_ i: Int) -> Double { origin + Double(i) * 8 * 3_600_000 }

        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            let (route, query) = FixtureCatalog.split(path)
            let start = query["startTime"].flatMap(Double.init) ?? 0
            let end = query["endTime"].flatMap(Double.init) ?? .infinity
            let limit = query["limit"].flatMap(Int.init) ?? 100
            let inRange = (0..<count).filter { time($0) >= start && time($0) <= end }
            if route == "/fapi/v1/fundingRate" {
                let rows = inRange.prefix(limit).map { #"{"fundingRate":"\#(Double($0) * 1e-6)","fundingTime":\#(Int64(time($0)))}"# }
                return Array("[\(rows.joined(separator: ","))]".utf8)
            }
            let rows = inRange.reversed().prefix(limit)
                .map { #"{"fundingRate":"\#(Double($0) * 1e-6)","fundingRateTimestamp":"\#(Int64(time($0)))"}"# }
            return Array(#"{"retCode":0,"retMsg":"OK","result":{"list":[\#(rows.joined(separator: ","))]}}"#.utf8)
        }

        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
        }
    }

    /// Follows `next` to the end, checking that the pages' covered ranges tile the request without gaps.
    static func walk(_ venue: some FundingHistorySource, _ request: FundingHistoryRequest, client: SeriesVenue)
        async throws -> (rows: [SettledFunding], pages: Int)
    {
        var rows: [SettledFunding] = []
        var pages = 0
        var next: FundingHistoryRequest? = request
        var covered: [Range<Date>] = []
        while let current = next, pages < 100 {
            let page = try await venue.fundingHistory(current, client: client, baseURL: "")
            rows += page.settlements
            covered.append(page.covered(by: current))
            next = page.next
            pages += 1
        }
        let sorted = covered.sorted { $0.lowerBound < $1.lowerBound }
        #expect(sorted.first?.lowerBound == request.start && sorted.last?.upperBound == request.end)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        return (rows, pages)
    }

    @Test("forward paging (Binance, 1000 a page): 2,500 settlements in 3 pages, none twice, none missing")
    func forwardStitching() async throws {
        let venue = SeriesVenue(count: 2500)
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.origin),
                                            end: Self.ms(venue.time(2500)))
        let (rows, pages) = try await Self.walk(BinanceAdapter(), request, client: venue)
        #expect(pages == 3)  // 1000 + 1000 + 500 (short: done)
        #expect(rows.map(\.fundingTime) == (0..<2500).map { Self.ms(venue.time($0)) })
        #expect(Set(rows.map(\.fundingIntervalHours)) == [8])
    }

    @Test("backward paging (Bybit, 200 a page): 450 settlements in 3 pages, none twice, none missing")
    func backwardStitching() async throws {
        let venue = SeriesVenue(count: 450)
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.origin),
                                            end: Self.ms(venue.time(450)))
        let (rows, pages) = try await Self.walk(BybitAdapter(), request, client: venue)
        #expect(pages == 3)  // 200 + 200 + 50
        #expect(rows.sorted { $0.fundingTime < $1.fundingTime }.map(\.fundingTime)
            == (0..<450).map { Self.ms(venue.time($0)) })
        // Index 7's rate was 7 × 1e-6: each row keeps its own rate through the stitching.
        #expect(rows.first { $0.fundingTime == Self.ms(venue.time(7)) }?.fundingRate == 7e-6)
    }

    @Test("interval inference: time since the previous settlement, the first from the next, a lone row from the hint")
    func intervals() {
        let t0 = Self.date("2024-03-01T00:00:00Z")
        func row(_ hours: Double) -> SettlementRow {
            SettlementRow(fundingTime: t0.addingTimeInterval(hours * 3600), fundingRate: 0.0001)
        }
        let request = FundingHistoryRequest(dexSymbol: "X", start: t0, end: t0.addingTimeInterval(86_400))
        // Settlements at 0, 8, 12, 16 h: the market switched from 8 h to 4 h after the second.
        let page = HistoryPaging.page([row(16), row(0), row(8), row(12), row(8)], request: request, pageSize: 100,
                                      direction: .forward, defaultInterval: 8)
        #expect(page.settlements.map(\.fundingIntervalHours) == [8, 8, 4, 4])  // duplicate 8 h row kept once
        var hinted = request
        hinted.intervalHours = 2
        #expect(HistoryPaging.page([row(2)], request: hinted, pageSize: 100, direction: .forward, defaultInterval: 8)
            .settlements.map(\.fundingIntervalHours) == [2])
        // A stated interval wins over the gap.
        var stated = row(12)
        stated.intervalHours = 1
        #expect(HistoryPaging.page([row(0), stated], request: request, pageSize: 100, direction: .forward,
                                   defaultInterval: 8).settlements.map(\.fundingIntervalHours) == [12, 1])
    }
}
