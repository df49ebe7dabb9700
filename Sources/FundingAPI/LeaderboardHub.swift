import Foundation
import Logging
import ServiceLifecycle

/// Pushes leaderboards to WebSocket subscribers (`/api/v1/ws/leaderboards`) when they change.
///
/// A board moves with every input it reads (ingest cycles, price flushes, trade flow, scanned positions), so the
/// hub does not follow one notification: `LeaderboardPusher` asks it to re-rank every `interval`, and a group of
/// subscribers with identical filters gets the whole board again only when a row differs from what it was last
/// sent. Boards are short (`limit`, default 50), so the whole board is the update: a client replaces its table.
public actor LeaderboardHub {
    struct Group {
        var clients: [UUID: StreamOutbox] = [:]
        /// The rows last sent to the group.
        var last: [ResultRow]
        /// The board's unit, from the registry.
        var unit: String?
    }

    let database: APIDatabase
    let catalog: NameCatalog
    let logger: Logger
    private var groups: [LeaderboardQuery: Group] = [:]

    public init(database: APIDatabase, catalog: NameCatalog, logger: Logger) {
        self.database = database
        self.catalog = catalog
        self.logger = logger
    }

    /// Parses a subscription's filters (`name` plus the route's parameters), registers the client and enqueues the
    /// board as a snapshot.
    func subscribe(_ id: UUID, filters: QueryReader, outbox: StreamOutbox) async throws {
        if let bad = filters.unknown(Self.filterNames).first { throw APIError.invalidParameter(bad, "unknown filter") }
        guard let name = try filters.string("name") else {
            throw APIError.invalidParameter("name", "required: the leaderboard to stream (GET /api/v1/leaderboards lists them)")
        }
        let registry = try await database.leaderboardRegistry()
        let (query, entry) = try await LeaderboardQuery.parse(name: name, filters, registry: registry, catalog: catalog)
        let unit = entry["value_unit"]?.string
        unsubscribe(id)
        let rows = try await database.leaderboard(query)
        guard !outbox.isClosed else { return }
        groups[query, default: Group(last: rows, unit: unit)].clients[id] = outbox
        send(Self.frame("snapshot", query, unit: unit, rows), to: id, outbox)
    }

    /// The filters of a subscription: the board's name and the parameters of `GET /api/v1/leaderboards/{name}`.
    static let filterNames: Set<String> = Set(["name"] + LeaderboardQuery.parameters.map(\.name))

    func unsubscribe(_ id: UUID) {
        for (query, var group) in groups where group.clients[id] != nil {
            group.clients[id] = nil
            groups[query] = group.clients.isEmpty ? nil : group
        }
    }

    /// Re-ranks every subscribed board and pushes those that changed.
    public func refresh() async {
        for (query, group) in groups {
            let rows: [ResultRow]
            do { rows = try await database.leaderboard(query) } catch {
                logger.warning("leaderboard push failed", metadata: ["leaderboard": "\(query.name)",
                                                                     "error": "\(String(reflecting: error))"])
                continue
            }
            // Subscribers may have left, or joined, while the query ran.
            guard var current = groups[query], rows != group.last else { continue }
            current.last = rows
            groups[query] = current
            let frame = Self.frame("update", query, unit: current.unit, rows)
            for (id, outbox) in current.clients { send(frame, to: id, outbox) }
        }
    }

    /// Whether anyone subscribes (the pusher skips idle rounds).
    public var isIdle: Bool { groups.isEmpty }

    /// Subscriber count, for metrics.
    public func clients() -> Int { groups.values.map(\.clients.count).reduce(0, +) }

    private func send(_ frame: String, to id: UUID, _ outbox: StreamOutbox) {
        if !outbox.send(frame) { unsubscribe(id) }   // gone, or dropped as slow (the session closes it)
    }

    static func frame(_ type: String, _ q: LeaderboardQuery, unit: String?, _ rows: [ResultRow]) -> String {
        StreamHub.frame(type: type, channel: .leaderboards, cycleTime: nil) { w in
            w.field("leaderboard", q.name)
            w.field("window", q.window)
            w.field("value_unit", unit)
            w.field("count", rows.count)
            w.key("data")
            w.array { a in for row in rows { row.write(to: &a) } }
        }
    }
}

/// Asks the `LeaderboardHub` to re-rank its subscribed boards every `interval` (`FUNDINGD_WS_LEADERBOARD_SECONDS`),
/// while anyone subscribes. Stops at graceful shutdown.
public struct LeaderboardPusher: Service {
    let hub: LeaderboardHub
    let interval: Duration

    public init(hub: LeaderboardHub, interval: Duration) {
        self.hub = hub
        self.interval = interval
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                if await !hub.isIdle { await hub.refresh() }
            }
        }
    }
}
