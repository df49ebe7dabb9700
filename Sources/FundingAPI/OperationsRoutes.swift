import Foundation
import FundingCore
import Hummingbird
import NIOCore

/// `GET /api/v1/health`, `GET /api/v1/metrics` (JSON summary), `GET /metrics` (Prometheus), `GET /openapi.json`.
struct OperationsRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/v1/health") { _, _ in try await health() }
        routes.get("/api/v1/metrics") { _, _ in await metricsSummary() }
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
    func health(statusReport: Bool = false) async throws -> Response {
        let now = Date()
        let uptime = now.timeIntervalSince(deps.metrics.started)
        let ingest = await deps.ingestStatus?.ingestStatus()
        var reasons: [String] = []
        var rows: [ResultRow] = []
        var runStats: [String: ResultRow] = [:]
        var database = "ok"
        do {
            rows = try await deps.database.dexHealth()
            for row in try await deps.database.dexCollectionStats() {
                if let dex = row["dex"]?.string { runStats[dex] = row }
            }
        } catch let error as APIError where error.status == .serviceUnavailable {
            database = "unavailable"
            reasons.append(error.message)
        }
        // On a hot standby (DATABASE_READER_URL) the data is as old as the replay lag.
        let replica = try? await deps.database.replicaStatus()
        let statuses = rows.compactMap { $0["status"]?.string }
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
            for row in rows where row["status"]?.string != "healthy" {
                reasons.append("\(row["dex"]?.string ?? "?") is \(row["status"]?.string ?? "?")"
                               + (row["last_run_status"]?.string.map { " (last run \($0))" } ?? ""))
            }
        }
        if let ingest, ingest.isStuck(now: now, since: deps.metrics.started) {
            overall = "unhealthy"
            reasons.append("""
                ingest writer stuck: \(ingest.bufferedCycles) cycle(s) buffered and no write for more than \
                \(IngestStatus.stuckAfterIntervals) collection intervals
                """ + (ingest.lastWriteError.map { " (last error: \($0))" } ?? ""))
        }
        let ages = rows.compactMap { $0["data_age_seconds"]?.double }
        let lastRun = rows.compactMap { row -> Date? in
            if case .date(let d)? = row["last_run_at"] { return d }
            return nil
        }.max()
        let requests = deps.metrics.routeSummaries().values.reduce(0) { $0 + $1.requests }
        let cache = deps.cache.summary
        let lookups = cache.hits + cache.stale + cache.misses + cache.shared
        let report = statusReport ? await statusDetail() : nil
        return Response.json(status: overall == "unhealthy" && !statusReport ? .serviceUnavailable : .ok) { w in
            w.object { o in
                o.field("status", overall)
                o.field("timestamp", now)
                o.key("dex_health")
                o.array { a in
                    for row in rows {
                        let stats = runStats[row["dex"]?.string ?? ""]
                        a.object { h in
                            h.key("dex_name"); (row["dex"] ?? .null).write(to: &h)
                            h.field("is_healthy", row["status"]?.string == "healthy")
                            h.key("last_successful_fetch"); (row["last_successful_fetch"] ?? .null).write(to: &h)
                            h.key("consecutive_errors"); (row["consecutive_errors"] ?? .null).write(to: &h)
                            h.key("error_rate_percent"); (stats?["error_rate_percent"] ?? .null).write(to: &h)
                            h.key("avg_collection_latency_ms")
                            (stats?["avg_collection_latency_ms"] ?? .null).write(to: &h)
                            h.key("runs_24h"); (stats?["runs_24h"] ?? .null).write(to: &h)
                            h.key("status"); (row["status"] ?? .null).write(to: &h)
                            h.key("last_run_status"); (row["last_run_status"] ?? .null).write(to: &h)
                        }
                    }
                }
                o.field("uptime_seconds", uptime)
                o.field("total_requests", requests)
                o.field("cache_hit_rate", lookups > 0 ? Double(cache.hits + cache.stale) / Double(lookups) : nil)
                o.field("oldest_data_age_seconds", ages.max())
                o.field("last_collection_time", lastRun)
                o.field("reasons", strings: reasons)
                o.field("database", database)
                o.key("ingest")
                if let ingest {
                    o.object { i in
                        i.field("buffered_cycles", ingest.bufferedCycles)
                        i.field("last_write_at", ingest.lastWriteAt)
                        i.field("last_write_error", ingest.lastWriteError)
                        i.field("is_leader", ingest.isLeader)
                        i.field("cycles_dropped", ingest.cyclesDropped)
                        i.field("interval_seconds", Double(ingest.interval.wholeMilliseconds) / 1000)
                        i.field("stuck", ingest.isStuck(now: now, since: deps.metrics.started))
                    }
                } else {
                    o.null()
                }
                o.key("dexes")
                o.object { d in
                    for row in rows {
                        d.key(row["dex"]?.string ?? "")
                        d.object { h in
                            for key in ["status", "markets", "newest_data", "data_age_seconds", "last_successful_fetch",
                                        "consecutive_errors", "last_error", "last_error_at", "last_run_at",
                                        "last_run_status"] {
                                h.key(key)
                                (row[key] ?? .null).write(to: &h)
                            }
                        }
                    }
                }
                o.field("last_collection", lastRun)
                o.key("replica")
                o.object { r in
                    r.field("in_recovery", replica?.inRecovery)
                    r.field("replay_lag_seconds", replica?.lagSeconds)
                }
                if let report {
                    o.field("memory_resident_bytes", report.residentBytes)
                    o.key("websocket_clients")
                    o.object { c in
                        for (name, count) in report.clients { c.field(name, count) }
                    }
                    o.key("data_quality")
                    if let coverage = report.coverage { coverage.write(to: &o) } else { o.null() }
                }
            }
        }
    }

    /// What `GET /api/status` adds to the health answer.
    struct StatusDetail {
        var residentBytes: Int?
        var clients: [(String, Int)]
        var coverage: ResultRow?
    }

    func statusDetail() async -> StatusDetail {
        let hub = await deps.hub.summary()
        let prices = await deps.priceHub.clients()
        let boards = await deps.leaderboardHub.clients()
        // Nil when the database does not answer: the health fields already say so.
        let coverage = try? await deps.database.dataCoverage()
        return StatusDetail(residentBytes: Self.residentBytes(),
                            clients: [("funding_rates", hub.rateClients), ("opportunities", hub.opportunityClients),
                                      ("prices", prices.prices), ("price_spreads", prices.spreads),
                                      ("leaderboards", boards)],
                            coverage: coverage)
    }

    /// The process's resident memory (Linux `/proc/self/statm`), nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func metricsSummary() async -> Response {
        let routes = deps.metrics.routeSummaries()
        let hub = await deps.hub.summary()
        let prices = await deps.priceHub.clients()
        let boards = await deps.leaderboardHub.clients()
        let recent = deps.metrics.lastMinute()
        let cacheSummary = deps.cache.summary
        return Response.json { w in
            w.object { o in
                // The design document's SystemMetrics.
                o.field("requests_per_minute", recent.requests)
                o.field("avg_response_time_ms", recent.requests > 0 ? recent.seconds / Double(recent.requests) * 1000 : nil)
                o.field("cache_size_mb", Double(cacheSummary.bytes) / 1_048_576)
                o.field("database_connections", deps.database.poolMetrics.leasedCount("reader")
                        + deps.database.poolMetrics.leasedCount("writer"))
                o.field("active_websockets", hub.rateClients + hub.opportunityClients + prices.prices + prices.spreads
                        + boards)
                o.field("uptime_seconds", Date().timeIntervalSince(deps.metrics.started))
                o.key("requests")
                o.object { r in
                    for (key, s) in routes.sorted(by: { $0.key < $1.key }) {
                        r.key(key)
                        r.object { x in
                            x.field("count", s.requests)
                            x.field("errors", s.errors)
                            x.field("mean_ms", s.requests > 0 ? s.totalSeconds / Double(s.requests) * 1000 : nil)
                            x.field("max_ms", s.maxSeconds * 1000)
                        }
                    }
                }
                o.field("requests_total", routes.values.reduce(0) { $0 + $1.requests })
                o.key("streams")
                o.object { s in
                    s.field("funding_rate_clients", hub.rateClients)
                    s.field("opportunity_clients", hub.opportunityClients)
                    s.field("price_clients", prices.prices)
                    s.field("price_spread_clients", prices.spreads)
                    s.field("leaderboard_clients", boards)
                    s.field("clients_dropped_slow", hub.droppedSlow)
                    s.field("cycles_seen", hub.cycles)
                    s.field("notifications_refused", hub.noticesRefused)
                    s.field("frames_sent", hub.framesSent)
                    s.key("last_cycle")
                    if let notice = hub.lastCycle { notice.write(to: &s) } else { s.null() }
                }
                let cache = deps.cache.summary
                o.key("response_cache")
                o.object { c in
                    c.field("ttl_ms", Int(deps.cache.ttl.wholeMilliseconds))
                    c.field("entries", cache.entries)
                    c.field("bytes", cache.bytes)
                    c.field("hits", cache.hits)
                    c.field("stale", cache.stale)
                    c.field("misses", cache.misses)
                    c.field("shared", cache.shared)
                }
                o.key("database_pool")
                o.object { p in
                    p.field("role", "fundingd_reader")
                    p.field("max_connections", deps.settings.readerPoolSize)
                    p.field("statement_timeout_ms", deps.settings.statementTimeoutMs)
                    p.field("queries_in_flight", deps.database.poolMetrics.snapshot["reader"] ?? 0)
                }
            }
        }
    }
}
