import Foundation
@testable import FundingAPI
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A GET request for `uri` (path and query), as the router hands it to a route.
private func request(_ uri: String, method: HTTPRequest.Method = .get) -> Request {
    Request(head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri),
            body: RequestBody(buffer: ByteBuffer()))
}

/// A route that counts its calls and answers `status` with a body naming the call.
private final class CountingRoute: Sendable {
    let calls = Atomic<Int>(0)
    let delay: Duration
    let status: HTTPResponse.Status

    init(delay: Duration = .zero, status: HTTPResponse.Status = .ok) {
        self.delay = delay
        self.status = status
    }

    func handle() async throws -> Response {
        let n = calls.add(1, ordering: .relaxed).newValue
        if delay > .zero { try await Task.sleep(for: delay) }
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: #"{"call":\#(n)}"#)))
    }
}

private func body(_ response: Response) async throws -> String {
    final class Sink: ResponseBodyWriter {
        var text = ""
        func write(_ buffer: ByteBuffer) async throws { text += String(buffer: buffer) }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
    let sink = Sink()
    try await response.body.write(sink)
    return sink.text
}

/// The body `cache` answers for GET `uri`, running `route` on a miss.
private func fetch(_ cache: ResponseCache, _ route: CountingRoute, _ uri: String = "/r") async throws -> String {
    try await body(try await cache.response(for: request(uri), route: uri) { try await route.handle() })
}

@Suite("Response cache")
struct ResponseCacheTests {
    @Test("a repeated query is answered from the entry; query order does not matter, other queries do")
    func hitsAndKeys() async throws {
        let cache = ResponseCache(ttl: .seconds(60))
        let route = CountingRoute()
        let first = try await cache.response(for: request("/r?a=1&b=2"), route: "/r") { try await route.handle() }
        #expect(first.headers[ResponseCache.header] == "miss")
        let again = try await cache.response(for: request("/r?b=2&a=1"), route: "/r") { try await route.handle() }
        #expect(again.headers[ResponseCache.header] == "hit")
        #expect(again.headers[.contentType] == "application/json")
        #expect(try await body(again) == #"{"call":1}"#)
        let other = try await cache.response(for: request("/r?a=1&b=3"), route: "/r") { try await route.handle() }
        #expect(try await body(other) == #"{"call":2}"#)
        // Repeated names keep their order: a list filter written differently is a different query.
        _ = try await cache.response(for: request("/r?d=x&d=y"), route: "/r") { try await route.handle() }
        let swapped = try await cache.response(for: request("/r?d=y&d=x"), route: "/r") { try await route.handle() }
        #expect(try await body(swapped) == #"{"call":4}"#)
        #expect(route.calls.load(ordering: .relaxed) == 4)
        #expect(cache.summary.entries == 4)
        #expect(cache.summary.hits == 1)
        #expect(cache.summary.misses == 4)
    }

    @Test("invalidate() drops every entry")
    func invalidation() async throws {
        let cache = ResponseCache(ttl: .seconds(60))
        let route = CountingRoute()
        _ = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        cache.invalidate()
        #expect(cache.summary.entries == 0)
        let after = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(after.headers[ResponseCache.header] == "miss")
        #expect(try await body(after) == #"{"call":2}"#)
    }

    @Test("an entry older than the TTL is not used")
    func expiry() async throws {
        let cache = ResponseCache(ttl: .milliseconds(50))
        let route = CountingRoute()
        _ = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        try await Task.sleep(for: .milliseconds(120))
        let after = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(try await body(after) == #"{"call":2}"#)
    }

    @Test("past its TTL an entry is answered while one request refreshes it", .timeLimit(.minutes(1)))
    func staleWhileRefreshing() async throws {
        let cache = ResponseCache(ttl: .milliseconds(50))
        let route = CountingRoute(delay: .milliseconds(300))
        _ = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        try await Task.sleep(for: .milliseconds(100))
        async let refresh = body(try await cache.response(for: request("/r"), route: "/r") { try await route.handle() })
        try await Task.sleep(for: .milliseconds(50))
        // Waiting for the refresh would have answered call 2.
        let meanwhile = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(try await body(meanwhile) == #"{"call":1}"#)
        #expect(try await refresh == #"{"call":2}"#)
        #expect(cache.summary.stale == 1)
        // An invalidation is different: nothing of the old cycle is answered.
        cache.invalidate()
        let fresh = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(try await body(fresh) == #"{"call":3}"#)
    }

    @Test("with a refresher running, even the request that finds an expired entry is answered from it",
          .timeLimit(.minutes(1)))
    func backgroundRefresh() async throws {
        let cache = ResponseCache(ttl: .milliseconds(50))
        let route = CountingRoute(delay: .milliseconds(200))
        let get = { @Sendable in try await fetch(cache, route) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ResponseCacheRefresher(cache: cache).run() }
            while !cache.hasRefresher { try await Task.sleep(for: .milliseconds(5)) }
            #expect(try await get() == #"{"call":1}"#)
            try await Task.sleep(for: .milliseconds(100))
            // Refreshing inline would have answered call 2.
            #expect(try await get() == #"{"call":1}"#)
            var latest = ""
            for _ in 0..<100 where latest != #"{"call":2}"# {
                try await Task.sleep(for: .milliseconds(20))
                latest = try await get()
            }
            #expect(latest == #"{"call":2}"#)
            #expect(route.calls.load(ordering: .relaxed) == 2)
            group.cancelAll()
        }
        #expect(!cache.hasRefresher)
    }

    @Test("errors, non-GET requests, oversized bodies and a zero TTL are never kept")
    func notKept() async throws {
        let cache = ResponseCache(ttl: .seconds(60), maxEntryBytes: 8)
        let notFound = CountingRoute(status: .notFound)
        for _ in 0..<2 {
            let r = try await cache.response(for: request("/missing"), route: "/m") { try await notFound.handle() }
            #expect(r.status == .notFound)
        }
        #expect(notFound.calls.load(ordering: .relaxed) == 2)

        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await cache.response(for: request("/boom"), route: "/b") { throw Boom() }
        }

        let big = CountingRoute()  // {"call":n} is 10 bytes, over the 8-byte limit
        _ = try await cache.response(for: request("/big"), route: "/big") { try await big.handle() }
        let bigAgain = try await cache.response(for: request("/big"), route: "/big") { try await big.handle() }
        #expect(try await body(bigAgain) == #"{"call":2}"#)

        let put = CountingRoute()
        _ = try await cache.response(for: request("/p", method: .put), route: "/p") { try await put.handle() }
        _ = try await cache.response(for: request("/p", method: .put), route: "/p") { try await put.handle() }
        #expect(put.calls.load(ordering: .relaxed) == 2)
        #expect(cache.summary.entries == 0)

        let off = ResponseCache(ttl: .zero)
        let route = CountingRoute()
        _ = try await off.response(for: request("/r"), route: "/r") { try await route.handle() }
        let second = try await off.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(second.headers[ResponseCache.header] == nil)
        #expect(route.calls.load(ordering: .relaxed) == 2)
    }

    @Test("concurrent misses of one key run the route once and share its response")
    func singleFlight() async throws {
        let cache = ResponseCache(ttl: .seconds(60))
        let route = CountingRoute(delay: .milliseconds(300))
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await body(try await cache.response(for: request("/slow"), route: "/slow") {
                        try await route.handle()
                    })
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(route.calls.load(ordering: .relaxed) == 1)
        #expect(bodies == Array(repeating: #"{"call":1}"#, count: 8))
        #expect(cache.summary.misses == 1)
        #expect(cache.summary.shared + cache.summary.hits == 7)
    }

    @Test("a response computed across an invalidation is answered but not kept")
    func invalidatedWhileRunning() async throws {
        let cache = ResponseCache(ttl: .seconds(60))
        let route = CountingRoute()
        let first = try await cache.response(for: request("/r"), route: "/r") {
            let response = try await route.handle()
            cache.invalidate()  // a cycle committed while the query ran
            return response
        }
        #expect(try await body(first) == #"{"call":1}"#)
        #expect(cache.summary.entries == 0)
        let second = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(try await body(second) == #"{"call":2}"#)
    }

    @Test("an invalidation during a miss: requests before and after it get their own flights",
          .timeLimit(.minutes(1)))
    func invalidationDuringFlight() async throws {
        let cache = ResponseCache(ttl: .seconds(60))
        let route = CountingRoute(delay: .milliseconds(300))
        let get = { @Sendable in try await fetch(cache, route) }
        async let before = get()  // reads the old cycle
        try await Task.sleep(for: .milliseconds(50))
        cache.invalidate()
        async let after = get()  // must not be handed the old cycle's response
        try await Task.sleep(for: .milliseconds(50))
        async let later = get()  // shares the post-invalidation miss
        let (b, a, l) = try await (before, after, later)
        #expect(b == #"{"call":1}"#)
        #expect(a == #"{"call":2}"#)
        #expect(l == #"{"call":2}"#)
        let kept = try await cache.response(for: request("/r"), route: "/r") { try await route.handle() }
        #expect(kept.headers[ResponseCache.header] == "hit")
        #expect(try await body(kept) == #"{"call":2}"#)
        #expect(route.calls.load(ordering: .relaxed) == 2)
    }

    @Test("waiters of a failed leader answer on their own")
    func failedLeader() async throws {
        let cache = ResponseCache(ttl: .seconds(60))
        let failures = CountingRoute(delay: .milliseconds(200), status: .serviceUnavailable)
        let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await cache.response(for: request("/r"), route: "/r") { try await failures.handle() }.status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: .serviceUnavailable, count: 4))
        #expect(failures.calls.load(ordering: .relaxed) == 4)
    }
}
