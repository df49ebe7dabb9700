import Foundation
import Logging
import Metrics

/// Fans ingest cycles out to WebSocket subscribers. `CycleListener` calls `cycleCompleted` for every
/// `fundingd_cycle` notification; the hub reads the new state once per cycle (funding rates) or once per distinct
/// filter set (opportunities), diffs it against what subscribers were last sent, and enqueues only the matching
/// rows that changed.
public actor StreamHub {
    struct OpportunityGroup {
        var clients: Set<UUID> = []
        /// The rows last sent, by pair key.
        var last: [String: ResultRow] = [:]
    }

    /// Counters for `GET /api/v1/metrics`.
    public struct Summary: Sendable {
        public var rateClients = 0
        public var opportunityClients = 0
        public var droppedSlow = 0
        public var cycles = 0
        public var framesSent = 0
        /// The last genuine ingest cycle's summary (from `cycle_notices`, never a notification's raw text).
        public var lastCycle: CycleNotice?
        /// Notifications on the channel that were malformed, named no stored notice, or repeated one.
        public var noticesRefused = 0
    }

    let database: APIDatabase
    let catalog: NameCatalog
    let logger: Logger
    public let queueSize: Int

    private var rateClients: [UUID: (filter: RateFilter, outbox: StreamOutbox)] = [:]
    /// The latest rates as last diffed, by market key; `nil` while nobody subscribes.
    private var lastRates: [String: FundingRateRow]?
    private var opportunityClients: [UUID: (query: OpportunityQuery, outbox: StreamOutbox)] = [:]
    private var groups: [OpportunityQuery: OpportunityGroup] = [:]
    /// What a first subscriber loads: the rates snapshot, or an opportunity group.
    enum Load: Hashable {
        case rates
        case opportunities(OpportunityQuery)
    }
    /// Loads in flight, with the subscribers waiting for each (`singleFlight`).
    private var loading: [Load: [CheckedContinuation<Void, any Error>]] = [:]
    /// Rate snapshots read for subscribers (tests check that concurrent subscribers share one).
    private(set) var rateSnapshotLoads = 0
    private var counters = Summary()

    public init(database: APIDatabase, catalog: NameCatalog, queueSize: Int, logger: Logger) {
        self.database = database
        self.catalog = catalog
        self.queueSize = queueSize
        self.logger = logger
    }

    public func summary() -> Summary {
        var s = counters
        s.rateClients = rateClients.count
        s.opportunityClients = opportunityClients.count
        return s
    }

    // MARK: subscriptions

    /// Registers (or re-filters) a funding-rate subscriber and enqueues its snapshot.
    func subscribeRates(_ id: UUID, filter: RateFilter, outbox: StreamOutbox) async throws {
        unsubscribe(id)
        // Concurrent first subscribers share one read (100 at once would otherwise run 100 queries). Looped: the
        // snapshot is dropped again when the last subscriber leaves, possibly before a waiter resumes.
        while lastRates == nil {
            try await singleFlight(.rates) {
                rateSnapshotLoads += 1
                let rows = try await database.latestRates()
                // A cycle may have filled it during the await; its rows are as new or newer.
                if lastRates == nil {
                    lastRates = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                }
            }
        }
        // The client may have gone (or re-subscribed) while the query ran.
        guard !outbox.isClosed else { return }
        rateClients[id] = (filter, outbox)
        let rows = (lastRates ?? [:]).values.filter(filter.matches).sorted { ($0.symbol, $0.dex, $0.dexSymbol) < ($1.symbol, $1.dex, $1.dexSymbol) }
        if filter.documentMessages {
            send(Self.batch(rows.map { Self.rateUpdate($0, cycleTime: nil) }), to: id, outbox)
            return
        }
        send(Self.frame(type: "snapshot", channel: .fundingRates, cycleTime: nil) { w in
            w.key("data")
            w.array { a in for row in rows { row.write(to: &a, now: Date()) } }
        }, to: id, outbox)
    }

    /// Registers (or re-filters) an opportunity subscriber and enqueues its snapshot.
    ///
    /// Identical queries share one group. The group is looked up again after the query's await: a concurrent
    /// subscriber with the same filters may have created it meanwhile, and replacing it would drop that
    /// subscriber from every later update (issue 17: 99 of 100 concurrent subscribers got nothing).
    ///
    /// The first subscriber of a query loads its rows; identical subscribers arriving meanwhile wait for that one
    /// load instead of each running the query (100 at once exhausted the pool: 503 database_busy).
    func subscribeOpportunities(_ id: UUID, query: OpportunityQuery, outbox: StreamOutbox) async throws {
        unsubscribe(id)
        if groups[query] == nil {
            try await singleFlight(.opportunities(query)) {
                let (rows, _) = try await database.opportunities(query)
                if groups[query] == nil {
                    groups[query] = OpportunityGroup(last: Dictionary(rows.map { (Self.pairKey($0), $0) },
                                                                      uniquingKeysWith: { a, _ in a }))
                }
            }
        }
        guard !outbox.isClosed, var group = groups[query] else { return }
        group.clients.insert(id)
        groups[query] = group
        opportunityClients[id] = (query, outbox)
        let rows = Self.sorted(Array(group.last.values), by: query)
        if query.documentMessages {
            send(Self.batch(rows.map { Self.opportunityMessage("opportunity_update", $0, cycleTime: nil) }), to: id,
                 outbox)
            return
        }
        send(Self.frame(type: "snapshot", channel: .opportunities, cycleTime: nil) { w in
            w.key("data")
            w.array { a in for row in rows { row.write(to: &a) } }
        }, to: id, outbox)
    }

    /// Runs `load` for the first caller of `key`; callers arriving while it runs wait for it to end (and then read
    /// what it stored) or share its error, instead of each running it.
    private func singleFlight(_ key: Load, _ load: () async throws -> Void) async throws {
        if loading[key] != nil {
            try await withCheckedThrowingContinuation { loading[key, default: []].append($0) }
            return
        }
        loading[key] = []
        do {
            try await load()
            for waiter in loading.removeValue(forKey: key) ?? [] { waiter.resume() }
        } catch {
            for waiter in loading.removeValue(forKey: key) ?? [] { waiter.resume(throwing: error) }
            throw error
        }
    }

    /// The number of opportunity subscribers in the group of `query` (tests check the bookkeeping).
    func opportunitySubscribers(of query: OpportunityQuery) -> Int { groups[query]?.clients.count ?? 0 }

    func unsubscribe(_ id: UUID) {
        rateClients[id] = nil
        if rateClients.isEmpty { lastRates = nil }
        if let (query, _) = opportunityClients.removeValue(forKey: id) {
            groups[query]?.clients.remove(id)
            if groups[query]?.clients.isEmpty == true { groups[query] = nil }
        }
    }

    private func send(_ frame: String, to id: UUID, _ outbox: StreamOutbox) {
        if outbox.send(frame) {
            counters.framesSent += 1
        } else if outbox.didOverflow {
            counters.droppedSlow += 1
            Counter(label: "fundingd_ws_clients_dropped_total").increment()
            logger.warning("websocket client dropped: send queue full",
                           metadata: ["client": "\(id)", "queued_bytes": "\(outbox.queuedBytes)"])
            unsubscribe(id)
        } else {
            unsubscribe(id)   // gone
        }
    }

    /// A session dropped its client for not reading (write deadline passed).
    func droppedSlow(_ id: UUID) {
        counters.droppedSlow += 1
        Counter(label: "fundingd_ws_clients_dropped_total").increment()
        unsubscribe(id)
    }

    // MARK: cycles

    /// A genuine notice arrived (an ingest cycle, or `event: fees`); `nil` after the listener reconnected, when
    /// anything may have been missed.
    public func cycleCompleted(_ notice: CycleNotice?) async {
        // A fee change ({"event": "fees"}) moves net profits but is not an ingest cycle.
        if let notice, notice.isCycle {
            counters.cycles += 1
            counters.lastCycle = notice
        }
        if notice?.createdNames ?? true {
            try? await catalog.reload()
        }
        await pushRates(cycleTime: notice?.cycleTime)
        await pushOpportunities(cycleTime: notice?.cycleTime)
    }

    /// The listener refused a notification (see `CycleListener`).
    public func noticeRefused() {
        counters.noticesRefused += 1
        Counter(label: "fundingd_cycle_notifications_refused_total").increment()
    }

    private func pushRates(cycleTime: String?) async {
        guard !rateClients.isEmpty else { return }
        let rows: [FundingRateRow]
        do { rows = try await database.latestRates() } catch {
            logger.error("stream: reading latest rates failed", metadata: ["error": "\(error)"])
            return
        }
        let previous = lastRates ?? [:]
        let changed = rows.filter { row in previous[row.key].map { row.differs(from: $0) } ?? true }
        lastRates = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        guard !changed.isEmpty else { return }
        let now = Date()
        for (id, client) in rateClients {
            let mine = changed.filter(client.filter.matches)
            guard !mine.isEmpty else { continue }
            if client.filter.documentMessages {
                send(Self.batch(mine.map { Self.rateUpdate($0, cycleTime: cycleTime) }), to: id, client.outbox)
                continue
            }
            send(Self.frame(type: "update", channel: .fundingRates, cycleTime: cycleTime) { w in
                w.key("data")
                w.array { a in for row in mine { row.write(to: &a, now: now) } }
            }, to: id, client.outbox)
        }
    }

    private func pushOpportunities(cycleTime: String?) async {
        for (query, group) in groups {
            let rows: [ResultRow]
            do { rows = try await database.opportunities(query).rows } catch {
                logger.error("stream: opportunities failed", metadata: ["error": "\(error)"])
                continue
            }
            // Subscribers may have left while the query ran.
            guard var current = groups[query] else { continue }
            let fresh = Dictionary(rows.map { (Self.pairKey($0), $0) }, uniquingKeysWith: { a, _ in a })
            let changed = rows.filter { row in
                group.last[Self.pairKey(row)].map { Self.differs(row, $0) } ?? true
            }
            let removed = group.last.filter { fresh[$0.key] == nil }.map(\.value)
            current.last = fresh
            groups[query] = current
            guard !changed.isEmpty || !removed.isEmpty else { continue }
            if query.documentMessages {
                let messages = Self.batch(
                    changed.map { Self.opportunityMessage("opportunity_update", $0, cycleTime: cycleTime) }
                        + removed.map { Self.opportunityMessage("opportunity_removed", $0, cycleTime: cycleTime) })
                for id in current.clients {
                    if let client = opportunityClients[id] { send(messages, to: id, client.outbox) }
                }
                continue
            }
            let frame = Self.frame(type: "update", channel: .opportunities, cycleTime: cycleTime) { w in
                w.key("data")
                w.array { a in for row in changed { row.write(to: &a) } }
                w.key("removed")
                w.array { a in
                    for row in removed {
                        a.object { o in
                            for key in ["symbol", "long_dex", "short_dex", "long_dex_symbol", "short_dex_symbol"] {
                                o.key(key)
                                (row[key] ?? .null).write(to: &o)
                            }
                        }
                    }
                }
            }
            for id in current.clients {
                if let client = opportunityClients[id] { send(frame, to: id, client.outbox) }
            }
        }
    }

    // MARK: shaping

    static func pairKey(_ row: ResultRow) -> String {
        ["symbol", "long_dex", "short_dex", "long_dex_symbol", "short_dex_symbol"]
            .map { row[$0]?.string ?? "" }.joined(separator: "\u{1f}")
    }

    /// Columns that move every cycle without the opportunity changing.
    static let volatileColumns: Set<String> = ["long_time", "short_time", "long_age_seconds", "short_age_seconds",
                                               "discovered_at", "valid_until"]

    static func differs(_ a: ResultRow, _ b: ResultRow) -> Bool {
        guard a.columns == b.columns else { return true }
        for (i, name) in a.columns.enumerated() where !volatileColumns.contains(name) {
            if a.values[i] != b.values[i] { return true }
        }
        return false
    }

    static func sorted(_ rows: [ResultRow], by query: OpportunityQuery) -> [ResultRow] {
        rows.sorted { x, y in
            let a = x[query.sortBy]?.double ?? -.infinity, b = y[query.sortBy]?.double ?? -.infinity
            return query.sortDesc ? a > b : a < b
        }
    }

    static func frame(type: String, channel: StreamChannel, cycleTime: String?,
                      _ body: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter(capacity: 4096)
        w.object { o in
            o.field("type", type)
            o.field("channel", channel.rawValue)
            if let cycleTime { o.field("cycle_time", cycleTime) }
            o.field("generated_at", Date())
            body(&o)
        }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Separates the messages of one queue entry: the session writes each as its own text frame. A NUL never occurs
    /// in the JSON text (`JSONWriter` escapes every control character), and one entry per cycle keeps a
    /// document-style client's queue as short as a batched one's.
    static let messageSeparator: Character = "\u{0}"

    static func batch(_ messages: [String]) -> String {
        messages.joined(separator: String(messageSeparator))
    }

    /// The design document's update message for one market: `{"type": "funding_rate_update", "timestamp", "data":
    /// {"dex_name", "symbol", "funding_rate", "next_funding_time", ...the service's market fields}}`; `timestamp` is
    /// the cycle's time (now for the first messages after subscribing).
    static func rateUpdate(_ row: FundingRateRow, cycleTime: String?) -> String {
        var w = JSONWriter(capacity: 1024)
        w.object { o in
            o.field("type", "funding_rate_update")
            o.field("channel", "funding_rates")
            if let cycleTime { o.field("timestamp", cycleTime) } else { o.field("timestamp", Date()) }
            o.key("data")
            var market = JSONWriter(capacity: 512)
            row.write(to: &market, now: Date())
            o.object { d in
                d.field("dex_name", row.dex)
                // The row's own fields follow (its object without the braces).
                d.raw(String(decoding: market.bytes.dropFirst().dropLast(), as: UTF8.self))
            }
        }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// One pair as a document-style message: `{"type": "opportunity_update" | "opportunity_removed", "timestamp",
    /// "data": {...the opportunity's fields}}`.
    static func opportunityMessage(_ type: String, _ row: ResultRow, cycleTime: String?) -> String {
        var w = JSONWriter(capacity: 2048)
        w.object { o in
            o.field("type", type)
            o.field("channel", "opportunities")
            if let cycleTime { o.field("timestamp", cycleTime) } else { o.field("timestamp", Date()) }
            o.key("data")
            row.write(to: &o)
        }
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func errorFrame(code: String, message: String) -> String {
        var w = JSONWriter()
        w.object { o in
            o.field("type", "error")
            o.key("error")
            o.object { e in
                e.field("code", code)
                e.field("message", message)
            }
        }
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
