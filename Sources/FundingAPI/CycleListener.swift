import Foundation
import FundingCore
import FundingStore
import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on `fundingd_cycle` over one dedicated connection and hands every genuine notification to the hub, so
/// pushes follow the write path instead of polling. Reconnects with backoff; after a reconnect the hub is told about
/// a cycle at once, so anything written while the connection was down reaches subscribers. Every genuine
/// notification first drops the response cache, so a REST call made after a push sees the data of that push.
///
/// Authentication: PostgreSQL lets any connected role NOTIFY any channel, so a payload proves nothing by itself.
/// A payload is decoded strictly into `CycleNotice`; its id is looked up in `cycle_notices` (schema/0056), which
/// only the owner's write path can insert into, on this same connection (the primary: a notification is sent at
/// commit, so its row is visible there, while a replica may lag); only the stored row is used, and an id already
/// acted on is ignored (no replay). Anything else is counted and dropped without touching the cache or the hub.
/// `url` must point at the primary: a hot standby refuses LISTEN.
public struct CycleListener: Service {
    public static let channel = "fundingd_cycle"

    let url: DatabaseURL
    let hub: StreamHub
    let cache: ResponseCache
    let logger: Logger
    /// Deadline of the connect and of each notice lookup.
    let timeout: Duration
    /// How long a hot-standby reader may take to replay a notified cycle before it is acted on anyway.
    let replicaWait: Duration

    public init(url: DatabaseURL, hub: StreamHub, cache: ResponseCache, logger: Logger,
                timeout: Duration = .seconds(5), replicaWait: Duration = .seconds(5)) {
        self.url = url
        self.hub = hub
        self.cache = cache
        self.logger = logger
        self.timeout = timeout
        self.replicaWait = replicaWait
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var gate = NoticeGate()
            await NotificationLoop(url: url, channel: Self.channel, connectionID: 1, timeout: timeout, logger: logger)
                .run { connection, notifications, reconnected in
                    if reconnected {
                        cache.invalidate()
                        await hub.cycleCompleted(nil)
                    }
                    for try await notification in notifications {
                        guard let notice = try await verify(notification.payload, on: connection, gate: &gate) else {
                            await hub.noticeRefused()
                            continue
                        }
                        cache.invalidate()
                        await hub.cycleCompleted(notice)
                    }
                }
        }
    }

    /// The stored notice a payload refers to, or `nil` for a payload that is malformed, names no stored notice, or
    /// names one already acted on.
    func verify(_ payload: String, on connection: PostgresConnection, gate: inout NoticeGate) async throws
        -> CycleNotice?
    {
        guard let claimed = CycleNotice.parse(payload), gate.isNew(claimed.id) else {
            logger.warning("ignored a malformed or repeated notification on \(Self.channel)",
                           metadata: ["bytes": "\(payload.utf8.count)"])
            return nil
        }
        let id = claimed.id
        let (stored, primaryLSN): (String?, String?) = try await withDeadline(timeout, "cycle notice lookup") {
            let rows = try await connection.query("SELECT payload, primary_lsn FROM cycle_notice(\(id))",
                                                  logger: logger)
            for try await row in rows.decode((String?, String?).self) { return row }
            return (nil, nil)
        }
        guard let stored, let notice = CycleNotice.parse(stored), notice.id == id else {
            logger.warning("ignored a notification on \(Self.channel) that names no stored notice",
                           metadata: ["id": "\(id)"])
            return nil
        }
        gate.admit(id)
        // With reads on a hot standby: wait until it has replayed this cycle, so neither the pushes nor the
        // responses cached after the invalidation show the state from before it (bounded: a lagging replica
        // delays pushes by at most `replicaWait`, then serves what it has).
        if let primaryLSN {
            let caughtUp = (try? await hub.database.waitForReplay(to: primaryLSN, timeout: replicaWait)) ?? false
            if !caughtUp {
                logger.warning("reader has not replayed the notified cycle within the deadline",
                               metadata: ["id": "\(id)", "lsn": "\(primaryLSN)"])
            }
        }
        return notice
    }
}

/// The notice ids already acted on, so a replayed genuine id does nothing. Bounded: the oldest ids are forgotten
/// and everything at or below them refused (ids only grow; 4,096 notices are hours of cycles).
struct NoticeGate: Sendable {
    private var seen: Set<Int64> = []
    private var floor: Int64 = 0
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func isNew(_ id: Int64) -> Bool { id > floor && !seen.contains(id) }

    mutating func admit(_ id: Int64) {
        seen.insert(id)
        if seen.count > capacity, let oldest = seen.min() {
            seen.remove(oldest)
            floor = max(floor, oldest)
        }
    }
}
