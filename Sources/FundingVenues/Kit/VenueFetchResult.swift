import Foundation
import FundingCore

/// What one all-markets fetch of a venue produced, with every market the venue listed accounted for:
/// a snapshot, an exclusion by design, a drop (a problem), or lost with a failed sub-request (a problem).
/// Kept rows that lack an optional field the venue publishes are counted in `degraded`.
public struct VenueFetchResult: Sendable {
    /// Normalised snapshots, one per perpetual market that parsed.
    public var snapshots: [MarketSnapshot]
    /// Markets left out by design, by reason. Not a problem.
    public var excluded: [ExclusionReason: Int]
    /// Markets dropped for missing or bad required data, by reason. A problem.
    public var dropped: [DropReason: Int]
    /// Sub-requests that failed, costing only their markets. A problem.
    public var failedRequests: [FailedRequest]
    /// Rows kept without an optional field, by field. Reported, not a problem.
    public var degraded: [DegradedField: Int]

    public init(snapshots: [MarketSnapshot] = []) {
        self.snapshots = snapshots
        excluded = [:]
        dropped = [:]
        failedRequests = []
        degraded = [:]
    }

    /// What cost this run markets, drops first (by reason), then failed requests in the order they were recorded.
    public var problems: [VenueProblem] {
        dropped.sorted { $0.key < $1.key }.map { .dropped($0.key, count: $0.value) }
            + failedRequests.map { .requestFailed($0) }
    }

    public mutating func exclude(_ reason: ExclusionReason, count: Int = 1) {
        if count > 0 { excluded[reason, default: 0] += count }
    }

    public mutating func drop(_ reason: DropReason, count: Int = 1) {
        if count > 0 { dropped[reason, default: 0] += count }
    }

    public mutating func degrade(_ field: DegradedField, count: Int = 1) {
        if count > 0 { degraded[field, default: 0] += count }
    }

    public mutating func fail(_ request: String, _ error: any Error, marketsLost: Int? = nil) {
        failedRequests.append(FailedRequest(request: request, error: error, marketsLost: marketsLost))
    }

    /// Adds another part of the same venue's fetch (one category, one builder dex).
    public mutating func merge(_ part: VenueFetchResult) {
        snapshots += part.snapshots
        excluded.merge(part.excluded, uniquingKeysWith: +)
        dropped.merge(part.dropped, uniquingKeysWith: +)
        failedRequests += part.failedRequests
        degraded.merge(part.degraded, uniquingKeysWith: +)
    }

    /// Sets every row's `collectionLatencyMs` to the time since `start` (rows with their own latency keep it).
    public mutating func stampLatency(since start: ContinuousClock.Instant) {
        let ms = Int((ContinuousClock.now - start).wholeMilliseconds)
        for i in snapshots.indices where snapshots[i].collectionLatencyMs == nil { snapshots[i].collectionLatencyMs = ms }
    }
}
