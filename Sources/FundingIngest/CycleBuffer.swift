import FundingCore
import FundingStore
import Synchronization

/// One collection cycle waiting to be written: one or more sources' validated snapshots and their runs.
public struct PendingCycle: Sendable {
    public var snapshots: [MarketSnapshot]
    public var runs: [CollectionRun]

    public init(snapshots: [MarketSnapshot], runs: [CollectionRun]) {
        self.snapshots = snapshots
        self.runs = runs
    }

    /// Several cycles as one write (one transaction: all of them land or none).
    public init(merging cycles: some Sequence<PendingCycle>) {
        self.init(snapshots: [], runs: [])
        for cycle in cycles {
            snapshots += cycle.snapshots
            runs += cycle.runs
        }
    }
}

/// Cycles collected but not yet written, oldest first: the bounded channel between the source workers and the
/// one writer. While the database is away the workers keep collecting; each source may have at most
/// `capacityPerSource` cycles waiting, and when it has more its own oldest is dropped (and counted), so a fast
/// source cannot push a slow one's cycles out. The batch the writer has in flight is never dropped: it may be
/// landing in the database at that moment, and counting it as dropped too would make the counts lie (a drill
/// saw 10 cycles written or dropped out of 9 collected). While a write is in flight a source may exceed its
/// capacity by the cycles of that batch.
///
/// A `Mutex`, not an actor, and the writer waits on a `Signal`, whose wait is resumed synchronously from its
/// cancellation handler: with the old actor a cancellation that raced the wait could be lost, and the writer then
/// never woke and SIGTERM never finished.
public final class CycleBuffer: Sendable {
    public struct Entry: Sendable {
        public var id: Int
        public var source: String
        public var cycle: PendingCycle
    }

    private struct State {
        var entries: [Entry] = []
        var nextID = 0
        var dropped = 0
        var closed = false
        var writing: Set<Int> = []
    }

    public let capacityPerSource: Int
    private let state = Mutex(State())
    private let arrived = Signal()

    public init(capacityPerSource: Int) {
        self.capacityPerSource = max(1, capacityPerSource)
    }

    /// Appends a source's cycle; returns the cycle dropped to make room for it, if any.
    @discardableResult
    public func append(_ cycle: PendingCycle, source: String) -> PendingCycle? {
        let evicted = state.withLock { s -> PendingCycle? in
            var evicted: PendingCycle?
            if s.entries.count(where: { $0.source == source }) >= capacityPerSource,
               let oldest = s.entries.firstIndex(where: { $0.source == source && !s.writing.contains($0.id) }) {
                evicted = s.entries.remove(at: oldest).cycle
                s.dropped += 1
            }
            s.entries.append(Entry(id: s.nextID, source: source, cycle: cycle))
            s.nextID += 1
            return evicted
        }
        arrived.fire()
        return evicted
    }

    public var count: Int { state.withLock { $0.entries.count } }
    public var dropped: Int { state.withLock { $0.dropped } }
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The oldest cycles, up to `maxRows` snapshots together (always at least one cycle).
    public func peek(maxRows: Int = .max) -> [Entry] {
        state.withLock { s in
            var batch: [Entry] = []
            var rows = 0
            for entry in s.entries {
                if !batch.isEmpty && rows + entry.cycle.snapshots.count > maxRows { break }
                batch.append(entry)
                rows += entry.cycle.snapshots.count
            }
            return batch
        }
    }

    /// The writer is writing these cycles: they cannot be dropped until `remove` or `endWrite`.
    public func beginWrite(_ ids: some Sequence<Int>) {
        let set = Set(ids)
        state.withLock { $0.writing = set }
    }

    /// The write in flight failed: its cycles may be dropped again to make room.
    public func endWrite() {
        state.withLock { $0.writing = [] }
    }

    /// Removes written (or deliberately dropped) cycles and ends the write in flight.
    public func remove(_ ids: some Sequence<Int>) {
        let set = Set(ids)
        state.withLock {
            $0.entries.removeAll { set.contains($0.id) }
            $0.writing = []
        }
    }

    /// No more cycles will come (shutdown): a waiting writer wakes up to drain what is left.
    public func close() {
        state.withLock { $0.closed = true }
        arrived.fire()
    }

    /// Returns when a cycle is waiting, the buffer is closed, or the calling task is cancelled. One waiter at a
    /// time (the writer).
    public func waitForCycle() async {
        // A fire with nobody waiting is kept, so a cycle appended between the check and the wait is not missed.
        while !Task.isCancelled && state.withLock({ $0.entries.isEmpty && !$0.closed }) {
            await arrived.wait()
        }
    }
}
