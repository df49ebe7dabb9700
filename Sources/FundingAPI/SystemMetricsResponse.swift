import Foundation
import Hummingbird

/// `GET /api/v1/metrics`: the design document's `SystemMetrics` (`requests_per_minute`, `avg_response_time_ms`,
/// `cache_size_mb`, `database_connections`, `active_websockets`, `uptime_seconds`), then the service's detail per
/// route, stream, response cache and database pool.
struct SystemMetricsResponse: ResponseEncodable, Sendable {
    /// Requests of one route and method since start.
    struct RouteRequests: Encodable, Sendable {
        var count: Int
        var errors: Int
        @NullWhenAbsent var meanMs: Double?
        var maxMs: Double

        enum CodingKeys: String, CodingKey {
            case count, errors
            case meanMs = "mean_ms"
            case maxMs = "max_ms"
        }
    }

    /// The WebSocket streams: subscribers per stream and what the hub has seen and sent.
    struct Streams: Encodable, Sendable {
        var fundingRateClients: Int
        var opportunityClients: Int
        var priceClients: Int
        var priceSpreadClients: Int
        var leaderboardClients: Int
        var clientsDroppedSlow: Int
        var cyclesSeen: Int
        var notificationsRefused: Int
        var framesSent: Int
        @NullWhenAbsent var lastCycle: CycleSummary?

        enum CodingKeys: String, CodingKey {
            case fundingRateClients = "funding_rate_clients"
            case opportunityClients = "opportunity_clients"
            case priceClients = "price_clients"
            case priceSpreadClients = "price_spread_clients"
            case leaderboardClients = "leaderboard_clients"
            case clientsDroppedSlow = "clients_dropped_slow"
            case cyclesSeen = "cycles_seen"
            case notificationsRefused = "notifications_refused"
            case framesSent = "frames_sent"
            case lastCycle = "last_cycle"
        }
    }

    /// The last ingest cycle's summary (`CycleNotice`), every count present (null when the cycle did not report
    /// it) and `dexes` / `rejected` empty rather than absent.
    struct CycleSummary: Encodable, Sendable {
        var notice: CycleNotice

        func encode(to encoder: any Encoder) throws {
            // The notice's own field names (its CodingKeys), with every field written.
            var c = encoder.container(keyedBy: CycleNotice.CodingKeys.self)
            try c.encode(notice.id, forKey: .id)
            try c.encodeIfPresent(notice.event, forKey: .event)
            try c.encode(notice.cycleTime, forKey: .cycleTime)
            try c.encode(notice.dexes ?? [], forKey: .dexes)
            for (key, value) in [(CycleNotice.CodingKeys.rowsStaged, notice.rowsStaged), (.rowsInserted, notice.rowsInserted),
                                 (.rowsDuplicate, notice.rowsDuplicate), (.rowsTooOld, notice.rowsTooOld),
                                 (.rowsRejected, notice.rowsRejected), (.runsRejected, notice.runsRejected),
                                 (.markets, notice.markets), (.marketsCreated, notice.marketsCreated),
                                 (.symbolsCreated, notice.symbolsCreated)] {
                try c.encode(value, forKey: key)
            }
            try c.encode(notice.rejected ?? [:], forKey: .rejected)
        }
    }

    /// The response cache (`ResponseCache`): its lifetime and counters.
    struct Cache: Encodable, Sendable {
        var ttlMs: Int
        var entries: Int
        var bytes: Int
        var hits: Int
        var stale: Int
        var misses: Int
        var shared: Int

        enum CodingKeys: String, CodingKey {
            case entries, bytes, hits, stale, misses, shared
            case ttlMs = "ttl_ms"
        }
    }

    /// The reader pool the API queries through.
    struct Pool: Encodable, Sendable {
        var role: String
        var maxConnections: Int
        var statementTimeoutMs: Int
        var queriesInFlight: Int

        enum CodingKeys: String, CodingKey {
            case role
            case maxConnections = "max_connections"
            case statementTimeoutMs = "statement_timeout_ms"
            case queriesInFlight = "queries_in_flight"
        }
    }

    var requestsPerMinute: Int
    @NullWhenAbsent var avgResponseTimeMs: Double?
    var cacheSizeMb: Double
    var databaseConnections: Int
    var activeWebsockets: Int
    var uptimeSeconds: Double
    /// By "METHOD /route/pattern".
    var requests: [String: RouteRequests]
    var requestsTotal: Int
    var streams: Streams
    var responseCache: Cache
    var databasePool: Pool

    enum CodingKeys: String, CodingKey {
        case requests, streams
        case requestsPerMinute = "requests_per_minute"
        case avgResponseTimeMs = "avg_response_time_ms"
        case cacheSizeMb = "cache_size_mb"
        case databaseConnections = "database_connections"
        case activeWebsockets = "active_websockets"
        case uptimeSeconds = "uptime_seconds"
        case requestsTotal = "requests_total"
        case responseCache = "response_cache"
        case databasePool = "database_pool"
    }
}
