import Foundation
import Hummingbird
import Metrics
import NIOCore
import Synchronization

/// Successful responses of the read routes, keyed by path and query, kept until the next `fundingd_cycle`
/// notification (an ingest cycle or a fee change) or for `ttl`, whichever comes first.
///
/// The data behind every read route changes only when a cycle commits, while bots poll the same few queries many
/// times per cycle; without this each poll re-ran `opportunities()` (about 20 ms of PostgreSQL CPU at 5,000 markets).
/// The TTL bounds what the notification cannot see: `age_seconds` and the `max_age` cut move with the clock.
/// Concurrent misses on one key run the handler once and share its response, so an expiry under load costs one query,
/// not one per waiting connection.
public final class ResponseCache: Sendable {
    struct Key: Hashable, Sendable {
        var path: String
        /// Query items sorted by name (the order of repeated names kept), so `?a=1&b=2` and `?b=2&a=1` share an entry.
        var query: [String]

        init(_ request: Request) {
            path = request.uri.path
            query = request.uri.queryParameters
                .map { (String($0.key), String($0.value)) }
                .enumerated()
                .sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }
                .map { $0.element.0 + "=" + $0.element.1 }
        }
    }

    struct Entry: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
        var created: ContinuousClock.Instant
    }

    private struct Flight {
        var generation: UInt64
        var waiters: [CheckedContinuation<Entry?, Never>] = []
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var flights: [Key: Flight] = [:]
    }

    /// Zero disables the cache.
    public let ttl: Duration
    /// Bodies larger than this (long raw histories, CSV) are answered but not kept.
    public let maxEntryBytes: Int
    /// The sum of kept bodies; past it the oldest entries go first.
    public let maxBytes: Int
    private let state = Mutex(State())
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let shared = Atomic<Int>(0)

    public init(ttl: Duration, maxEntryBytes: Int = 4 << 20, maxBytes: Int = 64 << 20) {
        self.ttl = ttl
        self.maxEntryBytes = maxEntryBytes
        self.maxBytes = maxBytes
    }

    /// Drops every entry: the next request of each key reads the database again.
    public func invalidate() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll(keepingCapacity: true)
            s.bytes = 0
        }
    }

    /// What `/api/v1/metrics` reports: entries and bytes kept, and requests answered from an entry (`hits`), by
    /// running the route (`misses`) or by waiting for a concurrent miss of the same key (`shared`).
    public struct Summary: Sendable {
        public var entries: Int
        public var bytes: Int
        public var hits: Int
        public var misses: Int
        public var shared: Int
    }

    public var summary: Summary {
        let (entries, bytes) = state.withLock { ($0.entries.count, $0.bytes) }
        return Summary(entries: entries, bytes: bytes, hits: hits.load(ordering: .relaxed),
                       misses: misses.load(ordering: .relaxed), shared: shared.load(ordering: .relaxed))
    }

    private enum Lookup {
        case hit(Entry)
        case wait
        case compute(UInt64)
    }

    /// The kept response for `request`, or `handler`'s response (kept when it is a 200).
    func response(for request: Request, route: String,
                  _ handler: () async throws -> Response) async throws -> Response {
        guard ttl > .zero, request.method == .get else { return try await handler() }
        let key = Key(request)
        while true {
            let now = ContinuousClock.now
            let lookup: Lookup = state.withLock { s in
                if let entry = s.entries[key] {
                    if now - entry.created < ttl { return .hit(entry) }
                    s.entries[key] = nil
                    s.bytes -= entry.body.readableBytes
                }
                if let flight = s.flights[key], flight.generation == s.generation { return .wait }
                s.flights[key] = Flight(generation: s.generation)
                return .compute(s.generation)
            }
            switch lookup {
            case .hit(let entry):
                count(route: route, result: "hit", hits)
                return entry.response(cached: true)
            case .wait:
                let shared: Entry? = await withCheckedContinuation { continuation in
                    let joined = state.withLock { s in
                        guard s.flights[key] != nil else { return false }
                        s.flights[key]!.waiters.append(continuation)
                        return true
                    }
                    if !joined { continuation.resume(returning: nil) }
                }
                if let shared {
                    count(route: route, result: "shared", self.shared)
                    return shared.response(cached: true)
                }
                // The leader failed or answered an error: answer this request on its own.
                continue
            case .compute(let generation):
                count(route: route, result: "miss", misses)
                return try await lead(key: key, generation: generation, handler)
            }
        }
    }

    private func lead(key: Key, generation: UInt64,
                      _ handler: () async throws -> Response) async throws -> Response {
        var entry: Entry?
        defer {
            let waiters = state.withLock { s in
                let waiters = s.flights[key]?.waiters ?? []
                s.flights[key] = nil
                return waiters
            }
            for waiter in waiters { waiter.resume(returning: entry) }
        }
        let response = try await handler()
        guard response.status == .ok, let body = await Self.collect(response.body, limit: maxEntryBytes) else {
            return response
        }
        let made = Entry(status: response.status, headers: response.headers, body: body, created: .now)
        entry = made
        state.withLock { s in
            // A cycle that committed while the handler ran makes this response stale for later requests.
            guard s.generation == generation else { return }
            if let old = s.entries.updateValue(made, forKey: key) { s.bytes -= old.body.readableBytes }
            s.bytes += body.readableBytes
            while s.bytes > maxBytes, let oldest = s.entries.min(by: { $0.value.created < $1.value.created }) {
                s.entries[oldest.key] = nil
                s.bytes -= oldest.value.body.readableBytes
            }
        }
        return made.response(cached: false)
    }

    /// The body as one buffer, or nil when it is larger than `limit`.
    private static func collect(_ body: ResponseBody, limit: Int) async -> ByteBuffer? {
        if let length = body.contentLength, length > limit { return nil }
        let writer = CollectingWriter()
        do { try await body.write(writer) } catch { return nil }
        return writer.buffer.readableBytes <= limit ? writer.buffer : nil
    }

    private func count(route: String, result: String, _ total: borrowing Atomic<Int>) {
        total.add(1, ordering: .relaxed)
        Counter(label: "fundingd_http_cache_total", dimensions: [("route", route), ("result", result)]).increment()
    }
}

extension ResponseCache.Entry {
    func response(cached: Bool) -> Response {
        var headers = headers
        headers[ResponseCache.header] = cached ? "hit" : "miss"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}

extension ResponseCache {
    /// `X-Fundingd-Cache: hit` when the response came from the cache, `miss` when this request produced it.
    static let header = HTTPFields.Element.Name("X-Fundingd-Cache")!
}

/// Gathers a response body written through `ResponseBody.write(_:)`, which consumes its writer: a class, so the
/// buffer outlives the call.
private final class CollectingWriter: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
