import Foundation
import Logging

/// Pushes live prices and price spreads to WebSocket subscribers after each flush of the stream workers.
///
/// `PriceListener` calls `flushed()` for every `fundingd_prices` notification. Subscribers with identical filters
/// share one read per flush: spread subscribers get the whole current list (spreads move with every price, so a
/// diff would be most of it), price subscribers get the markets received since their group's last push.
public actor PriceHub {
    struct Group<Query: Hashable & Sendable> {
        var clients: [UUID: StreamOutbox] = [:]
        /// The newest `received_at` pushed (prices groups).
        var since: Date?
    }

    let database: APIDatabase
    let logger: Logger
    private var spreadGroups: [PriceSpreadQuery: Group<PriceSpreadQuery>] = [:]
    private var priceGroups: [LivePriceQuery: Group<LivePriceQuery>] = [:]
    private var pushing = false
    private var pending = false
    private(set) var flushes = 0

    public init(database: APIDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    func subscribeSpreads(_ id: UUID, query: PriceSpreadQuery, outbox: StreamOutbox) async throws {
        unsubscribe(id)
        let rows = try await database.priceSpreads(query)
        guard !outbox.isClosed else { return }
        spreadGroups[query, default: Group()].clients[id] = outbox
        send(Self.frame("snapshot", channel: .priceSpreads, rows), to: id, outbox)
    }

    func subscribePrices(_ id: UUID, query: LivePriceQuery, outbox: StreamOutbox) async throws {
        unsubscribe(id)
        let rows = try await database.livePrices(query)
        guard !outbox.isClosed else { return }
        var group = priceGroups[query] ?? Group()
        group.clients[id] = outbox
        // A group's first snapshot sets where its updates start; a later joiner's snapshot covers up to now too.
        group.since = max(group.since ?? .distantPast, Self.newest(rows) ?? .distantPast)
        priceGroups[query] = group
        send(Self.frame("snapshot", channel: .prices, rows), to: id, outbox)
    }

    func unsubscribe(_ id: UUID) {
        for (query, var group) in spreadGroups where group.clients[id] != nil {
            group.clients[id] = nil
            spreadGroups[query] = group.clients.isEmpty ? nil : group
        }
        for (query, var group) in priceGroups where group.clients[id] != nil {
            group.clients[id] = nil
            priceGroups[query] = group.clients.isEmpty ? nil : group
        }
    }

    /// A flush was written. Pushes run one at a time; notifications arriving meanwhile fold into one more push.
    public func flushed() async {
        if pushing {
            pending = true
            return
        }
        pushing = true
        defer { pushing = false }
        repeat {
            pending = false
            flushes += 1
            await push()
        } while pending
    }

    private func push() async {
        for (query, group) in spreadGroups {
            do {
                let rows = try await database.priceSpreads(query)
                let frame = Self.frame("update", channel: .priceSpreads, rows)
                for (id, outbox) in group.clients { send(frame, to: id, outbox) }
            } catch {
                logger.warning("price spread push failed", metadata: ["error": "\(error)"])
            }
        }
        for (query, group) in priceGroups {
            do {
                // 1 µs past the newest pushed: a timestamp's round trip through Date may land just below it.
                let rows = try await database.livePrices(query, since: group.since?.addingTimeInterval(1e-6))
                guard !rows.isEmpty else { continue }
                priceGroups[query]?.since = Self.newest(rows) ?? group.since
                let frame = Self.frame("update", channel: .prices, rows)
                for (id, outbox) in group.clients { send(frame, to: id, outbox) }
            } catch {
                logger.warning("price push failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func send(_ frame: String, to id: UUID, _ outbox: StreamOutbox) {
        if !outbox.send(frame) { unsubscribe(id) }   // gone, or dropped as slow (the session closes it)
    }

    static func newest(_ rows: [ResultRow]) -> Date? {
        rows.compactMap { row -> Date? in
            if case .date(let d)? = row["received_at"] { return d }
            return nil
        }.max()
    }

    static func frame(_ type: String, channel: StreamChannel, _ rows: [ResultRow]) -> String {
        StreamHub.frame(type: type, channel: channel, cycleTime: nil) { w in
            w.field("count", rows.count)
            w.key("data")
            w.array { a in for row in rows { row.write(to: &a) } }
        }
    }

    /// Subscriber counts, for metrics.
    public func clients() -> (prices: Int, spreads: Int) {
        (priceGroups.values.map(\.clients.count).reduce(0, +), spreadGroups.values.map(\.clients.count).reduce(0, +))
    }
}
