import Foundation
import FundingCore
import FundingStore
import FundingVenues
import Logging
import ServiceLifecycle

/// The collection service: one worker per source, each on its own schedule, deadline and circuit breaker; one
/// writer behind a bounded buffer; collection only while this process holds the ingest lock.
///
/// Shutdown (SIGTERM): the workers and the leader loop are cancelled at once (their venue requests with them),
/// then the writer gets `Settings.shutdownFlush` to write what is buffered, and the lock is released. Every
/// database wait in here has a deadline, so shutdown cannot hang on a dead connection.
public struct IngestService: Service {
    public struct Settings: Sendable {
        /// Cycles each source may have waiting while the database is away (`FUNDINGD_BUFFER_CYCLES`).
        public var bufferCapacity: Int = 120
        public var breakerFailureThreshold: Int = 3
        public var breakerOpenDuration: Duration = .seconds(60)
        public var breakerMaxOpenDuration: Duration = .seconds(900)
        /// Retry delays of the writer while the database is away.
        public var writeRetry = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(250), maxDelay: .seconds(10))
        /// Buffered cycles are written together up to this many rows per transaction.
        public var maxRowsPerWrite: Int = 100_000
        /// How often the leader verifies its lock and a standby tries to take it.
        public var leaderCheckInterval: Duration = .seconds(5)
        /// How often the lock is tried while the database does not answer.
        public var leaderRetryInterval: Duration = .seconds(1)
        /// What the writer gets at shutdown to write what is still buffered.
        public var shutdownFlush: Duration = .seconds(3)
        public init() {}
    }

    public let schedules: [DexSchedule]
    public let collector: any DexCollecting
    public let store: any CycleStore
    public let leader: (any LeaderElecting)?
    public let settings: Settings
    public let logger: Logger
    public let buffer: CycleBuffer
    /// What the loops did since start (health, metrics, tests).
    public let stats = IngestStats()

    public init(schedules: [DexSchedule], collector: any DexCollecting, store: any CycleStore,
                leader: (any LeaderElecting)?, settings: Settings = Settings(), logger: Logger) {
        self.schedules = schedules
        self.collector = collector
        self.store = store
        self.leader = leader
        self.settings = settings
        self.buffer = CycleBuffer(capacityPerSource: settings.bufferCapacity)
        self.logger = logger
    }

    public func run() async throws {
        try await run(clock: ContinuousClock())
    }

    /// The service on `clock` (tests pass a manual one).
    public func run<C: Clock>(clock: C) async throws where C.Duration == Duration {
        let leadership = Leadership(leader == nil)
        stats.setLeader(leader == nil)
        let recheck = Signal()
        let writer = CycleWriterLoop(
            store: store, buffer: buffer, clock: clock, retry: settings.writeRetry,
            maxRowsPerWrite: settings.maxRowsPerWrite, stats: stats,
            onDatabaseError: { recheck.fire() }, logger: logger)
        let breaker = CircuitBreaker<C.Instant>(
            failureThreshold: settings.breakerFailureThreshold, openDuration: settings.breakerOpenDuration,
            maxOpenDuration: settings.breakerMaxOpenDuration)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await writer.run() }
            // Graceful shutdown cancels the collectors; the writer then drains the buffer.
            await cancelWhenGracefulShutdown {
                await withDiscardingTaskGroup { collectors in
                    if let leader {
                        collectors.addTask {
                            await self.leaderLoop(leader, leadership: leadership, recheck: recheck, clock: clock)
                        }
                    }
                    for schedule in schedules {
                        let worker = SourceWorker(
                            schedule: schedule, collector: collector, clock: clock, breakerTemplate: breaker,
                            leadership: leadership, buffer: buffer, stats: stats, logger: logger)
                        collectors.addTask { await worker.run() }
                    }
                }
            }
            // The writer has `shutdownFlush` to write what is left: whichever ends first, the writer or the timer,
            // ends the other (a write in flight is cancelled, which closes its connection).
            logger.info("ingest stopping: collectors ended; flushing the buffer", metadata: [
                "buffered_cycles": "\(buffer.count)", "flush_limit": "\(settings.shutdownFlush)",
            ])
            buffer.close()
            let flush = settings.shutdownFlush
            group.addTask { try? await clock.sleep(for: flush) }
            await group.next()
            group.cancelAll()
        }
        if buffer.count > 0 {
            stats.dropped(buffer.count)
            logger.error("stopped with unwritten cycles", metadata: ["cycles": "\(buffer.count)"])
        }
        await store.close()
        if let leader {
            await leader.release()
        }
        logger.info("ingest stopped", metadata: ["cycles_written": "\(stats.cyclesWritten)"])
    }

    /// Collects every scheduled source once, in parallel, and writes the result as one cycle (retrying transient
    /// failures up to `attempts` times). For `fundingd ingest --once` and tests; takes no lock.
    @discardableResult
    public func runOnce(attempts: Int = 20) async throws -> (PendingCycle, CycleWriteResult) {
        let collector = self.collector
        let collections = await withTaskGroup(of: DexCollection.self) { group in
            for schedule in schedules { group.addTask { await collector.collect(schedule) } }
            var all: [DexCollection] = []
            for await c in group { all.append(c) }
            return all.sorted { $0.run.dex < $1.run.dex }
        }
        for c in collections { IngestMetrics.record(c, logger: logger) }
        let cycle = PendingCycle(snapshots: collections.flatMap(\.snapshots), runs: collections.map(\.run))
        let outcome: Result<CycleWriteResult, any Error>
        do {
            outcome = .success(try await writeRetrying(cycle, attempts: attempts))
        } catch {
            outcome = .failure(error)
        }
        await store.close()
        return (cycle, try outcome.get())
    }

    private func writeRetrying(_ cycle: PendingCycle, attempts: Int) async throws -> CycleWriteResult {
        var attempt = 1
        while true {
            do {
                let result = try await store.write(cycle)
                stats.written(cycles: 1, rows: result.rowsInserted)
                return result
            } catch where attempt < attempts && WriteFailure.classify(error) == .transient {
                logger.warning("cycle write failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try await Task.sleep(for: settings.writeRetry.delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }

    /// Keeps `leadership` true exactly while the lock is held. While the database does not answer, the last
    /// known state stands: a leader keeps collecting into the buffer (nobody else can take the lock meanwhile),
    /// a standby stays standby. Losing and regaining the lock are logged.
    func leaderLoop<C: Clock>(_ leader: any LeaderElecting, leadership: Leadership, recheck: Signal, clock: C) async
    where C.Duration == Duration {
        var reachable: Bool?
        while !Task.isCancelled {
            let check = await leader.check()
            if Task.isCancelled { return }
            let wasLeader = leadership.isLeader
            switch check {
            case .leader:
                if !wasLeader { logger.notice("became ingest leader") }
                leadership.set(true)
                reachable = true
            case .standby:
                if wasLeader {
                    logger.error("lost the ingest lock to another daemon; collection stops here")
                } else if reachable != true {
                    logger.notice("another daemon leads ingest; standing by")
                }
                leadership.set(false)
                reachable = true
            case .unreachable(let reason):
                if reachable != false {
                    logger.warning("database unreachable for the leadership check", metadata: [
                        "error": "\(reason)", "still_collecting": "\(wasLeader)",
                    ])
                }
                reachable = false
            }
            stats.setLeader(leadership.isLeader)
            let wait: Duration
            if case .unreachable = check { wait = settings.leaderRetryInterval } else { wait = settings.leaderCheckInterval }
            await recheck.wait(upTo: wait, clock: clock)
        }
    }
}
