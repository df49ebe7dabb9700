import Foundation
import FundingCore
import FundingStore
import FundingVenues
import Logging

/// One dex to collect: its adapter, where to reach it, how often.
public struct DexSchedule: Sendable {
    public var adapter: any VenueAdapter
    public var baseURL: String
    public var interval: Duration

    public init(adapter: any VenueAdapter, baseURL: String, interval: Duration) {
        self.adapter = adapter
        self.baseURL = baseURL
        self.interval = interval
    }

    public var name: String { adapter.descriptor.name }
}

/// What one dex produced in one cycle: validated snapshots and its `collection_runs` row.
public struct DexCollection: Sendable {
    public var snapshots: [MarketSnapshot]
    public var run: CollectionRun
    /// Rejected rows by reason (`absurd_rate`, `negative_price`, ...).
    public var rejections: [SnapshotRejection: Int]

    public init(snapshots: [MarketSnapshot], run: CollectionRun, rejections: [SnapshotRejection: Int] = [:]) {
        self.snapshots = snapshots
        self.run = run
        self.rejections = rejections
    }
}

/// Collects one source once. The daemon's is `DexCollector`; the workers' tests use fakes.
public protocol DexCollecting: Sendable {
    /// One collection of `dex`, within the collector's deadline. Never throws: a failure is a `failed` run.
    func collect(_ dex: DexSchedule) async -> DexCollection
}

/// Fetches one dex once, within a deadline, and validates its rows. Never throws: a failing venue becomes a
/// `failed` run with the error, so it costs that venue's rows only.
public struct DexCollector: DexCollecting {
    public var fetcher: any HTTPFetching
    public var validator: SnapshotValidator
    /// The whole fetch of one dex (all its requests and retries) must finish within this.
    public var deadline: Duration
    public var logger: Logger

    public init(fetcher: any HTTPFetching, validator: SnapshotValidator = SnapshotValidator(),
                deadline: Duration = .seconds(45), logger: Logger) {
        self.fetcher = fetcher
        self.validator = validator
        self.deadline = deadline
        self.logger = logger
    }

    public struct DeadlineExceeded: Error, CustomStringConvertible {
        public var deadline: Duration
        public var description: String { "no complete answer within \(deadline)" }
    }

    public func collect(_ dex: DexSchedule) async -> DexCollection {
        await collect(dex, now: Date())
    }

    /// One collection stamped `now`. The run's `started_at` is the same instant as the rows' time, so a market's
    /// `last_seen` equals the start of the last run that listed it (`ingest_mark_vanished` relies on this).
    public func collect(_ dex: DexSchedule, now: Date) async -> DexCollection {
        let started = ContinuousClock.now
        let startedAt = now
        let fetcher = self.fetcher
        let deadline = self.deadline
        let result: Result<VenueFetchResult, any Error>
        do {
            let fetched = try await withThrowingTaskGroup(of: VenueFetchResult.self) { group in
                group.addTask { try await dex.adapter.fetch(client: fetcher, baseURL: dex.baseURL, now: now) }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    throw DeadlineExceeded(deadline: deadline)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            result = .success(fetched)
        } catch {
            result = .failure(error)
        }
        let latency = ContinuousClock.now - started
        let latencyMs = Int(latency.wholeMilliseconds)

        switch result {
        case .failure(let error):
            return DexCollection(
                snapshots: [],
                run: CollectionRun(dex: dex.name, startedAt: startedAt, finishedAt: Date(), status: .failed,
                                   marketsOk: 0, marketsRejected: 0, error: "\(error)", latencyMs: latencyMs),
                rejections: [:])
        case .success(let fetched):
            var accepted: [MarketSnapshot] = []
            var rejections: [SnapshotRejection: Int] = [:]
            accepted.reserveCapacity(fetched.snapshots.count)
            for var snapshot in fetched.snapshots {
                // Rows are stamped with the moment this daemon observed the venue: one time per dex and cycle,
                // so freshness (`max_age`) and the (market, time) key mean the same on every venue, whatever
                // clock (or stale field) a venue's payload carries.
                snapshot.time = now
                if let reason = validator.rejection(for: snapshot) {
                    rejections[reason, default: 0] += 1
                    continue
                }
                if snapshot.collectionLatencyMs == nil { snapshot.collectionLatencyMs = latencyMs }
                accepted.append(snapshot)
            }
            let rejected = rejections.values.reduce(0, +)
            // Markets the venue lost (dropped rows, failed sub-requests) make the run partial like rejections do.
            let problems = fetched.problems.map(\.description)
            let status: CollectionRun.Status =
                accepted.isEmpty ? .failed : (rejected > 0 || !problems.isEmpty ? .partial : .success)
            var reasons = problems
            if rejected > 0 {
                reasons.insert("rejected " + rejections.sorted { $0.key.rawValue < $1.key.rawValue }
                    .map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", "), at: 0)
            }
            if accepted.isEmpty { reasons.append("no markets in the venue's answer") }
            let error: String? = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
            return DexCollection(
                snapshots: accepted,
                run: CollectionRun(dex: dex.name, startedAt: startedAt, finishedAt: Date(), status: status,
                                   marketsOk: accepted.count, marketsRejected: rejected, error: error,
                                   latencyMs: latencyMs),
                rejections: rejections)
        }
    }
}
