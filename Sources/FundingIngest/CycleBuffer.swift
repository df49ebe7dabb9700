import FundingCore
import FundingStore

/// One collection cycle waiting to be written: all due dexes' validated snapshots and their runs.
public struct PendingCycle: Sendable {
    public var snapshots: [MarketSnapshot]
    public var runs: [CollectionRun]

    public init(snapshots: [MarketSnapshot], runs: [CollectionRun]) {
        self.snapshots = snapshots
        self.runs = runs
    }
}

/// Cycles collected but not yet written, oldest first, at most `capacity` of them: while the database is away
/// the daemon keeps collecting, and when the buffer is full the oldest cycle is dropped (and counted).
public actor CycleBuffer {
    public let capacity: Int
    private var cycles: [PendingCycle] = []
    public private(set) var dropped = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends a cycle; returns the cycle dropped to make room, if any.
    @discardableResult
    public func append(_ cycle: PendingCycle) -> PendingCycle? {
        var evicted: PendingCycle?
        if cycles.count >= capacity {
            evicted = cycles.removeFirst()
            dropped += 1
        }
        cycles.append(cycle)
        let toResume = waiters
        waiters = []
        toResume.forEach { $0.resume() }
        return evicted
    }

    public var count: Int { cycles.count }
    public var first: PendingCycle? { cycles.first }

    /// Removes the oldest cycle once it has been written.
    public func removeFirst() {
        if !cycles.isEmpty { cycles.removeFirst() }
    }

    /// Returns when the buffer holds at least one cycle (or the task is cancelled).
    public func waitForCycle() async {
        if !cycles.isEmpty { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Wakes waiters so a cancelled writer can exit.
    public func wakeAll() {
        let toResume = waiters
        waiters = []
        toResume.forEach { $0.resume() }
    }
}
