import Configuration
import Foundation
import FundingAPI
import FundingStore

extension FundingConfig {
    /// The API's settings: `FUNDINGD_HTTP_HOST` (127.0.0.1), `FUNDINGD_HTTP_PORT` (8000), `FUNDINGD_ADMIN_TOKEN`
    /// (unset: admin routes answer 403), `FUNDINGD_API_STATEMENT_TIMEOUT_MS` (5000), `FUNDINGD_API_POOL_SIZE` (8), `FUNDINGD_API_PLAN_CACHE_MODE` (force_custom_plan),
    /// `FUNDINGD_API_CACHE_TTL_MS` (1000; 0 turns the response cache off),
    /// `FUNDINGD_WS_QUEUE_SIZE` (256 frames), `FUNDINGD_WS_QUEUE_BYTES` (8388608),
    /// `FUNDINGD_WS_WRITE_TIMEOUT_MS` (10000), `FUNDINGD_WS_PING_SECONDS` (30),
    /// `FUNDINGD_WS_LEADERBOARD_SECONDS` (5: how often subscribed boards are re-ranked), `FUNDINGD_OPENAPI_PATH`
    /// (default `docs/openapi.json` next to `schema/`), `FUNDINGD_API_DB_CHECKOUT_TIMEOUT_MS` (1000),
    /// `FUNDINGD_API_DB_CIRCUIT_OPEN_MS` (2000), `FUNDINGD_HTTP_IDLE_TIMEOUT_SECONDS` (60),
    /// `FUNDINGD_HTTP_REQUEST_TIMEOUT_SECONDS` (15), `FUNDINGD_HTTP_CORS_ORIGINS` (comma-separated origins or `*`;
    /// unset: no CORS), `FUNDINGD_HTTP_UI` (`on` | `off`: the dashboard at `/`), `FUNDINGD_WEB_DIR` (default `web/`
    /// next to `schema/`).
    public func apiSettings(host: String? = nil, port: Int? = nil) throws -> APISettings {
        var s = APISettings()
        s.host = host ?? reader.string(forKey: "fundingd.http.host", default: "127.0.0.1")
        s.port = port ?? reader.int(forKey: "fundingd.http.port", default: 8000)
        guard (0...65535).contains(s.port) else {
            throw ConfigError(key: "FUNDINGD_HTTP_PORT", message: "must be between 0 and 65535")
        }
        if let token = reader.string(forKey: "fundingd.admin.token"), !token.isEmpty {
            if let weakness = Self.adminTokenWeakness(token) {
                throw ConfigError(key: "FUNDINGD_ADMIN_TOKEN", message: weakness)
            }
            s.adminToken = token
        }
        s.statementTimeoutMs = max(1, reader.int(forKey: "fundingd.api.statement.timeout.ms", default: 5000))
        s.readerPoolSize = max(1, reader.int(forKey: "fundingd.api.pool.size", default: 8))
        s.planCacheMode = reader.string(forKey: "fundingd.api.plan.cache.mode", default: "force_custom_plan")
        guard ["auto", "force_custom_plan", "force_generic_plan"].contains(s.planCacheMode) else {
            throw ConfigError(key: "FUNDINGD_API_PLAN_CACHE_MODE", message: "auto, force_custom_plan or force_generic_plan")
        }
        let cacheTTL = reader.int(forKey: "fundingd.api.cache.ttl.ms", default: 1000)
        guard (0...60_000).contains(cacheTTL) else {
            throw ConfigError(key: "FUNDINGD_API_CACHE_TTL_MS", message: "must be between 0 (off) and 60000")
        }
        s.responseCacheTTL = .milliseconds(cacheTTL)
        s.webSocketQueueSize = max(1, reader.int(forKey: "fundingd.ws.queue.size", default: 256))
        s.webSocketQueueBytes = max(1024, reader.int(forKey: "fundingd.ws.queue.bytes", default: 8 << 20))
        s.webSocketWriteTimeout = .milliseconds(max(100, reader.int(forKey: "fundingd.ws.write.timeout.ms", default: 10_000)))
        s.webSocketPingSeconds = max(1, reader.int(forKey: "fundingd.ws.ping.seconds", default: 30))
        s.leaderboardPushInterval = .seconds(try bounded("fundingd.ws.leaderboard.seconds", 5, 1...3600,
                                                         key: "FUNDINGD_WS_LEADERBOARD_SECONDS"))
        s.databaseCheckoutTimeout = .milliseconds(try bounded("fundingd.api.db.checkout.timeout.ms", 1000, 50...60_000,
                                                                key: "FUNDINGD_API_DB_CHECKOUT_TIMEOUT_MS"))
        s.databaseCircuitOpen = .milliseconds(try bounded("fundingd.api.db.circuit.open.ms", 2000, 0...600_000,
                                                            key: "FUNDINGD_API_DB_CIRCUIT_OPEN_MS"))
        s.httpIdleTimeout = .seconds(try bounded("fundingd.http.idle.timeout.seconds", 60, 1...86_400,
                                                 key: "FUNDINGD_HTTP_IDLE_TIMEOUT_SECONDS"))
        s.httpRequestTimeout = .seconds(try bounded("fundingd.http.request.timeout.seconds", 15, 1...3600,
                                                    key: "FUNDINGD_HTTP_REQUEST_TIMEOUT_SECONDS"))
        s.corsOrigins = (reader.string(forKey: "fundingd.http.cors.origins") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        s.openAPIPath = reader.string(forKey: "fundingd.openapi.path")
            ?? SQLSource.locate()?.root.appendingPathComponent("docs/openapi.json").path
        switch reader.string(forKey: "fundingd.http.ui", default: "on").lowercased() {
        case "on":
            s.webRoot = reader.string(forKey: "fundingd.web.dir")
                ?? SQLSource.locate()?.root.appendingPathComponent("web").path
        case "off":
            s.webRoot = nil
        default:
            throw ConfigError(key: "FUNDINGD_HTTP_UI", message: "on or off")
        }
        return s
    }

    /// An integer setting within `range`, else a configuration error naming `key`.
    private func bounded(_ name: String, _ defaultValue: Int, _ range: ClosedRange<Int>, key: String) throws -> Int {
        let v = reader.int(forKey: ConfigKey(name), default: defaultValue)
        guard range.contains(v) else {
            throw ConfigError(key: key, message: "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return v
    }

    /// Why an admin token is too weak to accept, or nil: at least 16 characters, not all whitespace, not one
    /// character repeated.
    public static func adminTokenWeakness(_ token: String) -> String? {
        if token.count < 16 { return "must be at least 16 characters" }
        if token.allSatisfy(\.isWhitespace) { return "must not be all whitespace" }
        if Set(token).count == 1 { return "must not be one character repeated" }
        return nil
    }

    /// The API's read-only database: `DATABASE_READER_URL`, else `DATABASE_URL` as given, else the local
    /// cluster's `fundingd_reader`.
    public func readerURL() throws -> DatabaseURL {
        if let url = reader.string(forKey: "database.reader.url"), !url.isEmpty {
            do { return try DatabaseURL(url) } catch { throw ConfigError(key: "DATABASE_READER_URL", message: "\(error)") }
        }
        return try databaseURL ?? LocalCluster().url(role: .reader)
    }

    /// The admin route's database (`set_dex_fees`): `DATABASE_OPERATOR_URL`, else `DATABASE_URL`, else the local
    /// `fundingd_operator`, the role that may call `set_dex_fees` and nothing else (the collector's
    /// `fundingd_writer` may not change fees).
    public func operatorURL() throws -> DatabaseURL {
        if let url = reader.string(forKey: "database.operator.url"), !url.isEmpty {
            do { return try DatabaseURL(url) } catch { throw ConfigError(key: "DATABASE_OPERATOR_URL", message: "\(error)") }
        }
        return try databaseURL ?? LocalCluster().url(role: .operator)
    }

    /// The connection the API listens for cycle notifications on: `DATABASE_LISTEN_URL`, else the reader URL. It
    /// must reach the primary (a hot standby refuses LISTEN), so with `DATABASE_READER_URL` on a replica set it
    /// to a reader login on the primary.
    public func listenURL() throws -> DatabaseURL {
        if let url = reader.string(forKey: "database.listen.url"), !url.isEmpty {
            do { return try DatabaseURL(url) } catch { throw ConfigError(key: "DATABASE_LISTEN_URL", message: "\(error)") }
        }
        return try readerURL()
    }

    /// How long, after a cycle notification, the API waits for a hot-standby reader to replay that cycle before
    /// pushing and dropping its cache anyway (`FUNDINGD_REPLICA_WAIT_SECONDS`, default 5, 0.1 to 600).
    public func replicaWait() throws -> Duration {
        let seconds = reader.double(forKey: "fundingd.replica.wait.seconds", default: 5)
        guard seconds >= 0.1, seconds <= 600 else {
            throw ConfigError(key: "FUNDINGD_REPLICA_WAIT_SECONDS", message: "must be between 0.1 and 600, got \(seconds)")
        }
        return .milliseconds(Int64(seconds * 1000))
    }
}
