import Foundation
import FundingCore
import Testing
@testable import FundingVenues

@Suite struct PerMarketRequestsTests {
    actor Gauge {
        var current = 0, peak = 0, started: [Int] = []
        func enter(_ i: Int) { current += 1; peak = max(peak, current); started.append(i) }
        func leave() { current -= 1 }
    }

    @Test func atMostLimitInFlightAndResultsInOrder() async {
        let gauge = Gauge()
        let results = await PerMarketRequests.run(Array(0..<20), limit: 3) { i in
            await gauge.enter(i)
            try await Task.sleep(for: .milliseconds(5))
            await gauge.leave()
            if i == 7 { throw HTTPFetchError.status(404, url: "x", retryAfterSeconds: nil) }
            return i * 10
        }
        #expect(await gauge.peak <= 3)
        #expect(await gauge.started.count == 20)
        #expect(results.count == 20)
        #expect((try? results[5].get()) == 50)
        #expect((try? results[7].get()) == nil)
    }

    @Test func stopsStartingRequestsAfterRateLimit() async {
        let gauge = Gauge()
        let results = await PerMarketRequests.run(Array(0..<50), limit: 1) { i in
            await gauge.enter(i)
            await gauge.leave()
            if i == 2 { throw HTTPFetchError.status(429, url: "x", retryAfterSeconds: 1) }
            return i
        }
        // one at a time: 0, 1, 2 (429), then nothing more is sent
        #expect(await gauge.started == [0, 1, 2])
        #expect(results.count == 50)
        #expect(results.filter { (try? $0.get()) != nil }.count == 2)
    }

    /// Answers GRVT's instruments from the recordings and fails every ticker: the venue is down, not a market.
    struct TickersDown: HTTPFetching {
        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            try await Fixtures.client("grvt").get(path, baseURL: baseURL)
        }
        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            if path == "/full/v1/ticker" { throw HTTPFetchError.timeout(url: baseURL + path) }
            return try await Fixtures.client("grvt").post(path, json: body, baseURL: baseURL)
        }
    }

    @Test func grvtThrowsWhenEveryTickerFails() async throws {
        let error = try await #require(throws: AllRequestsFailed.self) {
            try await GRVTAdapter().fetch(
                client: TickersDown(), baseURL: GRVTAdapter.descriptor.defaultBaseURL, now: Date())
        }
        #expect(error.count == 6)  // the 6 perpetuals of all_instruments_live.json
        #expect(error.first as? HTTPFetchError == .timeout(url: "https://market-data.grvt.io/full/v1/ticker"))
    }

    @Test func gatherSortsValuesAndFailuresAndRecordsOneFailedRequest() async throws {
        let fanOut = await PerMarketRequests.gather(["a", "b", "c"], limit: 2) { key in
            if key == "b" { throw HTTPFetchError.status(500, url: key, retryAfterSeconds: nil) }
            return key.uppercased()
        }
        #expect(fanOut.values.map(\.value) == ["A", "C"])
        #expect(fanOut.failures.map(\.key) == ["b"])
        try fanOut.requireAny("GET /x")
        var result = VenueFetchResult()
        fanOut.recordFailures(on: &result, request: "GET /x")
        #expect(result.failedRequests == [FailedRequest(
            request: "GET /x b", error: HTTPFetchError.status(500, url: "b", retryAfterSeconds: nil), marketsLost: 1)])
        #expect(result.problems.map(\.description) == ["GET /x b failed (HTTP 500 from b), 1 market lost"])
    }
}
