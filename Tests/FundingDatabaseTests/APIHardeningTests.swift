import Foundation
@testable import FundingAPI
import FundingApp
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import PostgresNIO
import Testing

/// A fake ingest writer for the health route.
struct FakeIngestStatus: IngestStatusProviding {
    var status: IngestStatus
    func ingestStatus() async -> IngestStatus { status }
}

@Suite("HTTP API: hostile and misspelled input")
struct APIHardeningTests {
    @Test("an unknown query parameter is a 400 naming it on every route", .timeLimit(.minutes(2)))
    func unknownParameters() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, deps in
            let routes = deps.routeTable.routes
            #expect(routes.count >= 20)
            for route in routes {
                let path = route.path.replacingOccurrences(of: "{dex}", with: "binance")
                    .replacingOccurrences(of: "{symbol}", with: "BTC")
                let r = try await client.call(path + "?no_such_param=1&min_volum=0",
                                              method: HTTPRequest.Method(route.method)!)
                #expect(r.status == .badRequest, "\(route.method) \(path): \(r.text)")
                #expect(r.errorCode == "unknown_parameter", "\(route.method) \(path)")
                #expect(r.errorMessage?.hasPrefix("min_volum, no_such_param: unknown parameters") == true,
                        "\(route.method) \(path): \(r.text)")
            }
            // The document's names are known: min_volume (= min_volume_24h), sort_by=net_profit_percent.
            let doc = try await client.call("/api/v1/opportunities?min_volume=0&sort_by=net_profit_percent&min_profit=-1")
            #expect(doc.status == .ok, "\(doc.text)")
            #expect(double(dig(try doc.json, "filters_applied", "min_volume_24h")) == 0)
            #expect((try doc.json["total_count"] as? Int) ?? 0 >= 4)
            let both = try await client.call("/api/v1/opportunities?min_volume=0&min_volume_24h=0")
            #expect(both.status == .badRequest)
            #expect(both.errorMessage?.contains("min_volume") == true)
        }
    }

    @Test("NUL bytes, impossible dates and non-decimal numbers are 400s, not 500s", .timeLimit(.minutes(2)))
    func hostileValues() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let h = "/api/v1/history/funding-rates/binance/BTC"
            let cases: [(String, String)] = [
                ("/api/v1/funding-rates?quote=US%00DT", "quote"),
                ("/api/v1/funding-rates/binance?quote=%00", "quote"),
                ("/api/v1/rankings/funding?quote=x%00", "quote"),
                ("/api/v1/opportunities?quote=%00USDT", "quote"),
                ("/api/v1/funding-rates/binance%00/BTC", "dex"),
                ("\(h)?start_time=2026-02-30", "start_time"),
                ("\(h)?start_time=2025-02-29T00:00:00Z", "start_time"),
                ("\(h)?start_time=2026-01-01T25:00:00Z", "start_time"),
                ("\(h)?start_time=2026-01-01T10:61:00Z", "start_time"),
                ("\(h)?start_time=2026-01-01T00:00:00%2B99:00", "start_time"),
                ("\(h)?end_time=2026-13-01", "end_time"),
                ("/api/v1/opportunities?min_volume=0x10", "min_volume"),
                ("/api/v1/opportunities?min_divergence=nan", "min_divergence"),
                ("/api/v1/opportunities?min_profit=inf", "min_profit"),
                ("/api/v1/opportunities?limit=0x10", "limit"),
                ("/api/v1/opportunities?hold_hours=1_0", "hold_hours"),
                ("/api/v1/history/opportunities?limit=%2B0x1", "limit"),
            ]
            for (uri, name) in cases {
                let r = try await client.call(uri)
                #expect(r.status == .badRequest, "\(uri): \(r.text)")
                #expect(r.errorMessage?.hasPrefix(name) == true, "\(uri): \(r.text)")
            }
            // Valid forms still pass: leap day, offsets, fractions, exponents.
            for uri in ["\(h)?start_time=2024-02-29T00:00:00Z&end_time=2024-03-01", "\(h)?start_time=2026-01-01T00:00:00%2B05:30",
                        "/api/v1/opportunities?min_volume=1e5&min_profit=-.5", "\(h)?period=1d&end_time=1764547200"] {
                let r = try await client.call(uri)
                #expect(r.status == .ok, "\(uri): \(r.text)")
            }
        }
    }

    @Test("strict timestamps: each field on the calendar, offsets applied", .timeLimit(.minutes(1)))
    func timestamps() {
        // 2024-02-29T12:00:00+05:30 = 06:30 UTC = 1709188200 (2024-02-29T00:00Z is 1709164800; + 6.5 h = 23,400 s).
        #expect(QueryReader.parseDate("2024-02-29T12:00:00+05:30")?.timeIntervalSince1970 == 1_709_188_200)
        #expect(QueryReader.parseDate("2024-02-29")?.timeIntervalSince1970 == 1_709_164_800)
        #expect(QueryReader.parseDate("2024-02-29T00:00:00.250Z")?.timeIntervalSince1970 == 1_709_164_800.25)
        for bad in ["2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-00-10", "2026-01-01T24:00:00Z",
                    "2026-01-01T00:00:60Z", "2026-01-01T00:00:00+19:00", "2026-01-01T00:00:00+05:60", "2026-1-1",
                    "2026-01-01T00:00:00Zjunk", "0x10", "nan"] {
            #expect(QueryReader.parseDate(bad) == nil, "\(bad)")
        }
        #expect(QueryReader.decimal("0x10") == nil)
        #expect(QueryReader.decimal("1e3") == 1000)
        #expect(QueryReader.decimal("-.5") == -0.5)
        #expect(QueryReader.decimal("5.") == 5)
        #expect(QueryReader.decimal("1e400") == nil)
    }

    @Test("wrong method → 405 with Allow; oversized, non-JSON and unknown-field admin bodies → 413, 415, 400",
          .timeLimit(.minutes(2)))
    func methodsAndBodies() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let post = try await client.call("/api/v1/dexes", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET, HEAD")
            #expect(post.errorCode == "method_not_allowed")
            let get = try await client.call("/api/v1/admin/dexes/binance/fees")
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "PUT")
            let delete = try await client.call("/api/v1/funding-rates/binance/BTC", method: .delete)
            #expect(delete.status == .methodNotAllowed)
            #expect(try await client.call("/api/v1/no/such/route", method: .post).status == .notFound)

            let auth: HTTPFields = [.authorization: "Bearer \(testAdminToken)", .contentType: "application/json"]
            let url = "/api/v1/admin/dexes/binance/fees"
            let huge = #"{"maker_fee": 0.0001, "taker_fee": 0.0003, "x": ""# + String(repeating: "a", count: 70_000) + #""}"#
            let big = try await client.call(url, method: .put, headers: auth, body: huge)
            #expect(big.status == .contentTooLarge, "\(big.text.prefix(200))")
            #expect(big.errorCode == "body_too_large")
            let text = try await client.call(url, method: .put,
                                             headers: [.authorization: "Bearer \(testAdminToken)", .contentType: "text/plain"],
                                             body: #"{"maker_fee": 0.0001, "taker_fee": 0.0003}"#)
            #expect(text.status == .unsupportedMediaType)
            let form = try await client.call(url, method: .put, headers: [
                .authorization: "Bearer \(testAdminToken)", .contentType: "application/x-www-form-urlencoded"],
                body: #"{"maker_fee": 0.0001, "taker_fee": 0.0003}"#)
            #expect(form.status == .unsupportedMediaType)
            // No Content-Type at all is read as JSON (here an invalid one: 400, not 415).
            let untyped = try await client.call(url, method: .put, headers: [.authorization: "Bearer \(testAdminToken)"],
                                                body: #"{"maker_fee": 0.5, "taker_fee": 0.0003}"#)
            #expect(untyped.status == .badRequest)
            let unknown = try await client.call(url, method: .put, headers: auth,
                                                body: #"{"maker_fee": 0.0001, "taker_fee": 0.0003, "maker_fees": 1}"#)
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorMessage?.hasPrefix("maker_fees") == true)
            let both = try await client.call(url, method: .put, headers: auth,
                                             body: #"{"maker_fee": 0.0001, "maker_fee_percent": 0.0001, "taker_fee": 0.0003}"#)
            #expect(both.status == .badRequest)
            let contradiction = try await client.call(url, method: .put, headers: auth,
                                                      body: #"{"maker_fee_percent": 0.0001, "taker_fee_percent": 0.0003, "has_fee_tiers": true}"#)
            #expect(contradiction.status == .badRequest)
            #expect(contradiction.errorMessage?.hasPrefix("fee_tiers") == true)
            let gap = try await client.call(url, method: .put, headers: auth, body: #"""
                {"maker_fee_percent": 0.0001, "taker_fee_percent": 0.0003, "has_fee_tiers": true, "fee_tiers": [
                 {"min_volume_30d": 0, "max_volume_30d": 5, "maker_fee": 0, "taker_fee": 0},
                 {"min_volume_30d": 10, "max_volume_30d": null, "maker_fee": 0, "taker_fee": 0}]}
                """#)
            #expect(gap.status == .badRequest)
            #expect(gap.errorMessage?.hasPrefix("fee_tiers[0].max_volume_30d") == true)
        }
    }

    @Test("the admin token is checked for strength at start-up")
    func adminTokenStrength() throws {
        #expect(FundingConfig.adminTokenWeakness("short") != nil)
        #expect(FundingConfig.adminTokenWeakness(String(repeating: " ", count: 16)) != nil)
        #expect(FundingConfig.adminTokenWeakness(String(repeating: "\t ", count: 10)) != nil)
        #expect(FundingConfig.adminTokenWeakness(String(repeating: "a", count: 40)) != nil)
        #expect(FundingConfig.adminTokenWeakness("test-admin-token-0123456789") == nil)
        for weak in [String(repeating: " ", count: 16), String(repeating: "x", count: 32)] {
            let config = try FundingConfig(environment: ["FUNDINGD_ADMIN_TOKEN": weak])
            #expect(throws: ConfigError.self) { try config.apiSettings() }
        }
    }

    @Test("CORS: off by default; listed origins get headers and an answered preflight", .timeLimit(.minutes(2)))
    func cors() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let r = try await client.call("/api/v1/dexes", headers: [.origin: "https://dash.example"])
            #expect(r.headers[.accessControlAllowOrigin] == nil)
        }
        try await withRouter(db, extra: ["FUNDINGD_HTTP_CORS_ORIGINS": "https://dash.example, https://other.example"]) {
            client, _ in
            let r = try await client.call("/api/v1/dexes", headers: [.origin: "https://dash.example"])
            #expect(r.status == .ok)
            #expect(r.headers[.accessControlAllowOrigin] == "https://dash.example")
            let preflight = try await client.call("/api/v1/admin/dexes/binance/fees", method: .options, headers: [
                .origin: "https://other.example", .accessControlRequestMethod: "PUT",
            ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://other.example")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("PUT") == true)
            let stranger = try await client.call("/api/v1/dexes", headers: [.origin: "https://evil.example"])
            #expect(stranger.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test("health: a dex whose last run was partial is degraded; a stuck ingest writer makes it unhealthy",
          .timeLimit(.minutes(2)))
    func healthStates() async throws {
        // Shared with the contract test, which changes only fees (health does not depend on them).
        let db = try await MutableFixtureDatabase.shared.get()
        try await withAPIDependencies(db) { base in
            var deps = base
            let now = Date()
            deps.ingestStatus = FakeIngestStatus(status: IngestStatus(
                bufferedCycles: 1, lastWriteAt: now.addingTimeInterval(-30), lastWriteError: nil, isLeader: true,
                cyclesDropped: 0, interval: .seconds(60)))
            try await Application(router: buildRouter(deps)).test(.router) { client in
                let ok = try await client.call("/api/v1/health")
                #expect(ok.status == .ok)
                // Degraded, not healthy: several venues' recordings lack an answer, so their runs are partial.
                #expect(try ok.json["status"] as? String == "degraded")
                #expect((dig(try ok.json, "ingest", "buffered_cycles") as? Int) == 1)
                #expect(dig(try ok.json, "ingest", "stuck") as? Bool == false)
            }
            // 3 buffered cycles, the last write 200 s ago, interval 60 s: 200 > 3 × 60.
            deps.ingestStatus = FakeIngestStatus(status: IngestStatus(
                bufferedCycles: 3, lastWriteAt: now.addingTimeInterval(-200), lastWriteError: "connection reset",
                isLeader: true, cyclesDropped: 0, interval: .seconds(60)))
            try await Application(router: buildRouter(deps)).test(.router) { client in
                let stuck = try await client.call("/api/v1/health")
                #expect(stuck.status == .serviceUnavailable)
                let h = try stuck.json
                #expect(h["status"] as? String == "unhealthy")
                #expect((h["reasons"] as? [String])?.contains { $0.contains("ingest writer stuck") && $0.contains("connection reset") } == true)
            }
        }
        // A partial last run: degraded, and the dex is not healthy in dex_health.
        try await db.with(try db.ownerURL) { c in
            try await c.exec("""
                INSERT INTO collection_runs (dex, started_at, finished_at, status, markets_ok, markets_rejected, error, latency_ms)
                VALUES ('binance', now(), now(), 'partial', 10, 0, 'open interest requests failed', 300)
                """)
        }
        try await withRouter(db) { client, _ in
            let h = try await client.call("/api/v1/health")
            #expect(h.status == .ok)
            let j = try h.json
            #expect(j["status"] as? String == "degraded")
            let binance = firstRow(j["dex_health"], where: "dex_name", is: "binance")
            #expect(binance["is_healthy"] as? Bool == false)
            #expect(binance["last_run_status"] as? String == "partial")
            // 2 runs in 24 h (the fixture cycle's success and this partial): 50 % not a full success.
            #expect(double(binance["error_rate_percent"]) == 50)
            #expect((j["reasons"] as? [String])?.contains { $0.hasPrefix("binance is degraded") } == true)
        }
    }
}

@Suite("HTTP API with the database away")
struct DatabaseAwayTests {
    /// API dependencies whose reader pool points at a port nothing listens on.
    static func awayDependencies(checkout: Duration = .seconds(2)) throws -> (APIDependencies, PostgresClient) {
        let logger = Logger(label: "db-away")
        let config = PostgresClient.Configuration(host: "127.0.0.1", port: 1, username: "fundingd_reader",
                                                  password: nil, database: "none", tls: .disable)
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        var settings = APISettings()
        settings.port = 0
        let database = APIDatabase(reader: client, writer: nil, logger: logger, checkoutTimeout: checkout,
                                   circuit: DatabaseCircuit(openDuration: .seconds(5)))
        return (APIDependencies(database: database, settings: settings, logger: logger), client)
    }

    @Test("every read route answers 503 fast; the circuit answers at once; health says why within a second",
          .timeLimit(.minutes(1)))
    func failFast() async throws {
        let (deps, client) = try Self.awayDependencies()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await Application(router: buildRouter(deps)).test(.router) { http in
                // The first calls (10 at once) wait for the checkout deadline (2 s) and open the circuit.
                let start = ContinuousClock.now
                let firsts = try await withThrowingTaskGroup(of: String?.self) { calls in
                    for _ in 0..<10 { calls.addTask { try await http.call("/api/v1/funding-rates").errorCode } }
                    return try await calls.reduce(into: [String?]()) { $0.append($1) }
                }
                #expect(firsts.allSatisfy { $0 == "database_unavailable" }, "\(firsts)")
                // About the deadline; generous, as timers fire late on a loaded machine.
                #expect(ContinuousClock.now - start < .seconds(20))
                // Then every route answers at once, 40 requests at a time: no pile-up.
                let routes = deps.routeTable.routes.filter { $0.method == "GET" && !$0.path.contains("/ws/")
                    && !["/metrics", "/openapi.json", "/api/v1/metrics"].contains($0.path) }
                let burstStart = ContinuousClock.now
                try await withThrowingTaskGroup(of: (String, HTTPResponse.Status, Duration).self) { calls in
                    for i in 0..<40 {
                        let route = routes[i % routes.count]
                        let path = route.path.replacingOccurrences(of: "{dex}", with: "binance")
                            .replacingOccurrences(of: "{symbol}", with: "BTC")
                            + (route.path.hasSuffix("/compare") ? "?dex1=binance&dex2=okx" : "")
                            + (route.path.hasSuffix("/price-spreads/history")
                               ? "?symbol=BTC&long_dex=binance&short_dex=okx" : "")
                        calls.addTask {
                            let t = ContinuousClock.now
                            let r = try await http.call(path)
                            return (path, r.status, ContinuousClock.now - t)
                        }
                    }
                    for try await (path, status, elapsed) in calls {
                        #expect(status == .serviceUnavailable, "\(path)")
                        // Answered by the open circuit: far below the 2 s checkout deadline.
                        #expect(elapsed < .seconds(1), "\(path): \(elapsed)")
                    }
                }
                #expect(ContinuousClock.now - burstStart < .seconds(2))
                let healthStart = ContinuousClock.now
                let health = try await http.call("/api/v1/health")
                #expect(ContinuousClock.now - healthStart < .seconds(1))
                #expect(health.status == .serviceUnavailable)
                let h = try health.json
                #expect(h["status"] as? String == "unhealthy")
                #expect(h["database"] as? String == "unavailable")
                #expect((h["reasons"] as? [String])?.first?.contains("database is unavailable") == true)
                #expect(deps.database.circuit.trips == 1)
            }
        }
    }

    @Test("a WebSocket client stays connected while the database is away", .timeLimit(.minutes(1)))
    func webSocketStays() async throws {
        let (deps, client) = try Self.awayDependencies()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await buildAPIApplication(deps).test(.live) { http in
                let port = http.port!
                try await withTimeout(30) {
                    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/funding-rates",
                                                      logger: Logger(label: "ws-away")) { inbound, outbound, _ in
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        try await outbound.write(.text(#"{"action":"subscribe","filters":{"symbols":["BTC"]}}"#))
                        let error = try frame(try await messages.next())
                        #expect(error["type"] as? String == "error")
                        #expect(dig(error, "error", "code") as? String == "database_unavailable")
                        try await outbound.write(.text(#"{"action":"ping"}"#))
                        #expect(try frame(try await messages.next())["type"] as? String == "pong")
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
        }
    }
}

@Suite("HTTP API with every connection busy")
struct BusyPoolTests {
    @Test("a saturated pool answers 503 database_busy and does not open the circuit", .timeLimit(.minutes(2)))
    func busyIsNotAway() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withAPIDependencies(db, extra: ["FUNDINGD_API_POOL_SIZE": "1",
                                                  "FUNDINGD_API_DB_CHECKOUT_TIMEOUT_MS": "500"]) { deps in
            // Warm the pool's one connection first: on a loaded machine opening it can take longer than the
            // checkout deadline (which the service then reports as unavailable: see docs/api.md).
            let warm = ContinuousClock.now + .seconds(30)
            while (try? await deps.database.rows("SELECT 1") { _ in 0 }) == nil, ContinuousClock.now < warm {
                try await Task.sleep(for: .milliseconds(600))
            }
            let tripsBefore = deps.database.circuit.trips
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The pool's one connection sleeps 4 s (under the 5 s statement timeout).
                group.addTask { _ = try await deps.database.rows("SELECT pg_sleep(4)") { _ in 0 } }
                let deadline = ContinuousClock.now + .seconds(3)
                while deps.database.poolMetrics.leasedCount("reader") == 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(deps.database.poolMetrics.leasedCount("reader") == 1)
                try await Application(router: buildRouter(deps)).test(.router) { client in
                    let r = try await client.call("/api/v1/dexes")
                    #expect(r.status == .serviceUnavailable)
                    #expect(r.errorCode == "database_busy")
                }
                #expect(deps.database.circuit.trips == tripsBefore)
                try await group.waitForAll()
                try await Application(router: buildRouter(deps)).test(.router) { client in
                    let after = try await client.call("/api/v1/dexes")
                    #expect(after.status == .ok)
                }
            }
        }
    }
}

@Suite("HTTP connections: idle and request deadlines (live server)")
struct ConnectionDeadlineTests {
    @Test("idle connections close; slow heads, bad methods and huge URLs are answered, never held",
          .timeLimit(.minutes(2)))
    func deadlines() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withLiveAPI(db, environment: ["FUNDINGD_HTTP_IDLE_TIMEOUT_SECONDS": "1",
                                                "FUNDINGD_HTTP_REQUEST_TIMEOUT_SECONDS": "2"]) { port in
            // Connects and sends nothing: closed after the idle timeout.
            let idle = try await RawHTTP.exchange(port: port, [], readTimeout: 30)
            #expect(idle.closed)
            #expect(idle.seconds < 30)
            // Half a head, then silence: 408 after the request timeout.
            // (Bounds against a hold, not speed: the whole suite shares two cores.)
            let slow = try await RawHTTP.exchange(port: port, [Array("GET /api/v1/dexes HTTP/1.1\r\nHost: x\r\n".utf8)],
                                                  readTimeout: 30)
            #expect(slow.statusLine == "HTTP/1.1 408 Request Timeout", "\(slow.response.prefix(200))")
            #expect(slow.closed)
            #expect(slow.seconds < 30)
            // A complete request is answered, then the kept-alive connection closes when idle.
            let ok = try await RawHTTP.exchange(port: port, [Array("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)],
                                                readTimeout: 30)
            #expect(ok.statusLine.hasPrefix("HTTP/1.1 200"), "\(ok.response.prefix(200))")
            #expect(ok.closed)
            // Requests the HTTP decoder refuses are answered at once (not held until the request deadline).
            for (raw, status) in [
                ("FOO /api/v1/dexes HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request"),
                ("GET /api/v1/dexes HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 100_000))\r\n\r\n",
                 "HTTP/1.1 431 Request Header Fields Too Large"),
                ("GET /api/v1/dexes?x=\(String(repeating: "a", count: 80_000)) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                 "HTTP/1.1 400 Bad Request"),
            ] {
                let r = try await RawHTTP.exchange(port: port, [Array(raw.utf8)], readTimeout: 10)
                #expect(r.statusLine == status, "\(raw.prefix(40)): \(r.response.prefix(300))")
                #expect(r.closed)
                #expect(r.seconds < 1.5, "\(raw.prefix(40)): \(r.seconds) s")
            }
            // A 10 MB admin body: 413 without reading it all.
            let head = "PUT /api/v1/admin/dexes/binance/fees HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(testAdminToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
            let big = try await RawHTTP.exchange(port: port, [Array(head.utf8), [UInt8](repeating: 32, count: 1 << 20)],
                                                 readTimeout: 10)
            #expect(big.statusLine.hasPrefix("HTTP/1.1 413"), "\(big.response.prefix(200))")
        }
    }
}
