import Foundation
import FundingCore
@testable import FundingVenues
import Testing

/// Settled funding of Bitget, KuCoin, MEXC, Phemex and Deribit from their recordings (hand-worked), and the walk by
/// page number (Bitget, MEXC: newest first, no time range) with fakes: a whole range, a resumed range that must
/// page through newer settlements first, a settlement published mid-walk, and a venue that ignores the page number.
extension FundingHistoryTests {
    @Test("Bitget: page 1 of 100 asked with the product type of the symbol; fundingTime ms as a string; a short page ends the walk")
    func bitget() async throws {
        let client = PathRecorder(answering: "bitget")
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.date("2023-09-26T00:00:00Z"),
                                            end: Self.date("2023-09-28T00:00:00Z"))
        let page = try await BitgetAdapter().fundingHistory(request, client: client, baseURL: "")
        #expect(client.paths == ["/api/v2/mix/market/history-fund-rate?symbol=BTCUSDT&productType=USDT-FUTURES"
                                 + "&pageSize=100&pageNo=1"])
        // history-fund-rate.json (Bitget's docs example), newest first: "fundingTime":"1695776400000" =
        // 2023-09-27T01:00:00Z rate "0.0005", then 1695715200000 = 2023-09-26T08:00:00Z rate "0.000013". The example's
        // times are 17 h apart (illustrative values), so each row's interval is 17 h.
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTCUSDT", fundingTime: Self.date("2023-09-26T08:00:00Z"), fundingRate: 0.000013,
                           fundingIntervalHours: 17),
            SettledFunding(dexSymbol: "BTCUSDT", fundingTime: Self.date("2023-09-27T01:00:00Z"), fundingRate: 0.0005,
                           fundingIntervalHours: 17),
        ])
        #expect(page.next == nil)  // 2 rows < 100: the venue has nothing older
        #expect(page.covered(by: request) == request.start..<request.end)
        #expect(BitgetAdapter.productType(of: "BTCUSD") == "COIN-FUTURES")
        #expect(BitgetAdapter.productType(of: "BTCPERP") == "USDC-FUTURES")
        #expect(BitgetAdapter.productType(of: "1000PEPEUSDT") == "USDT-FUTURES")
    }

    @Test("KuCoin: 69 recorded rows newest first; any answer may be cut at its oldest end, so the walk asks for the part before it until an answer is empty")
    func kucoin() async throws {
        let client = PathRecorder(answering: "kucoin")
        // The recording's own request: from=1700310700000 (2023-11-18T12:31:40Z) to=1702310700000.
        let request = FundingHistoryRequest(dexSymbol: "XBTUSDTM", start: Self.ms(1_700_310_700_000),
                                            end: Self.ms(1_702_310_700_001))
        let page = try await KuCoinAdapter().fundingHistory(request, client: client, baseURL: "")
        #expect(client.paths == ["/api/v1/contract/funding-rates?symbol=XBTUSDTM&from=1700310700000&to=1702310700000"])
        // funding-rates-history.json: 69 rows 8 h apart, newest 1702296000000 (2023-12-11T12:00Z, 2.1E-4), oldest
        // 1700337600000 (2023-11-18T20:00Z, 1.32E-4); python: sum(r["fundingRate"]) = 0.014757.
        #expect(page.settlements.count == 69)
        #expect(page.settlements.first == SettledFunding(dexSymbol: "XBTUSDTM", fundingTime: Self.ms(1_700_337_600_000),
                                                         fundingRate: 0.000132, fundingIntervalHours: 8))
        #expect(page.settlements.last?.fundingTime == Self.ms(1_702_296_000_000))
        #expect(page.settlements.last?.fundingRate == 0.00021)
        #expect(Set(page.settlements.map(\.fundingIntervalHours)) == [8])
        #expect(abs(page.settlements.map(\.fundingRate).reduce(0, +) - 0.014757) < 1e-12)
        // Not a short page by any known cap: next asks for [from, oldest row), and this page covered the rest.
        let next = try #require(page.next)
        #expect(next.start == request.start && next.end == Self.ms(1_700_337_600_000))
        #expect(page.covered(by: request) == Self.ms(1_700_337_600_000)..<request.end)
        // The recording answers the same 69 rows whatever the range (a real answer would be empty): none lies before
        // the new end, and the walk ends without going further.
        let last = try await KuCoinAdapter().fundingHistory(next, client: client, baseURL: "")
        #expect(last.settlements.isEmpty && last.next == nil)
        #expect(client.paths.last == "/api/v1/contract/funding-rates?symbol=XBTUSDTM&from=1700310700000&to=1700337599999")
        let empty = try KuCoinAdapter.parseFundingHistory(Array(#"{"code":"200000","data":[]}"#.utf8), request: next)
        #expect(empty.settlements.isEmpty && empty.next == nil && empty.covered(by: next) == next.start..<next.end)
    }

    @Test("MEXC: page_num/page_size asked; currentPage < totalPage continues before the oldest row; collectCycle is the interval when present")
    func mexc() async throws {
        let client = PathRecorder(answering: "mexc")
        let request = FundingHistoryRequest(dexSymbol: "BTC_USDT", start: Self.date("2021-01-04T00:00:00Z"),
                                            end: Self.date("2021-01-06T00:00:00Z"))
        let page = try await MEXCAdapter().fundingHistory(request, client: client, baseURL: "")
        #expect(client.paths == ["/api/v1/contract/funding_rate/history?symbol=BTC_USDT&page_num=1&page_size=100"])
        // funding-rate-history.json (2021 docs example): settleTime 1609804800000 = 2021-01-05T00:00Z rate 0.000266,
        // 1609776000000 = 2021-01-04T16:00Z rate 0.00029; 8 h apart; no collectCycle in this example.
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTC_USDT", fundingTime: Self.date("2021-01-04T16:00:00Z"), fundingRate: 0.00029,
                           fundingIntervalHours: 8),
            SettledFunding(dexSymbol: "BTC_USDT", fundingTime: Self.date("2021-01-05T00:00:00Z"), fundingRate: 0.000266,
                           fundingIntervalHours: 8),
        ])
        // currentPage 1 of totalPage 11 (though only 2 rows, the example's pageSize): page 2 next, ending at the
        // oldest row; this page covered from that row to the end.
        let next = try #require(page.next)
        #expect(next.cursor == "2:1609776000000" && next.start == request.start && next.end == Self.date("2021-01-04T16:00:00Z"))
        #expect(page.covered(by: request) == Self.date("2021-01-04T16:00:00Z")..<request.end)

        // The current docs' example (mexc.com/api-docs/futures/market-endpoints, "Get Funding Rate History",
        // 2025-10) with collectCycle, on the last page: the walk ends there.
        let current = #"{"success":true,"code":0,"data":{"pageSize":3,"totalCount":1619,"totalPage":540,"currentPage":540,"resultList":[{"symbol":"BTC_USDT","fundingRate":0.000021,"settleTime":1761868800000,"collectCycle":8},{"symbol":"BTC_USDT","fundingRate":0.000032,"settleTime":1761840000000,"collectCycle":8},{"symbol":"BTC_USDT","fundingRate":-0.000001,"settleTime":1761811200000,"collectCycle":4}]}}"#
        let recent = FundingHistoryRequest(dexSymbol: "BTC_USDT", start: Self.date("2025-10-30T00:00:00Z"),
                                           end: Self.date("2025-11-01T00:00:00Z"), cursor: "540:1761900000000",
                                           limit: 3)
        let last = try MEXCAdapter.parseFundingHistory(Array(current.utf8), request: recent)
        // 1761811200000 = 2025-10-30T08:00Z (its collectCycle changed to 4 here, to show the stated interval wins
        // over the 8 h gap), 1761840000000 = 16:00Z, 1761868800000 = 2025-10-31T00:00Z.
        #expect(last.settlements.map(\.fundingIntervalHours) == [4, 8, 8])
        #expect(last.settlements.map(\.fundingRate) == [-0.000001, 0.000032, 0.000021])
        #expect(last.next == nil)  // a full page of 3, but currentPage == totalPage
    }

    @Test("Phemex: the funding-rate symbol from the trading symbol (matches products' fundingRate8hSymbol); intervalSeconds is the interval; pages forward")
    func phemex() async throws {
        // The derivation against every perpetual of the recorded products answer.
        let products = try PhemexAdapter.parseProducts(Fixtures.data("phemex", "products.json"))
        #expect(products.count == 2)
        for p in products {
            #expect(PhemexAdapter.fundingRateSymbol(of: p.symbol) == p.fundingRate8hSymbol, "\(p.symbol)")
        }
        #expect(PhemexAdapter.fundingRateSymbol(of: "cETHUSD") == ".cETHFR8H")

        let client = PathRecorder(answering: "phemex")
        let request = FundingHistoryRequest(dexSymbol: "BTCUSD", start: Self.date("2023-04-06T00:00:00Z"),
                                            end: Self.date("2023-04-08T00:00:00Z"))
        let page = try await PhemexAdapter().fundingHistory(request, client: client, baseURL: "")
        // 2023-04-06T00:00Z = 1680739200000; the end less 1 ms (Phemex's end is inclusive).
        #expect(client.paths == ["/api-data/public/data/funding-rate-history?symbol=.BTCFR8H&start=1680739200000"
                                 + "&end=1680911999999&limit=100"])
        // funding-rate-history.json: .BTCFR8H 1680796800000 = 2023-04-06T16:00Z "0.00007058", 1680825600000 =
        // 2023-04-07T00:00Z "0.00006672", each intervalSeconds 28800 = 8 h.
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTCUSD", fundingTime: Self.date("2023-04-06T16:00:00Z"), fundingRate: 0.00007058,
                           fundingIntervalHours: 8),
            SettledFunding(dexSymbol: "BTCUSD", fundingTime: Self.date("2023-04-07T00:00:00Z"), fundingRate: 0.00006672,
                           fundingIntervalHours: 8),
        ])
        #expect(page.next == nil)  // 2 rows < 100
        // A full forward page: the next starts 1 ms after its newest row.
        let full = #"{"code":0,"msg":"OK","data":{"rows":["# + (0..<100).map {
            #"{"symbol":".BTCUSDTFR8H","fundingRate":"0.0001","fundingTime":\#(1_680_739_200_000 + $0 * 14_400_000),"intervalSeconds":14400}"#
        }.joined(separator: ",") + "]}}"
        let wide = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(1_680_739_200_000),
                                         end: Self.ms(1_690_000_000_000))
        let forward = try PhemexAdapter.parseFundingHistory(Array(full.utf8), request: wide, pageSize: 100)
        #expect(Set(forward.settlements.map(\.fundingIntervalHours)) == [4])
        // Newest row: 1680739200000 + 99 × 14,400,000 = 1682164800000; the next page starts 1 ms later.
        let start = try #require(forward.next?.start)
        #expect(abs(start.timeIntervalSince(Self.ms(1_682_164_800_000)) - 0.001) < 1e-6)
    }

    @Test("Deribit: one hourly row is one 1 h settlement of interest_1h (not interest_8h), with the index price; 480 h windows")
    func deribit() async throws {
        let client = PathRecorder(answering: "deribit")
        let request = FundingHistoryRequest(dexSymbol: "BTC-PERPETUAL", start: Self.date("2019-10-01T00:00:00Z"),
                                            end: Self.date("2019-10-02T00:00:00Z"))
        let page = try await DeribitAdapter().fundingHistory(request, client: client, baseURL: "")
        // 2019-10-01T00:00Z = 1569888000000; the window (24 h < 480 h) ends with the range, less 1 ms.
        #expect(client.paths == ["/api/v2/public/get_funding_rate_history?instrument_name=BTC-PERPETUAL"
                                 + "&start_timestamp=1569888000000&end_timestamp=1569974399999"])
        // funding-rate-history.json (docs example): timestamps 1569891600000 … 1569902400000 = 01:00 … 04:00Z;
        // interest_1h −4.739622041017375e-07, −2.8583510923267753e-07, −3.815906848177951e-06,
        // 8.312033064379086e-07; index_price 8222.87, 8286.49, 8431.97, 8422.36.
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTC-PERPETUAL", fundingTime: Self.date("2019-10-01T01:00:00Z"),
                           fundingRate: -4.739622041017375e-07, fundingIntervalHours: 1, indexPrice: 8222.87),
            SettledFunding(dexSymbol: "BTC-PERPETUAL", fundingTime: Self.date("2019-10-01T02:00:00Z"),
                           fundingRate: -2.8583510923267753e-07, fundingIntervalHours: 1, indexPrice: 8286.49),
            SettledFunding(dexSymbol: "BTC-PERPETUAL", fundingTime: Self.date("2019-10-01T03:00:00Z"),
                           fundingRate: -3.815906848177951e-06, fundingIntervalHours: 1, indexPrice: 8431.97),
            SettledFunding(dexSymbol: "BTC-PERPETUAL", fundingTime: Self.date("2019-10-01T04:00:00Z"),
                           fundingRate: 8.312033064379086e-07, fundingIntervalHours: 1, indexPrice: 8422.36),
        ])
        // Realised funding over these 4 hours: python sum(interest_1h) = −3.7445008550744577e-06 (a long received it).
        #expect(abs(page.settlements.map(\.fundingRate).reduce(0, +) - -3.7445008550744577e-06) < 1e-18)
        #expect(page.next == nil)
        // Thirty days: 480 h windows, the second starting where the first ended.
        let month = FundingHistoryRequest(dexSymbol: "BTC-PERPETUAL", start: Self.date("2019-10-01T00:00:00Z"),
                                          end: Self.date("2019-10-31T00:00:00Z"))
        let first = try await DeribitAdapter().fundingHistory(month, client: client, baseURL: "")
        #expect(client.paths.last?.hasSuffix("&start_timestamp=1569888000000&end_timestamp=1571615999999") == true)
        #expect(first.next?.start == Self.date("2019-10-21T00:00:00Z"))
        #expect(first.covered(by: month) == month.start..<Self.date("2019-10-21T00:00:00Z"))
    }

    // MARK: - Walking by page number

    /// A venue of `count` settlements 8 h apart from 2024-01-01T00:00Z (rate = index × 1e-6) paged newest first by
    /// page number, in Bitget's (`pageNo`/`pageSize`) or MEXC's (`page_num`/`page_size`, with `totalPage`) format.
    /// `cap` is the venue's own largest page, whatever is asked; `settlesDuringWalk` publishes one more settlement
    /// after the first answer; `ignoresPageNumber` answers page 1 to every request.
    final class NumberedVenue: HTTPFetching, @unchecked Sendable {
        private let lock = NSLock()
        private var count: Int
        private var answered = 0
        let cap: Int?
        let settlesDuringWalk: Bool
        let ignoresPageNumber: Bool
        let origin = 1_704_067_200_000.0  // 2024-01-01T00:00:00Z in ms

        init(count: Int, cap: Int? = nil, settlesDuringWalk: Bool = false, ignoresPageNumber: Bool = false) {
            self.count = count
            self.cap = cap
            self.settlesDuringWalk = settlesDuringWalk
            self.ignoresPageNumber = ignoresPageNumber
        }

        func time(_ i: Int) -> Double { origin + Double(i) * 8 * 3_600_000 }

        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            let (route, query) = FixtureCatalog.split(path)
            let mexc = route == "/api/v1/contract/funding_rate/history"
            let asked = Int(query[mexc ? "page_size" : "pageSize"]!)!
            let size = min(asked, cap ?? asked)
            let page = ignoresPageNumber ? 1 : Int(query[mexc ? "page_num" : "pageNo"]!)!
            let total = lock.withLock {
                defer {
                    answered += 1
                    if settlesDuringWalk && answered == 1 { count += 1 }
                }
                return count
            }
            let indices = Array((0..<total).reversed().dropFirst((page - 1) * size).prefix(size))
            if mexc {
                let rows = indices.map { #"{"symbol":"BTC_USDT","fundingRate":\#(Double($0) * 1e-6),"settleTime":\#(Int64(time($0)))}"# }
                let pages = (total + size - 1) / size
                return Array(#"{"success":true,"code":0,"data":{"pageSize":\#(size),"totalCount":\#(total),"totalPage":\#(pages),"currentPage":\#(page),"resultList":[\#(rows.joined(separator: ","))]}}"#.utf8)
            }
            let rows = indices.map { #"{"symbol":"BTCUSDT","fundingRate":"\#(Double($0) * 1e-6)","fundingTime":"\#(Int64(time($0)))"}"# }
            return Array(#"{"code":"00000","msg":"success","requestTime":0,"data":[\#(rows.joined(separator: ","))]}"#.utf8)
        }

        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
        }
    }

    @Test("Bitget by page number: 250 settlements in 3 pages of 100 (the last short), each once, the covered ranges tiling the range")
    func pageNumberStitching() async throws {
        let venue = NumberedVenue(count: 250)
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.origin), end: Self.ms(venue.time(250)))
        let (rows, pages) = try await Self.walk(BitgetAdapter(), request, client: venue)
        #expect(pages == 3)  // 100 + 100 + 50
        #expect(rows.sorted { $0.fundingTime < $1.fundingTime }.map(\.fundingTime) == (0..<250).map { Self.ms(venue.time($0)) })
        // Index 7's rate was 7 × 1e-6: each row keeps its own rate through the pages.
        #expect(rows.first { $0.fundingTime == Self.ms(venue.time(7)) }?.fundingRate == 7e-6)
        // The walk stops once a row reaches the start: a range of the newest 150 settlements takes 2 pages.
        let recent = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.time(100)), end: request.end)
        let (recentRows, recentPages) = try await Self.walk(BitgetAdapter(), recent, client: venue)
        #expect(recentPages == 2 && recentRows.count == 150)
    }

    @Test("a resumed backfill: the range before what is stored pages through newer settlements first, which cover nothing")
    func pageNumberResume() async throws {
        let venue = NumberedVenue(count: 250)
        // Settlements 150…249 are stored ([time(150), time(250)) fetched): the backfill asks for [time(0), time(150)).
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.origin), end: Self.ms(venue.time(150)))
        let page1 = try await BitgetAdapter().fundingHistory(request, client: venue, baseURL: "")
        // Page 1 holds 249…150: all at or after the end, so nothing is stored and nothing is claimed.
        #expect(page1.settlements.isEmpty)
        #expect(page1.covered(by: request).isEmpty && page1.covered(by: request).lowerBound == request.end)
        let next = try #require(page1.next)
        #expect(next.cursor == "2:\(Int64(venue.time(150)))" && next.end == request.end)
        // Page 2 holds 149…50: it settles [time(50), time(150)), contiguous with what is stored.
        let page2 = try await BitgetAdapter().fundingHistory(next, client: venue, baseURL: "")
        #expect(page2.settlements.count == 100)
        #expect(page2.covered(by: next) == Self.ms(venue.time(50))..<request.end)
        // The whole walk: 3 pages, settlements 0…149 once each, no gap between the covered ranges.
        let (rows, pages) = try await Self.walk(BitgetAdapter(), request, client: venue)
        #expect(pages == 3)
        #expect(rows.map(\.fundingTime).sorted() == (0..<150).map { Self.ms(venue.time($0)) })
    }

    @Test("a settlement published mid-walk shifts the pages one row older: the next page repeats a row, none is lost")
    func pageNumberShift() async throws {
        let venue = NumberedVenue(count: 250, settlesDuringWalk: true)
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.origin), end: Self.ms(venue.time(250)))
        let (rows, pages) = try await Self.walk(BitgetAdapter(), request, client: venue)
        // Pages: 249…150, then (251 settlements now) 150…51, then 50…0: row 150 answered twice, kept once.
        #expect(pages == 3)
        #expect(rows.map(\.fundingTime).sorted() == (0..<250).map { Self.ms(venue.time($0)) })
    }

    @Test("a venue that ignores the page number fails the walk instead of walking forever")
    func pageNumberIgnored() async throws {
        let venue = NumberedVenue(count: 250, ignoresPageNumber: true)
        let request = FundingHistoryRequest(dexSymbol: "BTCUSDT", start: Self.ms(venue.origin), end: Self.ms(venue.time(250)))
        let first = try await BitgetAdapter().fundingHistory(request, client: venue, baseURL: "")
        let next = try #require(first.next)
        await #expect(throws: VenuePayloadError.self) {
            _ = try await BitgetAdapter().fundingHistory(next, client: venue, baseURL: "")
        }
        var foreign = request
        foreign.cursor = "after=abc"
        await #expect(throws: VenuePayloadError.self) {
            _ = try await BitgetAdapter().fundingHistory(foreign, client: venue, baseURL: "")
        }
    }

    @Test("MEXC ends where totalPage says: 2,500 settlements in 3 pages of 1000, or 25 when the venue caps pages at 100")
    func pageNumberTotalPage() async throws {
        let venue = NumberedVenue(count: 2500)
        let request = FundingHistoryRequest(dexSymbol: "BTC_USDT", start: Self.ms(venue.origin), end: Self.ms(venue.time(2500)))
        let (rows, pages) = try await Self.walk(MEXCAdapter(), request, client: venue)
        #expect(pages == 3 && rows.count == 2500)
        // A server holding to the 2021 maximum answers 100 rows to a request for 1000: short, but not the last page.
        let capped = NumberedVenue(count: 2500, cap: 100)
        let (cappedRows, cappedPages) = try await Self.walk(MEXCAdapter(), request, client: capped)
        #expect(cappedPages == 25)
        #expect(cappedRows.map(\.fundingTime).sorted() == (0..<2500).map { Self.ms(capped.time($0)) })
    }
}
