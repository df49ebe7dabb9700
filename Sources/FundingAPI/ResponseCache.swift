import Foundation
import Hummingbird
import Metrics
import NIOCore
import Synchronization

/// Successful responses of the read routes, keyed by path and query, kept until the next `fundingd_cycle`
/// notification (an ingest cycle or a fee change) or for `ttl`, whichever comes first. Past the TTL an entry is
/// still answered while one request refreshes it; after a notification nothing older is answered.
///
/// The data behind every read route changes only when a cycle commits, while bots poll the same few queries many
/// times per cycle; without this each poll re-ran `opportunities()` (about 20 ms of PostgreSQL CPU at 5,000 markets).
/// The TTL bounds what the notification cannot see: `age_seconds` and the `max_age` cut move with the clock (by at
/// most the TTL plus one query).
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
        /// Runs the route again for the same request: what `ResponseCacheRefresher` calls past the TTL.
        var refresh: Handler
    }

    /// A route bound to one request.
    typealias Handler = @Sendable () async throws -> Response
    /// A refresh for `ResponseCacheRefresher` to run.
    typealias Job = @Sendable () async -> Void

    /// One running miss: a key read in one generation. A miss that started before an invalidation keeps its own
    /// waiters (who asked before the new data existed) while requests after it start a flight of their own.
    private struct Flight: Hashable {
        var key: Key
        var generation: UInt64
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var flights: [Flight: [CheckedContinuation<Entry?, Never>]] = [:]
        /// Set while a `ResponseCacheRefresher` runs; without one, the request that finds an entry past its TTL
        /// refreshes it itself.
        var refresher: AsyncStream<Job>.Continuation?
    }

    /// Zero disables the cache.
    public let ttl: Duration
    /// How long past its TTL an entry may still be answered while its refresh runs (a refresh that takes longer,
    /// say with the database gone, makes requests wait for it again).
    public let staleLimit: Duration
    /// Bodies larger than this (long raw histories, CSV) are answered but not kept.
    public let maxEntryBytes: Int
    /// The sum of kept bodies; past it the oldest entries go first.
    public let maxBytes: Int
    private let state = Mutex(State())
    private let hits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let shared = Atomic<Int>(0)
    private let stale = Atomic<Int>(0)

    public init(ttl: Duration, staleLimit: Duration = .seconds(10), maxEntryBytes: Int = 4 << 20,
                maxBytes: Int = 64 << 20) {
        self.ttl = ttl
        self.staleLimit = staleLimit
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

    /// Hands refreshes to `continuation` until `detach()`.
    func attach(_ continuation: AsyncStream<Job>.Continuation) {
        state.withLock { $0.refresher = continuation }
    }

    var hasRefresher: Bool { state.withLock { $0.refresher != nil } }

    /// Requests refresh entries themselves again; refreshes already queued still run.
    func detach() {
        state.withLock { s in
            s.refresher?.finish()
            s.refresher = nil
        }
    }

    /// What `/api/v1/metrics` reports: entries and bytes kept, and requests answered from an entry (`hits`), from
    /// an entry past its TTL while another request refreshed it (`stale`), by running the route (`misses`) or by
    /// waiting for a concurrent miss of the same key (`shared`).
    public struct Summary: Sendable {
        public var entries: Int
        public var bytes: Int
        public var hits: Int
        public var stale: Int
        public var misses: Int
        public var shared: Int
    }

    public var summary: Summary {
        let (entries, bytes) = state.withLock { ($0.entries.count, $0.bytes) }
        return Summary(entries: entries, bytes: bytes, hits: hits.load(ordering: .relaxed),
                       stale: stale.load(ordering: .relaxed), misses: misses.load(ordering: .relaxed),
                       shared: shared.load(ordering: .relaxed))
    }

    private enum Lookup {
        case hit(Entry)
        case stale(Entry, refresh: Job?)
        case wait(Flight)
        case compute(Flight)
    }

    /// The kept response for `request`, or `handler`'s response (kept when it is a 200).
    func response(for request: Request, route: String,
                  _ handler: @escaping Handler) async throws -> Response {
        guard ttl > .zero, request.method == .get else { return try await handler() }
        let key = Key(request)
        while true {
            let now = ContinuousClock.now
            let lookup: Lookup = state.withLock { s in
                var entry = s.entries[key]
                if let e = entry, now - e.created >= ttl + staleLimit { entry = nil }
                if let entry, now - entry.created < ttl { return .hit(entry) }
                let flight = Flight(key: key, generation: s.generation)
                if s.flights[flight] != nil {
                    // Past its TTL but of this cycle: answer it while its refresh runs, so an expiry stalls at
                    // most the refreshing request, not every client of the query.
                    if let entry { return .stale(entry, refresh: nil) }
                    return .wait(flight)
                }
                s.flights[flight] = []
                if let entry, s.refresher != nil {
                    return .stale(entry, refresh: { [self] in _ = try? await lead(flight, entry.refresh) })
                }
                return .compute(flight)
            }
            switch lookup {
            case .hit(let entry):
                count(route: route, result: "hit", hits)
                return entry.response(cached: true)
            case .stale(let entry, let refresh):
                if let refresh {
                    let queued = state.withLock { $0.refresher }?.yield(refresh)
                    // The refresher stopped in between (shutdown): refresh here rather than leave the flight open.
                    guard case .enqueued = queued else { await refresh(); continue }
                }
                count(route: route, result: "stale", stale)
                return entry.response(cached: true)
            case .wait(let flight):
                let shared: Entry? = await withCheckedContinuation { continuation in
                    let joined = state.withLock { s in
                        guard s.flights[flight] != nil else { return false }
                        s.flights[flight]!.append(continuation)
                        return true
                    }
                    if !joined { continuation.resume(returning: nil) }
                }
                if let shared {
                    count(route: route, result: "shared", self.shared)
                    return shared.response(cached: true)
                }
                // The leader failed, answered an error or a body too large to keep: answer this request on its
                // own, without a flight, so concurrent requests of such a query run side by side, not in turn.
                count(route: route, result: "miss", misses)
                return try await handler()
            case .compute(let flight):
                count(route: route, result: "miss", misses)
                return try await lead(flight, handler)
            }
        }
    }

    private func lead(_ flight: Flight, _ handler: @escaping Handler) async throws -> Response {
        var entry: Entry?
        defer {
            let waiters = state.withLock { $0.flights.removeValue(forKey: flight) ?? [] }
            for waiter in waiters { waiter.resume(returning: entry) }
        }
        let response = try await handler()
        guard response.status == .ok, let body = await Self.collect(response.body, limit: maxEntryBytes) else {
            return response
        }
        let made = Entry(status: response.status, headers: response.headers, body: body, created: .now,
                         refresh: handler)
        entry = made
        state.withLock { s in
            // A cycle that committed while the handler ran makes this response stale for later requests.
            guard s.generation == flight.generation else { return }
            if let old = s.entries.updateValue(made, forKey: flight.key) { s.bytes -= old.body.readableBytes }
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
