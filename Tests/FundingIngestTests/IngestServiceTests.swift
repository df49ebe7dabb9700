import Foundation
import FundingIngest
import FundingStore
import Logging
import ServiceLifecycle
import Testing

@Suite("Ingest service: workers, writer, leadership, shutdown")
struct IngestServiceTests {
    let logger = Logger(label: "test")

    func service(_ schedules: [DexSchedule], collector: FakeCollector, store: FakeStore,
                 leader: FakeLeader? = nil, capacity: Int = 10,
                 configure: (inout IngestService.Settings) -> Void = { _ in }) -> IngestService {
        var settings = IngestService.Settings()
        settings.bufferCapacity = capacity
        settings.writeRetry = RetryPolicy(maxAttempts: .max, baseDelay: .seconds(1), maxDelay: .seconds(1))
        settings.shutdownFlush = .seconds(3)
        configure(&settings)
        return IngestService(schedules: schedules, collector: collector, store: store, leader: leader,
                             settings: settings, logger: logger)
    }

    /// Runs `body` while the service runs on `clock`, then cancels it and waits for it to end.
    func running(_ ingest: IngestService, clock: ManualClock,
                 _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await ingest.run(clock: clock) }
            do {
                try await body()
            } catch {
                tasks.cancelAll()
                throw error
            }
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }

    @Test("a hanging venue delays only itself", .timeLimit(.minutes(1)))
    func hangingVenueIsolated() async throws {
        let clock = ManualClock()
        let collector = FakeCollector(hanging: ["okx"])
        let store = FakeStore()
        let ingest = service([schedule("okx", every: .seconds(15)), schedule("binance", every: .seconds(15))],
                             collector: collector, store: store)
        try await running(ingest, clock: clock) {
            // okx hangs in its first collection; binance collects on every tick regardless.
            try await eventually("binance first cycle written") { store.written.count == 1 }
            for tick in 1...4 {
                try await clock.waitForSleepers(1)  // binance's worker (the writer waits on the buffer, not the clock)
                clock.advance(by: .seconds(15))
                try await eventually("binance cycle \(tick + 1) written") { store.written.count == tick + 1 }
            }
            #expect(collector.calls("okx") == 1)
            #expect(collector.calls("binance") == 5)
            #expect(store.written.allSatisfy { $0 == ["binance"] })
        }
    }

    @Test("the database away: cycles stay buffered and are all written, in order, when it returns",
          .timeLimit(.minutes(1)))
    func outageLosesNothing() async throws {
        let clock = ManualClock()
        let collector = FakeCollector()
        let store = FakeStore()
        store.setDown(true)
        let ingest = service([schedule("a", every: .seconds(10))], collector: collector, store: store)
        try await running(ingest, clock: clock) {
            try await eventually("first collection") { ingest.stats.cyclesCollected == 1 }
            for n in 2...5 {
                // The worker and the writer's backoff both sleep on the clock.
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(10))
                try await eventually("collection \(n)") { ingest.stats.cyclesCollected == n }
            }
            #expect(store.written.isEmpty)
            #expect(ingest.buffer.count == 5)
            #expect(ingest.stats.snapshot.lastWriteError != nil)
            store.setDown(false)
            // The writer may still be in the attempt that failed before the database came back: advance only once
            // it is parked in its retry delay (an advance while it is mid-attempt would wake nobody).
            while ingest.stats.cyclesWritten < 5 {
                try await eventually("the writer parked in its retry delay, or done") {
                    clock.sleeperCount >= 2 || ingest.stats.cyclesWritten == 5
                }
                if ingest.stats.cyclesWritten < 5 { clock.advance(by: .seconds(1)) }
            }
            // The backlog went in one transaction (merged), nothing dropped.
            #expect(store.written.last == ["a", "a", "a", "a", "a"])
            #expect(ingest.stats.cyclesDropped == 0)
            #expect(ingest.stats.snapshot.lastWriteError == nil)
        }
    }

    @Test("a backlog too large to write within the deadline is written in smaller batches, in order",
          .timeLimit(.minutes(1)))
    func backlogTooLargeForOneWrite() async throws {
        let clock = ManualClock()
        let collector = FakeCollector()
        let store = FakeStore()
        store.setDown(true)
        store.timeOut(aboveCycles: 2)
        let ingest = service([schedule("a", every: .seconds(10))], collector: collector, store: store) {
            $0.writeRetry = RetryPolicy(maxAttempts: .max, baseDelay: .seconds(1), maxDelay: .seconds(1))
        }
        try await running(ingest, clock: clock) {
            try await eventually("first collection") { ingest.stats.cyclesCollected == 1 }
            for n in 2...7 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(10))
                try await eventually("collection \(n)") { ingest.stats.cyclesCollected == n }
            }
            #expect(ingest.buffer.count == 7)
            store.setDown(false)
            // 7 cycles time out, then 3 do (halved twice: 7 → 3 → 1): one cycle lands, the batch doubles to 2 and
            // the rest go two at a time. Each failed attempt waits for the 1 s retry delay.
            while ingest.stats.cyclesWritten < 7 {
                try await eventually("the writer parked in its retry delay, or done") {
                    clock.sleeperCount >= 2 || ingest.stats.cyclesWritten == 7
                }
                if ingest.stats.cyclesWritten < 7 { clock.advance(by: .seconds(1)) }
            }
            #expect(store.written.first == ["a"])
            #expect(store.written.allSatisfy { $0.count <= 2 })
            #expect(store.written.flatMap { $0 }.count == ingest.stats.cyclesWritten)
            #expect(ingest.stats.cyclesDropped == 0)
        }
    }

    @Test("a connection lost mid-write is retried after the base delay; only an unreachable database backs off",
          .timeLimit(.minutes(1)))
    func backoffOnlyWhenUnreachable() async throws {
        let clock = ManualClock()
        let store = FakeStore()
        store.loseConnections(8)
        let ingest = service([schedule("a", every: .seconds(60))], collector: FakeCollector(), store: store) {
            $0.writeRetry = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(100), maxDelay: .seconds(10))
        }
        try await running(ingest, clock: clock) {
            // Eight lost connections in a row, each retried within 100 ms (never the growing backoff). A retry
            // drawn at 0 ms does not sleep, so the writer may finish before this loop does: stop when it has.
            while ingest.stats.cyclesWritten < 1 {
                try await eventually("the writer parked in its backoff, or done") {
                    clock.sleeperCount >= 2 || ingest.stats.cyclesWritten == 1
                }
                clock.advance(by: .milliseconds(100))
            }
            let writerSleeps = clock.requestedSleeps.filter { $0 < .seconds(60) }
            #expect(writerSleeps.count >= 1)
            #expect(writerSleeps.allSatisfy { $0 <= .milliseconds(100) })
            // Unreachable: the ceiling doubles (100, 200, 400, ... ms), so some wait exceeds the base delay.
            store.setDown(true)
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(60))
            for _ in 0..<12 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(10))
            }
            #expect(clock.requestedSleeps.contains { $0 > .milliseconds(100) && $0 < .seconds(60) })
        }
    }

    @Test("beyond the buffer: the oldest cycles are dropped and counted", .timeLimit(.minutes(1)))
    func beyondTheBuffer() async throws {
        let clock = ManualClock()
        let store = FakeStore()
        store.setDown(true)
        let ingest = service([schedule("a", every: .seconds(10))], collector: FakeCollector(), store: store,
                             capacity: 3)
        try await running(ingest, clock: clock) {
            try await eventually("first collection") { ingest.stats.cyclesCollected == 1 }
            for n in 2...5 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(10))
                try await eventually("collection \(n)") { ingest.stats.cyclesCollected == n }
            }
            #expect(ingest.buffer.count == 3)
            #expect(ingest.stats.cyclesDropped == 2)
            store.setDown(false)
            clock.advance(by: .seconds(1))
            try await eventually("the three kept are written") { ingest.stats.cyclesWritten == 3 }
            #expect(ingest.stats.cyclesCollected == ingest.stats.cyclesWritten + ingest.stats.cyclesDropped)
        }
    }

    @Test("a refused cycle is dropped with its reason; the cycles around it are written", .timeLimit(.minutes(1)))
    func refusedCycleDoesNotBlock() async throws {
        let clock = ManualClock()
        let store = FakeStore()
        store.setDown(true)
        store.refuse("bad")
        let ingest = service([schedule("good", every: .seconds(10)), schedule("bad", every: .seconds(10))],
                             collector: FakeCollector(), store: store)
        try await running(ingest, clock: clock) {
            try await eventually("both collected") { ingest.stats.cyclesCollected == 2 }
            // Both workers and the writer's backoff parked; then the database returns.
            try await clock.waitForSleepers(3)
            store.setDown(false)
            clock.advance(by: .seconds(1))
            // The merged batch is refused, then written one cycle at a time: good lands, bad is dropped.
            try await eventually("good written, bad dropped") {
                ingest.stats.cyclesWritten == 1 && ingest.stats.snapshot.cyclesRefused == 1
            }
            #expect(store.written.contains(["good"]))
            #expect(!store.written.joined().contains("bad"))
            #expect(ingest.buffer.count == 0)
        }
    }

    @Test("a standby collects nothing; it starts when it takes the lock and stops when it loses it",
          .timeLimit(.minutes(1)))
    func leadership() async throws {
        let clock = ManualClock()
        let collector = FakeCollector()
        let leader = FakeLeader(.standby)
        let ingest = service([schedule("a", every: .seconds(5))], collector: collector, store: FakeStore(),
                             leader: leader)
        try await running(ingest, clock: clock) {
            try await eventually("first check") { leader.checks >= 1 }
            for _ in 0..<3 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(5))
            }
            #expect(collector.calls("a") == 0)
            #expect(!ingest.stats.snapshot.isLeader)
            leader.set(.leader)
            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(5))
            try await eventually("leader") { ingest.stats.snapshot.isLeader }
            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(5))
            try await eventually("collected as leader") { collector.calls("a") >= 1 }
            // Unreachable: a leader keeps collecting into the buffer.
            leader.set(.unreachable("down"))
            let before = collector.calls("a")
            for _ in 0..<2 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(5))
                try await eventually("still collecting") { collector.calls("a") > before }
            }
            #expect(ingest.stats.snapshot.isLeader)
            // Another daemon took the lock: collection stops.
            leader.set(.standby)
            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(5))
            try await eventually("standby again") { !ingest.stats.snapshot.isLeader }
            let stopped = collector.calls("a")
            for _ in 0..<3 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(5))
            }
            #expect(collector.calls("a") == stopped)
        }
        #expect(leader.released)
    }

    @Test("a failing venue opens its breaker and stops being asked; the other goes on", .timeLimit(.minutes(1)))
    func breakerPerSource() async throws {
        let clock = ManualClock()
        let collector = FakeCollector(failing: ["dead"])
        let ingest = service([schedule("dead", every: .seconds(10)), schedule("ok", every: .seconds(10))],
                             collector: collector, store: FakeStore()) {
            $0.breakerFailureThreshold = 3
            $0.breakerOpenDuration = .seconds(60)
        }
        try await running(ingest, clock: clock) {
            try await eventually("first round") { collector.calls("ok") == 1 && collector.calls("dead") == 1 }
            for n in 2...6 {
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(10))
                try await eventually("round \(n)") { collector.calls("ok") == n }
            }
            // 3 failures at 0, 10, 20 s opened it until 80 s; the ticks at 30–50 s asked nothing.
            #expect(collector.calls("dead") == 3)
        }
    }

    @Test("shutdown is prompt while a venue hangs and the database hangs", .timeLimit(.minutes(1)))
    func shutdownWithEverythingStuck() async throws {
        let store = FakeStore()
        let ingest = service([schedule("hang", every: .seconds(10)), schedule("a", every: .seconds(10))],
                             collector: FakeCollector(hanging: ["hang"]), store: store,
                             leader: FakeLeader(.leader)) { $0.shutdownFlush = .milliseconds(300) }
        store.setHang(true)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            let group = ServiceGroup(configuration: .init(services: [ingest], logger: logger))
            tasks.addTask { try await group.run() }
            try await eventually("one cycle buffered, writer stuck") { store.attempts >= 1 }
            let stop = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            // Both the venue and the store hang forever, so ending at all shows nothing waited for them; the bound
            // is loose because the whole test process shares two cores (the drills time the real daemon).
            #expect(ContinuousClock.now - stop < .seconds(30))
        }
        // The buffered cycle that could not be written is counted as lost.
        #expect(ingest.stats.cyclesDropped >= 1)
    }
}
