import Foundation
import FundingCore

/// The ingest writer's state as `/api/v1/health` reports it when ingest runs in the same process.
public struct IngestStatus: Sendable, Equatable {
    /// Collected cycles waiting to be written.
    public var bufferedCycles: Int
    /// When a cycle was last committed; nil before the first.
    public var lastWriteAt: Date?
    /// The last write failure's text; nil after a successful write.
    public var lastWriteError: String?
    /// Whether this process holds the collection leadership (a follower neither collects nor writes).
    public var isLeader: Bool
    /// Cycles dropped since start because the buffer was full.
    public var cyclesDropped: Int
    /// The collection interval (the shortest of the configured dexes): the unit of the stuck rule.
    public var interval: Duration

    public init(bufferedCycles: Int, lastWriteAt: Date?, lastWriteError: String?, isLeader: Bool, cyclesDropped: Int,
                interval: Duration) {
        self.bufferedCycles = bufferedCycles
        self.lastWriteAt = lastWriteAt
        self.lastWriteError = lastWriteError
        self.isLeader = isLeader
        self.cyclesDropped = cyclesDropped
        self.interval = interval
    }

    /// How many intervals without a write, with cycles waiting, make the writer stuck.
    public static let stuckAfterIntervals = 3

    /// The writer is stuck when cycles wait in the buffer and nothing was written for more than 3 intervals (since
    /// `since`, the process start, when nothing was ever written). Health is then `unhealthy`.
    public func isStuck(now: Date, since: Date) -> Bool {
        guard bufferedCycles > 0 else { return false }
        let idle = now.timeIntervalSince(lastWriteAt ?? since)
        return idle > Double(Self.stuckAfterIntervals) * Double(interval.wholeMilliseconds) / 1000
    }
}

/// What reports the ingest writer's state to the API (implemented by the ingest service when it runs in the same
/// process; absent in `fundingd serve`).
public protocol IngestStatusProviding: Sendable {
    func ingestStatus() async -> IngestStatus
}
