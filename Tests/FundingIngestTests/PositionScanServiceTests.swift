import Foundation
import FundingCore
import FundingIngest
import FundingVenues
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// A store that tracks addresses in memory: due = tracked and not yet written, in tracking order.
final class FakePositionStore: PositionStore {
    private let state = Mutex<(tracked: [String], written: [String: Int], dueCalls: Int)>(([], [:], 0))

    var written: [String: Int] { state.withLock { $0.written } }

    func track(_ addresses: [String], source: String, limit: Int) async throws -> Int {
        state.withLock { s in
            let new = addresses.filter { !s.tracked.contains($0) }
            s.tracked += new
            return new.count
        }
    }

    func due(limit: Int, priorityEvery: Duration, backgroundEvery: Duration) async throws -> [String] {
        state.withLock { s in
            s.dueCalls += 1
            return Array(s.tracked.filter { s.written[$0] == nil }.prefix(limit))
        }
    }

    func write(address: String, time: Date, positions: [HyperliquidPosition], priorityPercent: Double) async throws
        -> String
    {
        state.withLock { $0.written[address, default: 0] += positions.count }
        return "background"
    }
}

/// Answers `clearinghouseState` with one BTC position, except for `failing` addresses (a 502).
final class FakeInfoEndpoint: HTTPFetching {
    let failing: Set<String>
    private let calls = Mutex<[String: Int]>([:])

    init(failing: Set<String>) { self.failing = failing }

    func calls(_ address: String) -> Int { calls.withLock { $0[address, default: 0] } }

    func get(_ path: String, baseURL: String) async throws -> [UInt8] { throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil) }

    func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
        let request = try JSONDecoder().decode([String: String].self, from: Data(body))
        let user = request["user"] ?? ""
        calls.withLock { $0[user, default: 0] += 1 }
        if failing.contains(user) { throw HTTPFetchError.status(502, url: path, retryAfterSeconds: nil) }
        return Array(#"{"assetPositions":[{"position":{"coin":"BTC","szi":"0.5","liquidationPx":"90000.0"},"type":"oneWay"}]}"#.utf8)
    }
}

@Suite("Position scan service (fakes)", .timeLimit(.minutes(1)))
struct PositionScanServiceTests {
    @Test("the loop tracks the configured and discovered addresses, scans each due one, and backs off from one that fails")
    func loopAndBackoff() async throws {
        let a = "0x" + String(repeating: "a", count: 40), b = "0x" + String(repeating: "b", count: 40)
        let bad = "0x" + String(repeating: "c", count: 40)
        let store = FakePositionStore()
        let endpoint = FakeInfoEndpoint(failing: [bad])
        var settings = PositionScanService<FakeInfoEndpoint>.Settings()
        settings.configured = [bad, a, b]
        settings.scansPerMinute = 300 // 200 ms apart
        settings.idleWait = .milliseconds(50)
        settings.failureBackoff = .seconds(3600)
        // An account a large trade named arrives through the discovery hook once.
        let found = "0x" + String(repeating: "d", count: 40)
        let handedOut = Mutex(false)
        let service = PositionScanService(client: endpoint, baseURL: "http://fake", store: store, settings: settings,
                                          logger: Logger(label: "test"), discovered: {
                                              handedOut.withLock { done in
                                                  defer { done = true }
                                                  return done ? [] : [found]
                                              }
                                          })
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while store.written.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            // The failing address stays due (never written) but is not asked again within its backoff, however often
            // the loop reads the due list meanwhile.
            try await Task.sleep(for: .milliseconds(500))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(store.written == [a: 1, b: 1, found: 1])
        #expect(endpoint.calls(bad) == 1)
        #expect(endpoint.calls(a) == 1)
    }

    @Test("requests are spaced by the rate: 120 a minute is one every 500 ms, 300 one every 200 ms")
    func spacing() {
        var settings = PositionScanService<FakeInfoEndpoint>.Settings()
        #expect(settings.spacing == .milliseconds(500))
        settings.scansPerMinute = 300
        #expect(settings.spacing == .milliseconds(200))
        settings.scansPerMinute = 0
        #expect(settings.spacing == .milliseconds(60_000))
    }
}
