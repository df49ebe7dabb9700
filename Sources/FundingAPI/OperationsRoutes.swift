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

    /// healthy when every active dex is; unhealthy when none is usable (or the database does not answer);
    /// degraded otherwise. 503 only when unhealthy.
    func health() async throws -> Response {
        let uptime = Date().timeIntervalSince(deps.metrics.started)
        let rows: [ResultRow]
        do {
            rows = try await deps.database.dexHealth()
        } catch let error as APIError where error.status == .serviceUnavailable {
            return Response.json(status: .serviceUnavailable) { w in
                w.object { o in
                    o.field("status", "unhealthy")
                    o.field("database", "unavailable")
                    o.key("dexes"); o.object { _ in }
                    o.field("oldest_data_age_seconds", nil as Double?)
                    o.field("last_collection", nil as Date?)
                    o.field("uptime_seconds", uptime)
                }
            }
        }
        // On a hot standby (DATABASE_READER_URL) the data is as old as the replay lag.
        let replica = try? await deps.database.replicaStatus()
        let statuses = rows.compactMap { $0["status"]?.string }
        let overall: String
        if !statuses.isEmpty, statuses.allSatisfy({ $0 == "healthy" }) {
            overall = "healthy"
        } else if statuses.isEmpty || statuses.allSatisfy({ $0 == "unhealthy" }) {
            overall = "unhealthy"
        } else {
            overall = "degraded"
        }
        let ages = rows.compactMap { $0["data_age_seconds"]?.double }
        let lastRun = rows.compactMap { row -> Date? in
            if case .date(let d)? = row["last_run_at"] { return d }
            return nil
        }.max()
        return Response.json(status: overall == "unhealthy" ? .serviceUnavailable : .ok) { w in
            w.object { o in
                o.field("status", overall)
                o.field("database", "ok")
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
                o.field("oldest_data_age_seconds", ages.max())
                o.field("last_collection", lastRun)
                o.field("uptime_seconds", uptime)
                o.key("replica")
                o.object { r in
                    r.field("in_recovery", replica?.inRecovery)
                    r.field("replay_lag_seconds", replica?.lagSeconds)
                }
            }
        }
    }

    func metricsSummary() async -> Response {
        let routes = deps.metrics.routeSummaries()
        let hub = await deps.hub.summary()
        return Response.json { w in
            w.object { o in
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
