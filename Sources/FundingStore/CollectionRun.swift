import Foundation

/// One dex's outcome in one collection cycle: a `collection_runs` row and the dex's health columns.
public struct CollectionRun: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Every market parsed and passed validation.
        case success
        /// The venue answered but some rows were rejected.
        case partial
        /// Nothing usable: the venue failed, timed out, or its payload was malformed.
        case failed
    }

    public var dex: String
    public var startedAt: Date
    public var finishedAt: Date
    public var status: Status
    public var marketsOk: Int
    public var marketsRejected: Int
    public var error: String?
    public var latencyMs: Int

    public init(dex: String, startedAt: Date, finishedAt: Date, status: Status, marketsOk: Int,
                marketsRejected: Int, error: String?, latencyMs: Int) {
        self.dex = dex
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.marketsOk = marketsOk
        self.marketsRejected = marketsRejected
        self.error = error
        self.latencyMs = latencyMs
    }

    enum CodingKeys: String, CodingKey {
        case dex, status, error
        case startedAt = "started_at", finishedAt = "finished_at", marketsOk = "markets_ok"
        case marketsRejected = "markets_rejected", latencyMs = "latency_ms"
    }
}

/// What `ingest_apply` reports for one written cycle.
public struct CycleWriteResult: Sendable, Hashable {
    public var rowsStaged: Int
    public var rowsInserted: Int
    public var rowsDuplicate: Int
    public var rowsTooOld: Int
    public var marketsCreated: Int
    public var symbolsCreated: Int
    /// Rows the database refused (plausibility bounds, unknown dex, ...: schema/0057), by reason in `rejected`.
    public var rowsRejected: Int = 0
    /// Runs the database refused (unknown dex, malformed), by reason (`run_…`) in `rejected`.
    public var runsRejected: Int = 0
    /// Rejected rows and runs by reason.
    public var rejected: [String: Int] = [:]
    /// Markets marked inactive because their venue stopped listing them (`ingest_mark_vanished`).
    public var marketsDeactivated: Int = 0

    public init(rowsStaged: Int, rowsInserted: Int, rowsDuplicate: Int, rowsTooOld: Int, marketsCreated: Int,
                symbolsCreated: Int, rowsRejected: Int = 0, runsRejected: Int = 0, rejected: [String: Int] = [:],
                marketsDeactivated: Int = 0) {
        self.rowsStaged = rowsStaged
        self.rowsInserted = rowsInserted
        self.rowsDuplicate = rowsDuplicate
        self.rowsTooOld = rowsTooOld
        self.marketsCreated = marketsCreated
        self.symbolsCreated = symbolsCreated
        self.rowsRejected = rowsRejected
        self.runsRejected = runsRejected
        self.rejected = rejected
        self.marketsDeactivated = marketsDeactivated
    }
}
