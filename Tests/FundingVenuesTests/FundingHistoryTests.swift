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
        #expect(withHistory == ["binance", "binance_coinm", "aster", "bybit", "okx", "hyperliquid", "dydx", "gate",
                                "paradex", "drift", "pacifica", "backpack", "bitget", "kucoin", "mexc", "phemex", "deribit", "bitmex"])
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

    @Test("BitMEX: fundingRate a fraction per the row's fundingInterval (an offset from 2000-01-01), timestamp ISO; ISO startTime/endTime, oldest first")
    func bitmex() async throws {
        let request = FundingHistoryRequest(dexSymbol: "XBTUSD", start: Self.date("2024-11-25T00:00:00Z"),
                                            end: Self.date("2024-11-26T00:00:00Z"))
        let recorder = PathRecorder(answering: "bitmex")
        let page = try await BitMEXAdapter().fundingHistory(request, client: recorder, baseURL: "")
        // funding-xbtusd.json: 2024-11-25T04:00Z, 0.0001 per "2000-01-01T08:00:00.000Z" − 2000-01-01 = 8 h.
        #expect(page.settlements == [SettledFunding(dexSymbol: "XBTUSD", fundingTime: Self.date("2024-11-25T04:00:00Z"),
                                                    fundingRate: 0.0001, fundingIntervalHours: 8)])
        #expect(page.next == nil)
        #expect(recorder.paths == ["/api/v1/funding?symbol=XBTUSD&startTime=2024-11-25T00:00:00.000Z"
                                   + "&endTime=2024-11-25T23:59:59.999Z&count=500&reverse=false"])
        // funding-ethxbt.json: "2000-01-02T00:00:00.000Z" is a 24 h interval, stated by the row, not the 8 h default.
        let daily = try await BitMEXAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "ETHXBT", start: Self.date("2016-05-07T00:00:00Z"),
                                  end: Self.date("2016-05-08T00:00:00Z")),
            client: Fixtures.client("bitmex"), baseURL: "")
        #expect(daily.settlements.map(\.fundingIntervalHours) == [24])
        #expect(daily.settlements.map(\.fundingRate) == [0.0010890000000000001])
        // A full page (500 rows) asks for the next one from just after its newest row.
        let full = "[" + (0..<500).map { i in
            let time = Self.date("2024-01-01T04:00:00Z").addingTimeInterval(Double(i) * 8 * 3600)
            let stamp = HistoryPaging.isoMilliseconds(HistoryPaging.milliseconds(time))
            return #"{"timestamp":"\#(stamp)","fundingInterval":"2000-01-01T08:00:00.000Z","fundingRate":0.0001}"#
        }.joined(separator: ",") + "]"
        let long = FundingHistoryRequest(dexSymbol: "XBTUSD", start: Self.date("2024-01-01T00:00:00Z"),
                                         end: Self.date("2025-01-01T00:00:00Z"))
        let first = try BitMEXAdapter.parseFundingHistory(Array(full.utf8), request: long, pageSize: 500)
        #expect(first.settlements.count == 500)
        #expect(first.next?.start == Self.date("2024-01-01T04:00:00Z").addingTimeInterval(499 * 8 * 3600 + 0.001))
        #expect(throws: VenuePayloadError.self) {
            try BitMEXAdapter.parseFundingHistory(Array(#"[{"timestamp":"2024-11-25T04:00:00.000Z"}]"#.utf8),
                                                  request: request, pageSize: 500)
        }
    }

    @Test("Drift: fundingRateLong (quote per unit, what a long paid) over oraclePriceTwap, ts seconds, 1 h stated; newest first, so the next page carries meta.nextPage and ends at the oldest row")
    func drift() async throws {
        let request = FundingHistoryRequest(dexSymbol: "BTC-PERP", start: Self.date("2026-09-13T00:00:00Z"),
                                            end: Self.date("2026-09-14T00:00:00Z"))
        let page = try await DriftAdapter().fundingHistory(request, client: Fixtures.client("drift"), baseURL: "")
        // market_fundingRates_velocity.json, newest first: ts 1789336860 (22:01:00Z) 6.399237833 / 77333.726817 =
        // 0.0000827483; 1789333259 (21:00:59Z) 6.320036916 / 77287.184923 = 0.0000817734; 1789329660 (20:01:00Z)
        // 6.206000708 / 77262.392462 = 0.0000803237. Mark TWAPs (77502.77, 77454.32, 77426.79) are above the oracle
        // TWAPs, so longs pay: positive. Each record is one hour's payment (stated, not inferred from the 59:59 gap).
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTC-PERP", fundingTime: Self.date("2026-09-13T20:01:00Z"),
                           fundingRate: 6.206000708 / 77262.392462, fundingIntervalHours: 1),
            SettledFunding(dexSymbol: "BTC-PERP", fundingTime: Self.date("2026-09-13T21:00:59Z"),
                           fundingRate: 6.320036916 / 77287.184923, fundingIntervalHours: 1),
            SettledFunding(dexSymbol: "BTC-PERP", fundingTime: Self.date("2026-09-13T22:01:00Z"),
                           fundingRate: 6.399237833 / 77333.726817, fundingIntervalHours: 1),
        ])
        #expect(abs(page.settlements[2].fundingRate - 0.0000827483) < 1e-10)
        // The oldest row (20:01:00Z) is after the start: older rows may exist, so the walk goes on with the token and
        // this page covered [oldest row, end).
        let token = "eyJwayI6Ik1BUktFVCNCVEMtUEVSUCIsInNrIjoiRlVORElOR19SQVRFI1RTIzE3ODkyMzI0NTkjU0xPVCM0NDY0ODExMTUjU0lHIzI2R2FDQTdaZ0NyaUFETFk1MWNEVUtKb0J5SmN0UEU4eWhyUFN4R0NrSmZpUmRSY2h3S05VMUhaVjk4aDNLTk5nck1zV0Y2RjFMRTZKazdaS0RwUzdiQlkjSU5ERVgjMDAwMDAifQ=="
        #expect(page.next == FundingHistoryRequest(dexSymbol: "BTC-PERP", start: request.start,
                                                   end: Self.date("2026-09-13T20:01:00Z"), cursor: token))
        #expect(page.covered(by: request) == Self.date("2026-09-13T20:01:00Z")..<request.end)
        // A range starting at or after the oldest row is complete on this page.
        var later = request
        later.start = Self.date("2026-09-13T20:01:00Z")
        #expect(try await DriftAdapter().fundingHistory(later, client: Fixtures.client("drift"), baseURL: "").next == nil)
        // The token goes back as `page`, percent-encoded (base64's `=`); 20 h left to read ask the floor of 100
        // rows, a 60-day range the documented maximum of 750.
        let recorder = PathRecorder()
        _ = try? await DriftAdapter().fundingHistory(page.next!, client: recorder, baseURL: "")
        var wide = request
        wide.start = Self.date("2026-07-15T00:00:00Z")
        _ = try? await DriftAdapter().fundingHistory(wide, client: recorder, baseURL: "")
        #expect(recorder.paths == ["/market/BTC-PERP/fundingRates?limit=100&page=" + token.replacingOccurrences(of: "=", with: "%3D"),
                                   "/market/BTC-PERP/fundingRates?limit=750"])
    }

    @Test("Pacifica: funding_rate settled at created_at (ms), 1 h stated, oracle_price as the index price; next_cursor while has_more")
    func pacifica() async throws {
        let request = FundingHistoryRequest(dexSymbol: "BTC", start: Self.date("2026-09-13T00:00:00Z"),
                                            end: Self.date("2026-09-14T00:00:00Z"))
        let page = try await PacificaAdapter().fundingHistory(request, client: Fixtures.client("pacifica"), baseURL: "")
        // funding_rate_history_live.json, newest first: 1789336800497 (22:00:00.497Z) 0.00000383 oracle 77315.51898;
        // 1789333200405 (21:00:00.405Z) 0.00000632 / 77342.161371; 1789329600426 (20:00:00.426Z) 0.00000466 /
        // 77281.797324. Times kept as published; each an hourly rate applied once: interval 1 h.
        #expect(page.settlements == [
            SettledFunding(dexSymbol: "BTC", fundingTime: Self.ms(1_789_329_600_426), fundingRate: 0.00000466,
                           fundingIntervalHours: 1, indexPrice: 77281.797324),
            SettledFunding(dexSymbol: "BTC", fundingTime: Self.ms(1_789_333_200_405), fundingRate: 0.00000632,
                           fundingIntervalHours: 1, indexPrice: 77342.161371),
            SettledFunding(dexSymbol: "BTC", fundingTime: Self.ms(1_789_336_800_497), fundingRate: 0.00000383,
                           fundingIntervalHours: 1, indexPrice: 77315.51898),
        ])
        // has_more with next_cursor "1111Yd1mZ": the next page asks it, ending at the oldest row.
        #expect(page.next == FundingHistoryRequest(dexSymbol: "BTC", start: request.start,
                                                   end: Self.ms(1_789_329_600_426), cursor: "1111Yd1mZ"))
        let recorder = PathRecorder()
        _ = try? await PacificaAdapter().fundingHistory(page.next!, client: recorder, baseURL: "")
        #expect(recorder.paths == ["/api/v1/funding_rate/history?symbol=BTC&limit=100&cursor=1111Yd1mZ"])
        // has_more false ends the walk whatever the cursor says.
        let last = #"{"success":true,"data":[{"funding_rate":"0.0000125","oracle_price":"1","created_at":1789326000400}],"next_cursor":"x","has_more":false}"#
        #expect(try PacificaAdapter.parseFundingHistory(Array(last.utf8), request: request).next == nil)
        // The docs example has the same structure (its values are illustrative): one row, 2025-07-29T16:35:34.249Z.
        var docsRange = request
        docsRange.start = Self.date("2025-07-29T00:00:00Z")
        let docs = try PacificaAdapter.parseFundingHistory(try Fixtures.data("pacifica", "funding_rate_history.json"),
                                                           request: docsRange)
        #expect(docs.settlements.map(\.fundingTime) == [Self.ms(1_753_806_934_249)])
        #expect(docs.settlements.map(\.fundingRate) == [0.0000125])
        #expect(throws: VenuePayloadError.self) {
            try PacificaAdapter.parseFundingHistory(Array(#"{"success":false,"error":"bad symbol"}"#.utf8), request: request)
        }
    }

    @Test("Backpack: fundingRate per interval at intervalEndTimestamp (UTC without a zone), interval from the spacing; offset paging newest first; rows out of order fail")
    func backpack() async throws {
        let request = FundingHistoryRequest(dexSymbol: "BTC_USDC_PERP", start: Self.date("2026-09-13T00:00:00Z"),
                                            end: Self.date("2026-09-14T00:00:00Z"))
        let page = try await BackpackAdapter().fundingHistory(request, client: Fixtures.client("backpack"), baseURL: "")
        // fundingRates_btc_2026-09-13.json, newest first: 23:00 0.000001254, 22:00 0.000008311, 21:00 0.000009713,
        // 20:00 0.000008029, 19:00 0.000007819, 18:00 0.00001213; "2026-09-13T18:00:00" read as 18:00 UTC; rows 1 h
        // apart (the oldest takes the gap to the next one).
        #expect(page.settlements.map(\.fundingTime) == (18...23).map { Self.date("2026-09-13T\($0):00:00Z") })
        #expect(page.settlements.map(\.fundingRate) == [0.00001213, 0.000007819, 0.000008029, 0.000009713, 0.000008311,
                                                        0.000001254])
        #expect(Set(page.settlements.map(\.fundingIntervalHours)) == [1])
        #expect(page.next == nil)  // 6 rows < the 1,000 asked for: the venue has no older ones
        // The 23:00 row ends after a range ending at 22:30 (the interval still accruing when read): not stored.
        var beforeEnd = request
        beforeEnd.end = Self.date("2026-09-13T22:30:00Z")
        #expect(try await BackpackAdapter().fundingHistory(beforeEnd, client: Fixtures.client("backpack"), baseURL: "")
            .settlements.last?.fundingTime == Self.date("2026-09-13T22:00:00Z"))
        // ccxt's 2025 recording (ETH): 12:00 0.0000125, 11:00 0.0000125, 10:00 0.000006196.
        let eth = try await BackpackAdapter().fundingHistory(
            FundingHistoryRequest(dexSymbol: "ETH_USDC_PERP", start: Self.date("2025-09-11T00:00:00Z"),
                                  end: Self.date("2025-09-12T00:00:00Z")),
            client: Fixtures.client("backpack"), baseURL: "")
        #expect(eth.settlements == [
            SettledFunding(dexSymbol: "ETH_USDC_PERP", fundingTime: Self.date("2025-09-11T10:00:00Z"),
                           fundingRate: 0.000006196, fundingIntervalHours: 1),
            SettledFunding(dexSymbol: "ETH_USDC_PERP", fundingTime: Self.date("2025-09-11T11:00:00Z"),
                           fundingRate: 0.0000125, fundingIntervalHours: 1),
            SettledFunding(dexSymbol: "ETH_USDC_PERP", fundingTime: Self.date("2025-09-11T12:00:00Z"),
                           fundingRate: 0.0000125, fundingIntervalHours: 1),
        ])
        // A full page goes on at offset + rows, ending at its oldest row; the offset is asked as given.
        let full = #"[{"fundingRate":"0.0001","intervalEndTimestamp":"2025-09-11T12:00:00"},{"fundingRate":"0.0002","intervalEndTimestamp":"2025-09-11T11:00:00"}]"#
        let ethRange = FundingHistoryRequest(dexSymbol: "ETH_USDC_PERP", start: Self.date("2025-09-11T00:00:00Z"),
                                             end: Self.date("2025-09-12T00:00:00Z"))
        let fullPage = try BackpackAdapter.parseFundingHistory(Array(full.utf8), request: ethRange, offset: 40, pageSize: 2)
        #expect(fullPage.next?.cursor == "42" && fullPage.next?.end == Self.date("2025-09-11T11:00:00Z"))
        let recorder = PathRecorder()
        _ = try? await BackpackAdapter().fundingHistory(fullPage.next!, client: recorder, baseURL: "")
        #expect(recorder.paths == ["/api/v1/fundingRates?symbol=ETH_USDC_PERP&limit=100&offset=42"])
        // Oldest first would break the walk (it stops at the first row older than the start): refused.
        let ascending = #"[{"fundingRate":"0.0001","intervalEndTimestamp":"2025-09-11T11:00:00"},{"fundingRate":"0.0002","intervalEndTimestamp":"2025-09-11T12:00:00"}]"#
        #expect(throws: VenuePayloadError.self) {
            try BackpackAdapter.parseFundingHistory(Array(ascending.utf8), request: ethRange, offset: 0, pageSize: 1000)
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
    static func walk(_ venue: some FundingHistorySource, _ request: FundingHistoryRequest, client: some HTTPFetching)
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

    /// Records the paths asked (for checking what an adapter sends) and answers them from `dex`'s recordings, or
    /// answers none without a dex.
    final class PathRecorder: HTTPFetching, @unchecked Sendable {
        let dex: String?
        private let lock = NSLock()
        private var recorded: [String] = []
        var paths: [String] { lock.withLock { recorded } }

        init(answering dex: String? = nil) { self.dex = dex }

        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            lock.withLock { recorded.append(path) }
            guard let dex else { throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil) }
            return try await Fixtures.client(dex).get(path, baseURL: baseURL)
        }

        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
        }
    }

    /// A venue of `count` hourly settlements from 2024-01-01T00:00Z (rate = index × 1e-6) answering Backpack's
    /// `fundingRates` (newest first, `limit` rows from `offset`, no time filter) and Pacifica's `funding_rate/history`
    /// (newest first, `limit` rows after the opaque `cursor`, here the base64 of the offset, with `has_more`).
    struct NewestFirstVenue: HTTPFetching {
        var count: Int
        let origin = 1_704_067_200_000.0  // 2024-01-01T00:00:00Z in ms

        func time(_ i: Int) -> Double { origin + Double(i) * 3_600_000 }

        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            let (route, query) = FixtureCatalog.split(path)
            let limit = query["limit"].flatMap(Int.init) ?? 100
            if route == "/api/v1/fundingRates" {
                let offset = query["offset"].flatMap(Int.init) ?? 0
                let rows = (0..<count).reversed().dropFirst(offset).prefix(limit).map { i in
                    // "2024-01-01T05:00:00Z" without the zone, as Backpack writes it.
                    let end = Date(timeIntervalSince1970: time(i) / 1000).formatted(.iso8601).dropLast()
                    return #"{"fundingRate":"\#(Double(i) * 1e-6)","intervalEndTimestamp":"\#(end)","symbol":"X"}"#
                }
                return Array("[\(rows.joined(separator: ","))]".utf8)
            }
            // Pacifica: the cursor is base64 of the offset (opaque to the adapter; `=` padding must survive the query).
            let offset = query["cursor"].flatMap { $0.removingPercentEncoding }.flatMap { Data(base64Encoded: $0) }
                .flatMap { String(data: $0, encoding: .utf8) }.flatMap(Int.init) ?? 0
            let rows = (0..<count).reversed().dropFirst(offset).prefix(limit).map { i in
                #"{"funding_rate":"\#(Double(i) * 1e-6)","oracle_price":"100","created_at":\#(Int64(time(i)))}"#
            }
            let next = offset + rows.count
            let cursor = Data(String(next).utf8).base64EncodedString()
            return Array(#"{"success":true,"data":[\#(rows.joined(separator: ","))],"next_cursor":"\#(cursor)","has_more":\#(next < count)}"#.utf8)
        }

        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
        }
    }

    /// Follows `next` to the end over `client`, checking that the pages' covered ranges tile the request.
    static func walkNewestFirst(_ venue: some FundingHistorySource, _ request: FundingHistoryRequest,
                                client: NewestFirstVenue) async throws -> (rows: [SettledFunding], pages: Int,
                                                                            covered: [Range<Date>]) {
        var rows: [SettledFunding] = []
        var covered: [Range<Date>] = []
        var next: FundingHistoryRequest? = request
        while let current = next, covered.count < 100 {
            let page = try await venue.fundingHistory(current, client: client, baseURL: "")
            rows += page.settlements
            covered.append(page.covered(by: current))
            next = page.next
        }
        let sorted = covered.sorted { $0.lowerBound < $1.lowerBound }
        #expect(sorted.first?.lowerBound == request.start && sorted.last?.upperBound == request.end)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        return (rows, covered.count, covered)
    }

    @Test("newest-first cursor walk (Backpack by offset, Pacifica by cursor): each page covers [its oldest row, the end so far), the pages tile the range, none twice, none missing")
    func newestFirstStitching() async throws {
        let venue = NewestFirstVenue(count: 2500)
        // The range leaves out the 100 newest settlements (read and dropped) and the 50 oldest (past the start).
        let request = FundingHistoryRequest(dexSymbol: "X", start: Self.ms(venue.time(50)), end: Self.ms(venue.time(2400)))
        let backpack = try await Self.walkNewestFirst(BackpackAdapter(), request, client: venue)
        // Rows asked: the range's hours + 24 (`newestFirstLimit`), at most 1000: 2499…1500 (2399…1500 in range),
        // 1499…500, then 474 (450 h + 24) from 499: 499…26, the oldest before the start: done.
        #expect(backpack.pages == 3)
        #expect(backpack.rows.sorted { $0.fundingTime < $1.fundingTime }.map(\.fundingTime)
            == (50..<2400).map { Self.ms(venue.time($0)) })
        #expect(backpack.covered == [Self.ms(venue.time(1500))..<request.end,
                                     Self.ms(venue.time(500))..<Self.ms(venue.time(1500)),
                                     request.start..<Self.ms(venue.time(500))])
        #expect(backpack.rows.first { $0.fundingTime == Self.ms(venue.time(777)) }?.fundingRate == 777 * 1e-6)
        let pacifica = try await Self.walkNewestFirst(PacificaAdapter(), request, client: venue)
        // 2,374 rows asked (2,350 h + 24): 2499…126, then 100 (76 h + 24): 125…26, past the start.
        #expect(pacifica.pages == 2)
        #expect(pacifica.rows.sorted { $0.fundingTime < $1.fundingTime }.map(\.fundingTime)
            == (50..<2400).map { Self.ms(venue.time($0)) })
        var small = request
        small.limit = 300
        let paged = try await Self.walkNewestFirst(PacificaAdapter(), small, client: venue)
        #expect(paged.pages == 9)  // 2499…2200, …, 99…0 (2500 / 300 rounded up)
        #expect(paged.rows.sorted { $0.fundingTime < $1.fundingTime }.map(\.fundingTime)
            == (50..<2400).map { Self.ms(venue.time($0)) })
    }

    @Test("covered(by:) of a newest-first cursor page is [oldest row, end); a cursor that keeps the range covers nothing")
    func coveredByCursor() {
        let t0 = Self.date("2024-03-01T00:00:00Z")
        func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }
        let request = FundingHistoryRequest(dexSymbol: "X", start: at(0), end: at(100))
        func row(_ hours: Double) -> SettlementRow { SettlementRow(fundingTime: at(hours), fundingRate: 0.0001) }
        // Newest first: 120 h (after the end: read, dropped), 99 … 60 h.
        let rows = [row(120)] + stride(from: 99.0, through: 60, by: -1).map(row)
        let page = try! HistoryPaging.newestFirst(rows, token: "t1", request: request, defaultInterval: 1, dex: "x",
                                                  endpoint: "/h")
        #expect(page.settlements.count == 40)
        #expect(page.next?.cursor == "t1" && page.next?.start == at(0) && page.next?.end == at(60))
        #expect(page.covered(by: request) == at(60)..<at(100))
        // A page entirely newer than the range covers nothing yet and goes on.
        let newer = try! HistoryPaging.newestFirst([row(130), row(120)], token: "t0", request: request,
                                                   defaultInterval: 1, dex: "x", endpoint: "/h")
        #expect(newer.settlements.isEmpty && newer.next?.end == at(100))
        #expect(newer.covered(by: request).isEmpty)
        // No token, or an oldest row at or before the start: the walk is done and the page covers the whole range.
        #expect(try! HistoryPaging.newestFirst(rows, token: nil, request: request, defaultInterval: 1, dex: "x",
                                               endpoint: "/h").covered(by: request) == at(0)..<at(100))
        #expect(try! HistoryPaging.newestFirst([row(1), row(0)], token: "t2", request: request, defaultInterval: 1,
                                               dex: "x", endpoint: "/h").next == nil)
        // A cursor page that keeps start and end (an adapter that does not narrow) claims nothing until the last.
        var keeps = request
        keeps.cursor = "t1"
        #expect(FundingHistoryPage(settlements: [], next: keeps).covered(by: request).isEmpty)
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
