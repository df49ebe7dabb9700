import Foundation
import FundingStore
import Synchronization

/// What the ingest service has done since start: for health reporting, metrics and tests. Readable at any time
/// without waiting on the loops.
public final class IngestStats: Sendable {
    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        /// Collections made (one per source per run).
        public var cyclesCollected = 0
        /// Collections written to the database.
        public var cyclesWritten = 0
        /// Collections lost: pushed out of a full buffer, refused by the database, or left at shutdown.
        public var cyclesDropped = 0
        /// Of those, refused by the database (a bad row): logged with the reason.
        public var cyclesRefused = 0
        public var rowsWritten = 0
        public var lastWriteAt: Date?
        /// The last write error and when it happened; cleared by the next successful write.
        public var lastWriteError: String?
        public var lastWriteErrorAt: Date?
        public var isLeader = false
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }
    public var cyclesCollected: Int { snapshot.cyclesCollected }
    public var cyclesWritten: Int { snapshot.cyclesWritten }
    public var cyclesDropped: Int { snapshot.cyclesDropped }

    func collected() { state.withLock { $0.cyclesCollected += 1 } }
    func dropped(_ n: Int = 1) { state.withLock { $0.cyclesDropped += n } }
    func refused() {
        state.withLock {
            $0.cyclesDropped += 1
            $0.cyclesRefused += 1
        }
    }
    func written(cycles: Int, rows: Int) {
        state.withLock {
            $0.cyclesWritten += cycles
            $0.rowsWritten += rows
            $0.lastWriteAt = Date()
            $0.lastWriteError = nil
            $0.lastWriteErrorAt = nil
        }
    }
    func writeFailed(_ error: any Error) {
        state.withLock {
            $0.lastWriteError = "\(error)"
            $0.lastWriteErrorAt = Date()
        }
    }
    func setLeader(_ value: Bool) { state.withLock { $0.isLeader = value } }
}

/// Whether this process currently leads ingest, shared by the leader loop and the workers.
final class Leadership: Sendable {
    private let state: Mutex<Bool>
    init(_ isLeader: Bool) { state = Mutex(isLeader) }
    var isLeader: Bool { state.withLock { $0 } }
    func set(_ value: Bool) { state.withLock { $0 = value } }
}
