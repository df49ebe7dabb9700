import Foundation
import FundingCore
import Hummingbird
import NIOCore

/// `GET /api/v1/health`, `GET /api/v1/metrics` (JSON summary), `GET /metrics` (Prometheus), `GET /openapi.json`.
struct OperationsRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/v1/health") { request, context in try await health(request, context) }
        routes.get("/api/v1/metrics") { request, context in
            try await metricsSummary().response(from: request, context: context)
        }
        routes.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: deps.metrics.prometheusText())))
        }
        routes.get("/openapi.json") { _, _ in
            guard let document = deps.openAPIDocument else {
                throw APIError(.notFound, code: "not_found", message: "no OpenAPI document installed")
            }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }

    /// The design document's ServiceHealth plus the service's detail. healthy when every active dex is;
    /// unhealthy when none is usable, when the database does not answer (within `healthDeadline`) or when the
    /// ingest writer of this process is stuck (`IngestStatus.isStuck`); degraded otherwise (a dex stale, failing or
    /// whose last run was partial or failed). 503 only when unhealthy, always with `reasons`.
    ///
    /// With `statusReport` (the screener seed's `GET /api/status`) the answer is always 200 (a report, not a probe)
    /// and adds the process's memory, the WebSocket subscribers per stream and data-coverage counts.
    func health(_ request: Request, _ context: APIRequestContext, statusReport: Bool = false) async throws
        -> Response
    {
        let now = Date()
        let uptime = now.timeIntervalSince(deps.metrics.started)
        let ingest = await deps.ingestStatus?.ingestStatus()
        var reasons: [String] = []
        var rows: [DexHealthRow] = []
        var runStats: [String: DexCollectionStatsRow] = [:]
        var database = "ok"
        do {
            rows = try await deps.database.dexHealth()
            for row in try await deps.database.dexCollectionStats() { runStats[row.dex] = row }
        } catch let error as APIError where error.status == .serviceUnavailable {
            database = "unavailable"
            reasons.append(error.message)
        }
        // On a hot standby (DATABASE_READER_URL) the data is as old as the replay lag.
        let replica = try? await deps.database.replicaStatus()
        let statuses = rows.compactMap(\.status)
        var overall: String
        if database != "ok" {
            overall = "unhealthy"
        } else if !statuses.isEmpty, statuses.allSatisfy({ $0 == "healthy" }) {
            overall = "healthy"
        } else if statuses.isEmpty || statuses.allSatisfy({ $0 == "unhealthy" }) {
            overall = "unhealthy"
            reasons.append(statuses.isEmpty ? "no active dex" : "no dex has recent data")
        } else {
            overall = "degraded"
            for row in rows where row.status != "healthy" {
                reasons.append("\(row.dex) is \(row.status ?? "?")"
                               + (row.lastRunStatus.map { " (last run \($0))" } ?? ""))
            }
        }
        if let ingest, ingest.isStuck(now: now, since: deps.metrics.started) {
            overall = "unhealthy"
            reasons.append("""
                ingest writer stuck: \(ingest.bufferedCycles) cycle(s) buffered and no write for more than \
                \(IngestStatus.stuckAfterIntervals) collection intervals
                """ + (ingest.lastWriteError.map { " (last error: \($0))" } ?? ""))
        }
        let ages = rows.compactMap(\.dataAgeSeconds)
        let lastRun = rows.compactMap(\.lastRunAt).max()
        let requests = deps.metrics.routeSummaries().values.reduce(0) { $0 + $1.requests }
        let cache = deps.cache.summary
        let lookups = cache.hits + cache.stale + cache.misses + cache.shared
        let body = HealthResponse(
            status: overall, timestamp: now,
            dexHealth: rows.map { row in
                let stats = runStats[row.dex]
                return .init(dexName: row.dex, isHealthy: row.status == "healthy",
                             lastSuccessfulFetch: row.lastSuccessfulFetch, consecutiveErrors: row.consecutiveErrors,
                             errorRatePercent: stats?.errorRatePercent,
                             avgCollectionLatencyMs: stats?.avgCollectionLatencyMs, runs24h: stats?.runs24h,
                             status: row.status, lastRunStatus: row.lastRunStatus)
            },
            uptimeSeconds: uptime, totalRequests: requests,
            cacheHitRate: lookups > 0 ? Double(cache.hits + cache.stale) / Double(lookups) : nil,
            oldestDataAgeSeconds: ages.max(), lastCollectionTime: lastRun, reasons: reasons, database: database,
            ingest: ingest.map { ingest in
                .init(bufferedCycles: ingest.bufferedCycles, lastWriteAt: ingest.lastWriteAt,
                      lastWriteError: ingest.lastWriteError, isLeader: ingest.isLeader,
                      cyclesDropped: ingest.cyclesDropped,
                      intervalSeconds: Double(ingest.interval.wholeMilliseconds) / 1000,
                      stuck: ingest.isStuck(now: now, since: deps.metrics.started))
            },
            dexes: Dictionary(rows.map { ($0.dex, HealthResponse.DexStatus($0)) }, uniquingKeysWith: { first, _ in first }),
            replica: .init(inRecovery: replica?.inRecovery, replayLagSeconds: replica?.lagSeconds),
            report: statusReport ? await statusDetail() : nil)
        var response = try body.response(from: request, context: context)
        if overall == "unhealthy" && !statusReport { response.status = .serviceUnavailable }
        return response
    }

    /// What `GET /api/status` adds to the health answer.
    func statusDetail() async -> HealthResponse.StatusReport {
        let hub = await deps.hub.summary()
        let prices = await deps.priceHub.clients()
        let boards = await deps.leaderboardHub.clients()
        // Nil when the database does not answer: the health fields already say so.
        let coverage = try? await deps.database.dataCoverage()
        return .init(memoryResidentBytes: Self.residentBytes(),
                     websocketClients: ["funding_rates": hub.rateClients, "opportunities": hub.opportunityClients,
                                        "prices": prices.prices, "price_spreads": prices.spreads,
                                        "leaderboards": boards],
                     dataQuality: coverage)
    }

    /// The process's resident memory (Linux `/proc/self/statm`), nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func metricsSummary() async -> SystemMetricsResponse {
        let routes = deps.metrics.routeSummaries()
        let hub = await deps.hub.summary()
        let prices = await deps.priceHub.clients()
        let boards = await deps.leaderboardHub.clients()
        let recent = deps.metrics.lastMinute()
        let cache = deps.cache.summary
        let pool = deps.database.poolMetrics
        return SystemMetricsResponse(
            requestsPerMinute: recent.requests,
            avgResponseTimeMs: recent.requests > 0 ? recent.seconds / Double(recent.requests) * 1000 : nil,
            cacheSizeMb: Double(cache.bytes) / 1_048_576,
            databaseConnections: pool.leasedCount("reader") + pool.leasedCount("writer"),
            activeWebsockets: hub.rateClients + hub.opportunityClients + prices.prices + prices.spreads + boards,
            uptimeSeconds: Date().timeIntervalSince(deps.metrics.started),
            requests: routes.mapValues { s in
                .init(count: s.requests, errors: s.errors,
                      meanMs: s.requests > 0 ? s.totalSeconds / Double(s.requests) * 1000 : nil,
                      maxMs: s.maxSeconds * 1000)
            },
            requestsTotal: routes.values.reduce(0) { $0 + $1.requests },
            streams: .init(fundingRateClients: hub.rateClients, opportunityClients: hub.opportunityClients,
                           priceClients: prices.prices, priceSpreadClients: prices.spreads,
                           leaderboardClients: boards, clientsDroppedSlow: hub.droppedSlow, cyclesSeen: hub.cycles,
                           notificationsRefused: hub.noticesRefused, framesSent: hub.framesSent,
                           lastCycle: hub.lastCycle.map(SystemMetricsResponse.CycleSummary.init(notice:))),
            responseCache: .init(ttlMs: Int(deps.cache.ttl.wholeMilliseconds), entries: cache.entries,
                                 bytes: cache.bytes, hits: cache.hits, stale: cache.stale, misses: cache.misses,
                                 shared: cache.shared),
            databasePool: .init(role: "fundingd_reader", maxConnections: deps.settings.readerPoolSize,
                                statementTimeoutMs: deps.settings.statementTimeoutMs,
                                queriesInFlight: pool.snapshot["reader"] ?? 0))
    }
}
