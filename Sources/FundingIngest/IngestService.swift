import Foundation
import FundingCore
import FundingStore
import FundingVenues
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// The collection loop: each dex on its own interval, due dexes fetched in parallel, one write per cycle through
/// the buffer, only while this process is the ingest leader.
///
/// Collection and writing are separate loops joined by `CycleBuffer`: while the database is unreachable the
/// leader keeps collecting, and the writer retries the oldest cycle with backoff until it lands.
public struct IngestService: Service {
    public struct Settings: Sendable {
        public var bufferCapacity: Int = 120
        public var breakerFailureThreshold: Int = 3
        public var breakerOpenSeconds: TimeInterval = 60
        public var breakerMaxOpenSeconds: TimeInterval = 900
        /// Retry delays of the writer while the database is away.
        public var writeRetry = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(250), maxDelay: .seconds(10))
        /// A cycle the server refuses (an SQL error, not a lost connection) this many times is dropped.
        public var maxServerErrorsPerCycle: Int = 5
        /// How often the leader checks that its lock connection is alive, and a standby retries the lock.
        public var leaderCheckInterval: Duration = .seconds(5)
        public init() {}
    }

    public let schedules: [DexSchedule]
    public let collector: DexCollector
    public let writer: CycleWriter
    public let buffer: CycleBuffer
    public let leader: LeaderLock?
    public let settings: Settings
    public let logger: Logger
    /// Cycles collected, written and dropped since start (for health reporting and tests).
    public let stats = IngestStats()

    public init(schedules: [DexSchedule], collector: DexCollector, writer: CycleWriter, leader: LeaderLock?,
                settings: Settings = Settings(), logger: Logger) {
        self.schedules = schedules
        self.collector = collector
        self.writer = writer
        self.leader = leader
        self.settings = settings
        self.buffer = CycleBuffer(capacity: settings.bufferCapacity)
        self.logger = logger
    }

    public func run() async throws {
        let leadership = Leadership()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.leaderLoop(leadership) }
            group.addTask { await self.collectLoop(leadership) }
            group.addTask { await self.writeLoop() }
            // Graceful shutdown stops the loops; `cancelOnGracefulShutdown` turns it into cancellation.
            try await gracefulShutdown()
            group.cancelAll()
        }
        await leader?.release()
    }

    /// Collects every scheduled dex once and writes the cycle (retrying while the database is away, up to
    /// `attempts`). For `fundingd ingest --once` and tests.
    @discardableResult
    public func runOnce(attempts: Int = 20) async throws -> (PendingCycle, CycleWriteResult) {
        let collections = await collectAll(schedules)
        let cycle = PendingCycle(snapshots: collections.flatMap(\.snapshots), runs: collections.map(\.run))
        var attempt = 1
        while true {
            do {
                return (cycle, try await write(cycle))
            } catch where attempt < attempts {
                logger.warning("cycle write failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try await Task.sleep(for: settings.writeRetry.delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }

    // MARK: - Loops

    func leaderLoop(_ leadership: Leadership) async {
        guard let leader else {
            await leadership.set(true)
            return
        }
        while !Task.isCancelled {
            if await leadership.isLeader, await leader.isHeld() {
                // Still leader.
            } else {
                do {
                    let acquired = try await leader.tryAcquire()
                    if acquired != (await leadership.isLeader) {
                        logger.info(acquired ? "became ingest leader" : "another daemon leads ingest; standing by")
                    }
                    await leadership.set(acquired)
                } catch {
                    // The database is unreachable: a leader keeps collecting into the buffer (no one else can take
                    // the lock meanwhile); a standby stays standby.
                    logger.debug("leader lock unavailable", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: settings.leaderCheckInterval)
        }
    }

    func collectLoop(_ leadership: Leadership) async {
        var nextDue = Dictionary(uniqueKeysWithValues: schedules.map { ($0.name, ContinuousClock.now) })
        var breakers = Dictionary(uniqueKeysWithValues: schedules.map {
            ($0.name, CircuitBreaker(failureThreshold: settings.breakerFailureThreshold,
                                     openDuration: settings.breakerOpenSeconds,
                                     maxOpenDuration: settings.breakerMaxOpenSeconds))
        })
        while !Task.isCancelled {
            guard let wake = nextDue.values.min() else { return }
            try? await Task.sleep(until: wake)
            if Task.isCancelled { return }
            guard await leadership.isLeader else {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let now = ContinuousClock.now
            var due: [DexSchedule] = []
            for schedule in schedules where nextDue[schedule.name]! <= now {
                let next = nextDue[schedule.name]! + schedule.interval
                nextDue[schedule.name] = next > now ? next : now + schedule.interval
                if breakers[schedule.name]!.allowsRequest(at: Date()) {
                    due.append(schedule)
                } else {
                    logger.debug("circuit open; skipping dex", metadata: ["dex": "\(schedule.name)"])
                }
            }
            guard !due.isEmpty else { continue }
            let collections = await collectAll(due)
            if Task.isCancelled { return }
            for c in collections {
                if c.run.status == .failed { breakers[c.run.dex]!.recordFailure(at: Date()) }
                else { breakers[c.run.dex]!.recordSuccess() }
                if case .open(let until) = breakers[c.run.dex]!.state {
                    logger.warning("circuit opened for dex", metadata: ["dex": "\(c.run.dex)", "until": "\(until)"])
                }
            }
            let cycle = PendingCycle(snapshots: collections.flatMap(\.snapshots), runs: collections.map(\.run))
            await stats.collected()
            if await buffer.append(cycle) != nil {
                await stats.dropped()
                Counter(label: "fundingd_buffer_dropped_cycles_total").increment()
                logger.error("cycle buffer full: dropped the oldest unwritten cycle",
                             metadata: ["capacity": "\(buffer.capacity)"])
            }
            Gauge(label: "fundingd_buffer_cycles").record(await buffer.count)
        }
    }

    func writeLoop() async {
        var attempt = 0
        var serverErrors = 0
        while !Task.isCancelled {
            await withTaskCancellationHandler {
                await buffer.waitForCycle()
            } onCancel: {
                Task { await buffer.wakeAll() }
            }
            guard !Task.isCancelled, let cycle = await buffer.first else { continue }
            do {
                try await write(cycle)
                await buffer.removeFirst()
                await stats.written()
                Gauge(label: "fundingd_buffer_cycles").record(await buffer.count)
                attempt = 0
                serverErrors = 0
            } catch {
                attempt += 1
                Counter(label: "fundingd_write_errors_total").increment()
                if let psql = error as? PSQLError, psql.code == .server {
                    serverErrors += 1
                    if serverErrors >= settings.maxServerErrorsPerCycle {
                        logger.error("database refuses this cycle; dropping it", metadata: [
                            "error": "\(String(reflecting: error))", "rows": "\(cycle.snapshots.count)",
                        ])
                        Counter(label: "fundingd_buffer_dropped_cycles_total").increment()
                        await stats.dropped()
                        await buffer.removeFirst()
                        serverErrors = 0
                        continue
                    }
                }
                let pending = await buffer.count
                logger.warning("cycle write failed; will retry", metadata: [
                    "error": "\(String(reflecting: error))", "attempt": "\(attempt)", "buffered_cycles": "\(pending)",
                ])
                try? await Task.sleep(for: settings.writeRetry.delay(afterAttempt: attempt))
            }
        }
    }

    // MARK: - Steps

    func collectAll(_ due: [DexSchedule]) async -> [DexCollection] {
        let collector = self.collector
        let collections = await withTaskGroup(of: DexCollection.self) { group in
            for schedule in due { group.addTask { await collector.collect(schedule) } }
            var all: [DexCollection] = []
            for await c in group { all.append(c) }
            return all.sorted { $0.run.dex < $1.run.dex }
        }
        // Cancelled (shutting down): the venues did nothing wrong; report nothing.
        guard !Task.isCancelled else { return [] }
        for c in collections { record(c) }
        return collections
    }

    @discardableResult
    func write(_ cycle: PendingCycle) async throws -> CycleWriteResult {
        let result = try await writer.write(snapshots: cycle.snapshots, runs: cycle.runs)
        Counter(label: "fundingd_rows_written_total").increment(by: result.rowsInserted)
        logger.info("cycle written", metadata: [
            "dexes": "\(cycle.runs.map(\.dex).joined(separator: ","))", "rows_inserted": "\(result.rowsInserted)",
            "rows_duplicate": "\(result.rowsDuplicate)", "rows_too_old": "\(result.rowsTooOld)",
            "markets_created": "\(result.marketsCreated)",
        ])
        return result
    }

    func record(_ c: DexCollection) {
        let dims = [("dex", c.run.dex)]
        Counter(label: "fundingd_ingest_cycles_total", dimensions: dims + [("status", c.run.status.rawValue)])
            .increment()
        Counter(label: "fundingd_ingest_rows_total", dimensions: dims + [("outcome", "accepted")])
            .increment(by: c.run.marketsOk)
        for (reason, n) in c.rejections {
            Counter(label: "fundingd_ingest_rows_total", dimensions: dims + [("outcome", "rejected"),
                                                                           ("reason", reason.rawValue)])
                .increment(by: n)
        }
        Timer(label: "fundingd_ingest_latency_seconds", dimensions: dims)
            .recordMilliseconds(c.run.latencyMs)
        var metadata: Logger.Metadata = [
            "dex": "\(c.run.dex)", "status": "\(c.run.status.rawValue)", "markets_ok": "\(c.run.marketsOk)",
            "markets_rejected": "\(c.run.marketsRejected)", "latency_ms": "\(c.run.latencyMs)",
        ]
        if let error = c.run.error { metadata["error"] = "\(error)" }
        if c.run.status == .failed { logger.warning("dex collection failed", metadata: metadata) }
        else { logger.info("dex collected", metadata: metadata) }
    }
}

/// Whether this process currently leads ingest.
actor Leadership {
    private(set) var isLeader = false
    func set(_ value: Bool) { isLeader = value }
}

/// Counts of what the collection loop did, readable while it runs.
public actor IngestStats {
    public private(set) var cyclesCollected = 0
    public private(set) var cyclesWritten = 0
    public private(set) var cyclesDropped = 0
    public private(set) var lastWrittenAt: Date?

    /// Written and collected, read together.
    public var counts: (written: Int, collected: Int) { (cyclesWritten, cyclesCollected) }

    func collected() { cyclesCollected += 1 }
    func written() {
        cyclesWritten += 1
        lastWrittenAt = Date()
    }
    func dropped() { cyclesDropped += 1 }
}
