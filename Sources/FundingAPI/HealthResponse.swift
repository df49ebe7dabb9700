import Foundation
import Hummingbird

/// `GET /api/v1/health`: the design document's `ServiceHealth` (`status`, `timestamp`, `dex_health[]`,
/// `uptime_seconds`, `total_requests`, `cache_hit_rate`), then the service's detail: why it is not healthy, the
/// database, this process's ingest writer, every dex's collection state and the replica's lag. `GET /api/status`
/// adds `StatusReport`'s fields.
struct HealthResponse: ResponseEncodable, Sendable {
    /// The design document's `DEXHealth`, with the run statistics and status behind it.
    struct DexHealth: Encodable, Sendable {
        @NullWhenAbsent var dexName: String?
        var isHealthy: Bool
        @NullWhenAbsent var lastSuccessfulFetch: Date?
        @NullWhenAbsent var consecutiveErrors: Int?
        @NullWhenAbsent var errorRatePercent: Double?
        @NullWhenAbsent var avgCollectionLatencyMs: Double?
        @NullWhenAbsent var runs24h: Int?
        @NullWhenAbsent var status: String?
        @NullWhenAbsent var lastRunStatus: String?

        enum CodingKeys: String, CodingKey {
            case status
            case dexName = "dex_name"
            case isHealthy = "is_healthy"
            case lastSuccessfulFetch = "last_successful_fetch"
            case consecutiveErrors = "consecutive_errors"
            case errorRatePercent = "error_rate_percent"
            case avgCollectionLatencyMs = "avg_collection_latency_ms"
            case runs24h = "runs_24h"
            case lastRunStatus = "last_run_status"
        }
    }

    /// One dex's collection state (`dex_health`): `/health`'s `dexes` and each dex's `health` in `/dexes`.
    struct DexStatus: Encodable, Sendable {
        @NullWhenAbsent var status: String?
        @NullWhenAbsent var markets: Int?
        @NullWhenAbsent var newestData: Date?
        @NullWhenAbsent var dataAgeSeconds: Double?
        @NullWhenAbsent var lastSuccessfulFetch: Date?
        @NullWhenAbsent var consecutiveErrors: Int?
        @NullWhenAbsent var lastError: String?
        @NullWhenAbsent var lastErrorAt: Date?
        @NullWhenAbsent var lastRunAt: Date?
        @NullWhenAbsent var lastRunStatus: String?

        enum CodingKeys: String, CodingKey {
            case status, markets
            case newestData = "newest_data"
            case dataAgeSeconds = "data_age_seconds"
            case lastSuccessfulFetch = "last_successful_fetch"
            case consecutiveErrors = "consecutive_errors"
            case lastError = "last_error"
            case lastErrorAt = "last_error_at"
            case lastRunAt = "last_run_at"
            case lastRunStatus = "last_run_status"
        }

        init(_ row: DexHealthRow) {
            status = row.status
            markets = row.markets
            newestData = row.newestData
            dataAgeSeconds = row.dataAgeSeconds
            lastSuccessfulFetch = row.lastSuccessfulFetch
            consecutiveErrors = row.consecutiveErrors
            lastError = row.lastError
            lastErrorAt = row.lastErrorAt
            lastRunAt = row.lastRunAt
            lastRunStatus = row.lastRunStatus
        }
    }

    /// This process's ingest writer (absent in an API-only process: null).
    struct Ingest: Encodable, Sendable {
        var bufferedCycles: Int
        @NullWhenAbsent var lastWriteAt: Date?
        @NullWhenAbsent var lastWriteError: String?
        var isLeader: Bool
        var cyclesDropped: Int
        var intervalSeconds: Double
        var stuck: Bool

        enum CodingKeys: String, CodingKey {
            case stuck
            case bufferedCycles = "buffered_cycles"
            case lastWriteAt = "last_write_at"
            case lastWriteError = "last_write_error"
            case isLeader = "is_leader"
            case cyclesDropped = "cycles_dropped"
            case intervalSeconds = "interval_seconds"
        }
    }

    /// A hot standby's state (`replica_status()`); nulls when the database did not answer.
    struct Replica: Encodable, Sendable {
        @NullWhenAbsent var inRecovery: Bool?
        @NullWhenAbsent var replayLagSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case inRecovery = "in_recovery"
            case replayLagSeconds = "replay_lag_seconds"
        }
    }

    /// What `GET /api/status` (the screener seed's report) adds.
    struct StatusReport: Sendable {
        var memoryResidentBytes: Int?
        /// Subscribers per stream.
        var websocketClients: [String: Int]
        var dataQuality: DataCoverage?
    }

    var status: String
    var timestamp: Date
    var dexHealth: [DexHealth]
    var uptimeSeconds: Double
    var totalRequests: Int
    @NullWhenAbsent var cacheHitRate: Double?
    @NullWhenAbsent var oldestDataAgeSeconds: Double?
    @NullWhenAbsent var lastCollectionTime: Date?
    var reasons: [String]
    var database: String
    @NullWhenAbsent var ingest: Ingest?
    /// By dex name.
    var dexes: [String: DexStatus]
    var replica: Replica
    var report: StatusReport?

    enum CodingKeys: String, CodingKey {
        case status, timestamp, reasons, database, ingest, dexes, replica
        case dexHealth = "dex_health"
        case uptimeSeconds = "uptime_seconds"
        case totalRequests = "total_requests"
        case cacheHitRate = "cache_hit_rate"
        case oldestDataAgeSeconds = "oldest_data_age_seconds"
        case lastCollectionTime = "last_collection_time"
        case lastCollection = "last_collection"
        case memoryResidentBytes = "memory_resident_bytes"
        case websocketClients = "websocket_clients"
        case dataQuality = "data_quality"
    }

    /// Written by hand for two fields a struct cannot say: `last_collection` repeats `last_collection_time` (the
    /// older name), and the report's fields appear only on `/api/status`.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(dexHealth, forKey: .dexHealth)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(totalRequests, forKey: .totalRequests)
        try c.encode(_cacheHitRate, forKey: .cacheHitRate)
        try c.encode(_oldestDataAgeSeconds, forKey: .oldestDataAgeSeconds)
        try c.encode(_lastCollectionTime, forKey: .lastCollectionTime)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(database, forKey: .database)
        try c.encode(_ingest, forKey: .ingest)
        try c.encode(dexes, forKey: .dexes)
        try c.encode(_lastCollectionTime, forKey: .lastCollection)
        try c.encode(replica, forKey: .replica)
        if let report {
            try c.encode(NullWhenAbsent(wrappedValue: report.memoryResidentBytes), forKey: .memoryResidentBytes)
            try c.encode(report.websocketClients, forKey: .websocketClients)
            try c.encode(NullWhenAbsent(wrappedValue: report.dataQuality), forKey: .dataQuality)
        }
    }
}
