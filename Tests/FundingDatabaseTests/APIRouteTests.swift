import Foundation
import FundingAPI
import FundingApp
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// Binance BTCUSDT in the recordings: 0.00013062 per 8 h.
let btcRate = 0.00013062

@Suite("HTTP API on fixture-loaded data")
struct APIRouteTests {
    @Test("GET /funding-rates: symbol → dex → rate in every basis, metadata, filters")
    func fundingRates() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let native = try await client.call("/api/v1/funding-rates")
            #expect(native.status == .ok)
            let data = try native.json
            #expect(double(dig(data, "data", "BTC", "binance")) == btcRate)
            // Several markets of one symbol on one dex: the most liquid, else the first venue symbol (1000PEPEUSDC).
            #expect(double(dig(data, "data", "PEPE", "binance")) == 0.00026821)
            let usdt = try await client.call("/api/v1/funding-rates?quote=usdt&symbol=PEPE")
            #expect(double(dig(try usdt.json, "data", "PEPE", "binance")) == 0.0001)
            #expect(data["basis"] as? String == "native")
            #expect((data["updated_at"] as? String)?.hasSuffix("Z") == true)
            #expect(data["dex_metadata"] == nil)

            let hourly = try await client.call("/api/v1/funding-rates?basis=1h&dex=binance&symbol=BTC,ETH")
            let h = try hourly.json
            #expect(abs((double(dig(h, "data", "BTC", "binance")) ?? 0) - btcRate / 8) < 1e-15)
            #expect((h["data"] as? [String: Any])?.keys.sorted() == ["BTC", "ETH"])
            #expect((dig(h, "data", "BTC") as? [String: Any])?.keys.sorted() == ["binance"])

            let apr = try await client.call("/api/v1/funding-rates?basis=apr&symbol=BTC&include_metadata=true")
            let a = try apr.json
            #expect(abs((double(dig(a, "data", "BTC", "binance")) ?? 0) - btcRate / 8 * 8760 * 100) < 1e-9)
            #expect(dig(a, "dex_metadata", "binance", "kind") as? String == "cex")
            #expect(double(dig(a, "dex_metadata", "binance", "funding_interval_hours")) == 8)

            let eight = try await client.call("/api/v1/funding-rates?basis=8h&symbol=BTC")
            #expect(abs((double(dig(try eight.json, "data", "BTC", "binance")) ?? 0) - btcRate) < 1e-15)
            let day = try await client.call("/api/v1/funding-rates?basis=1d&symbol=BTC")
            #expect(abs((double(dig(try day.json, "data", "BTC", "binance")) ?? 0) - btcRate * 3) < 1e-15)
        }
    }

    @Test("GET /funding-rates/{dex} and /funding-rates/{dex}/{symbol} with prices, OI and age")
    func fundingRatesOfDex() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let dex = try await client.call("/api/v1/funding-rates/binance?symbol=BTC,PEPE&quote=USDT")
            #expect(dex.status == .ok)
            let d = try dex.json
            #expect(d["dex"] as? String == "binance")
            #expect(double(dig(d, "data", "BTC")) == btcRate)
            #expect(double(dig(d, "data", "PEPE")) == 0.0001)
            #expect((d["data"] as? [String: Any])?.count == 2)

            // Names are case-insensitive on the way in and canonical on the way out.
            let markets = try await client.call("/api/v1/funding-rates/Binance/btc")
            #expect(markets.status == .ok)
            let m = try markets.json
            #expect(m["symbol"] as? String == "BTC")
            let rows = m["markets"] as? [[String: Any]] ?? []
            let btcusdt = try #require(rows.first { $0["dex_symbol"] as? String == "BTCUSDT" })
            #expect(double(btcusdt["funding_rate"]) == btcRate)
            #expect(double(btcusdt["funding_interval_hours"]) == 8)
            #expect(double(btcusdt["mark_price"]) == 93951.8)
            #expect(abs((double(btcusdt["open_interest_usd"]) ?? 0) - 1_001_480_057.6662) < 1e-3)
            #expect(btcusdt["next_funding_time"] as? String == "2024-11-27T16:00:00Z")
            #expect((double(btcusdt["age_seconds"]) ?? -1) >= 0)

            // The multiplier market: prices per one PEPE.
            let pepe = try await client.call("/api/v1/funding-rates/binance/PEPE")
            let pepeMarkets = try pepe.json["markets"] as? [[String: Any]] ?? []
            #expect(pepeMarkets.compactMap { $0["dex_symbol"] as? String } == ["1000PEPEUSDC", "1000PEPEUSDT"])
            let p = pepeMarkets.first { $0["dex_symbol"] as? String == "1000PEPEUSDT" }
            #expect(abs((double(p?["mark_price"]) ?? 0) - 0.0000183524) < 1e-12)
        }
    }

    @Test("GET /dexes, /dexes/{dex}, /dexes/{dex}/symbols and /health")
    func dexesAndHealth() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let all = try await client.call("/api/v1/dexes")
            let list = try all.json["dexes"] as? [[String: Any]] ?? []
            #expect(list.count == expectedMarkets.count)
            #expect(Set(list.compactMap { $0["name"] as? String }) == Set(expectedMarkets.keys))
            for dex in list {
                let name = dex["name"] as? String ?? ""
                #expect((dex["markets"] as? Int) == expectedMarkets[name], "\(name)")
                // A partial run (the recordings lack some answers: see expectedStatuses) shows as degraded.
                let health = expectedStatuses[name] == "success" ? "healthy" : "degraded"
                #expect(dig(dex, "health", "status") as? String == health, "\(name)")
            }

            let binance = try await client.call("/api/v1/dexes/binance")
            let b = try binance.json
            #expect(b["kind"] as? String == "cex")
            #expect(double(b["taker_fee"]) != nil)
            #expect(dig(b, "health", "last_run_status") as? String == "success")
            #expect((dig(b, "health", "consecutive_errors") as? Int) == 0)
            // The design document's DEX fields: fractions under the `_percent` names, symbols, activity.
            #expect(double(dig(b, "fee_structure", "taker_fee_percent")) == double(b["taker_fee"]))
            #expect(dig(b, "fee_structure", "has_fee_tiers") as? Bool == ((b["fee_tiers"] as? [Any])?.isEmpty == false))
            #expect(b["is_active"] as? Bool == true)
            #expect((b["supported_symbols"] as? [String])?.contains("BTC") == true)

            let symbols = try await client.call("/api/v1/dexes/hyperliquid/symbols")
            let s = try symbols.json
            #expect((s["count"] as? Int) == 5)
            let markets = s["markets"] as? [[String: Any]] ?? []
            #expect(markets.allSatisfy { $0["last_update"] is String && $0["funding_interval_hours"] != nil })
            // Each DEXSymbol is the market's fields plus the document's names for them.
            let entries = s["symbols"] as? [[String: Any]] ?? []
            #expect(entries.count == markets.count)
            for (entry, market) in zip(entries, markets) {
                #expect(entry["dex_symbol_format"] as? String == market["dex_symbol"] as? String)
                #expect(entry["symbol"] as? String == market["symbol"] as? String)
                #expect(double(entry["volume_24h"]) == double(market["volume_24h_usd"]))
                #expect(entry.keys.contains("min_order_size") && entry["min_order_size"] is NSNull)
            }

            let health = try await client.call("/api/v1/health")
            #expect(health.status == .ok)
            let h = try health.json
            #expect(h["status"] as? String == "degraded")  // some venues' runs are partial (expectedStatuses)
            #expect((h["dexes"] as? [String: Any])?.count == expectedMarkets.count)
            #expect((double(h["oldest_data_age_seconds"]) ?? 1e9) < 600)
            #expect(h["last_collection"] is String)
            #expect((double(h["uptime_seconds"]) ?? -1) >= 0)
        }
    }

    @Test("GET /history/funding-rates: points, statistics, rollups, CSV")
    func history() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let raw = try await client.call("/api/v1/history/funding-rates/binance/BTC?period=1h")
            #expect(raw.status == .ok)
            let r = try raw.json
            #expect(r["interval"] as? String == "raw")
            let points = r["data"] as? [[String: Any]] ?? []
            let usdt = points.filter { $0["dex_symbol"] as? String == "BTCUSDT" }
            #expect(usdt.count == 1)
            #expect(double(usdt.first?["funding_rate"]) == btcRate)
            #expect(double(usdt.first?["rate_8h"]) == btcRate)
            let stats = (r["market_statistics"] as? [[String: Any]])?.first { $0["dex_symbol"] as? String == "BTCUSDT" }
            // The document's shape, for the market /funding-rates shows (BTCUSDT is binance's most liquid BTC).
            #expect(r["dex_name"] as? String == "binance")
            #expect(r["dex_symbol"] as? String == "BTCUSDT")
            let dataPoints = r["data_points"] as? [[String: Any]] ?? []
            #expect(dataPoints.count == 1)
            #expect(double(dataPoints.first?["rate"]) == btcRate)
            #expect(double(dig(r, "statistics", "avg_rate")) == btcRate)
            #expect(double(dig(r, "statistics", "median_rate")) == btcRate)
            #expect((stats?["samples"] as? Int) == 1)
            #expect(double(stats?["mean_rate"]) == btcRate)
            #expect(abs((double(stats?["mean_apr"]) ?? 0) - btcRate / 8 * 8760 * 100) < 1e-9)

            let hourly = try await client.call("/api/v1/history/funding-rates/binance/BTC?period=7d&interval=1h")
            let hp = (try hourly.json["data"] as? [[String: Any]])?.filter { $0["dex_symbol"] as? String == "BTCUSDT" }
            #expect(hp?.count == 1)
            #expect(double(hp?.first?["funding_rate"]) == btcRate)
            #expect((hp?.first?["sample_count"] as? Int) == 1)

            let start = JSONWriter.timestamp(Date().addingTimeInterval(-3600))
            let csv = try await client.call("/api/v1/history/funding-rates/binance/BTC?start_time=\(start)&format=csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\n")
            #expect(lines.first?.hasPrefix("dex,symbol,dex_symbol,quote,time,funding_rate") == true)
            #expect(lines.contains { $0.hasPrefix("binance,BTC,BTCUSDT,USDT,") && $0.contains(",0.00013062,8,") })
        }
    }

    @Test("validation: unknown names → 404, bad parameters → 400 naming them, one error shape")
    func validation() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let cases: [(String, HTTPResponse.Status, String, String?)] = [
                ("/api/v1/funding-rates/nosuchdex", .notFound, "dex_not_found", "nosuchdex"),
                ("/api/v1/funding-rates?dex=binance,nosuchdex", .notFound, "dex_not_found", "nosuchdex"),
                ("/api/v1/funding-rates?symbol=NOSUCHCOIN", .notFound, "symbol_not_found", "NOSUCHCOIN"),
                ("/api/v1/funding-rates/binance/NOSUCHCOIN", .notFound, "symbol_not_found", nil),
                ("/api/v1/funding-rates/lighter/BTC", .notFound, "market_not_found", "lighter"),
                ("/api/v1/dexes/nosuchdex", .notFound, "dex_not_found", nil),
                ("/api/v1/dexes/nosuchdex/symbols", .notFound, "dex_not_found", nil),
                ("/api/v1/history/funding-rates/nosuchdex/BTC", .notFound, "dex_not_found", nil),
                ("/api/v1/history/funding-rates/binance/NOSUCHCOIN", .notFound, "symbol_not_found", nil),
                ("/api/v1/nothing-here", .notFound, "not_found", nil),
                ("/api/v1/funding-rates?basis=2h", .badRequest, "invalid_parameter", "basis"),
                ("/api/v1/funding-rates?include_metadata=maybe", .badRequest, "invalid_parameter", "include_metadata"),
                ("/api/v1/funding-rates?basis=1h&basis=8h", .badRequest, "invalid_parameter", "basis"),
                ("/api/v1/opportunities?limit=0", .badRequest, "invalid_parameter", "limit"),
                ("/api/v1/opportunities?limit=1001", .badRequest, "invalid_parameter", "limit"),
                ("/api/v1/opportunities?limit=ten", .badRequest, "invalid_parameter", "limit"),
                ("/api/v1/opportunities?min_divergence=abc", .badRequest, "invalid_parameter", "min_divergence"),
                ("/api/v1/opportunities?sort_by=symbol", .badRequest, "invalid_parameter", "sort_by"),
                ("/api/v1/opportunities?fee_type=free", .badRequest, "invalid_parameter", "fee_type"),
                ("/api/v1/opportunities?hold_hours=0", .badRequest, "invalid_parameter", "hold_hours"),
                ("/api/v1/opportunities?min_volume_24h=5&max_volume_24h=1", .badRequest, "invalid_parameter",
                 "max_volume_24h"),
                ("/api/v1/opportunities?long_dex=nosuchdex", .notFound, "dex_not_found", nil),
                ("/api/v1/opportunities/symbol/NOSUCHCOIN", .notFound, "symbol_not_found", nil),
                ("/api/v1/opportunities/compare?dex1=binance", .badRequest, "invalid_parameter", "dex2"),
                ("/api/v1/opportunities/compare?dex1=binance&dex2=binance", .badRequest, "invalid_parameter", "dex2"),
                ("/api/v1/history/funding-rates/binance/BTC?period=2w", .badRequest, "invalid_parameter", "period"),
                ("/api/v1/history/funding-rates/binance/BTC?interval=5m", .badRequest, "invalid_parameter", "interval"),
                ("/api/v1/history/funding-rates/binance/BTC?start_time=yesterday", .badRequest, "invalid_parameter",
                 "start_time"),
                ("/api/v1/history/funding-rates/binance/BTC?start_time=2026-01-02T00:00:00Z&end_time=2026-01-01T00:00:00Z",
                 .badRequest, "invalid_parameter", "end_time"),
                ("/api/v1/history/funding-rates/binance/BTC?period=30d&interval=raw", .badRequest, "invalid_parameter",
                 "interval"),
                ("/api/v1/history/funding-rates/binance/BTC?period=1d&start_time=2026-01-01T00:00:00Z", .badRequest,
                 "invalid_parameter", "period"),
                ("/api/v1/history/funding-rates/binance/BTC?format=xml", .badRequest, "invalid_parameter", "format"),
                ("/api/v1/stats/funding-rates/BTC?period=1y", .badRequest, "invalid_parameter", "period"),
                ("/api/v1/stats/funding-rates/NOSUCHCOIN", .notFound, "symbol_not_found", nil),
                ("/api/v1/ws/funding-rates", .upgradeRequired, "upgrade_required", nil),
            ]
            for (uri, status, code, mention) in cases {
                let response = try await client.call(uri)
                #expect(response.status == status, "\(uri): \(response.text)")
                #expect(response.errorCode == code, "\(uri): \(response.text)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
                if let mention {
                    #expect(response.errorMessage?.contains(mention) == true, "\(uri): \(response.text)")
                }
            }
        }
    }

    @Test("admin fees: 403 without a configured token, 401 for a missing or wrong one, 200 and stored for the right one")
    func adminAuth() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        let body = #"{"maker_fee": 0.0001, "taker_fee": 0.0003, "fee_tiers": [{"min_volume_30d": 0, "maker_fee": 0.0001, "taker_fee": 0.0003}, {"min_volume_30d": 5000000, "maker_fee": 0.00008, "taker_fee": 0.0002}]}"#
        try await withRouter(db, adminToken: nil) { client, _ in
            let r = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put,
                                          headers: [.authorization: "Bearer \(testAdminToken)"], body: body)
            #expect(r.status == .forbidden)
            #expect(r.errorCode == "forbidden")
        }
        try await withRouter(db) { client, _ in
            let missing = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put, body: body)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == "Bearer")
            let wrong = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put,
                                              headers: [.authorization: "Bearer \(testAdminToken)x"], body: body)
            #expect(wrong.status == .unauthorized)
            let short = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put,
                                              headers: [.authorization: "Bearer test"], body: body)
            #expect(short.status == .unauthorized)
            let before = try await client.call("/api/v1/dexes/binance")
            #expect(double(try before.json["taker_fee"]) != 0.0003)

            let auth: HTTPFields = [.authorization: "Bearer \(testAdminToken)"]
            let bad = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put, headers: auth,
                                            body: #"{"maker_fee": 0.5, "taker_fee": 0.0003}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorMessage?.contains("maker_fee") == true)
            let missingField = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put, headers: auth,
                                                     body: #"{"maker_fee": 0.0001}"#)
            #expect(missingField.status == .badRequest)
            #expect(missingField.errorMessage?.contains("taker_fee") == true)
            let badTier = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put, headers: auth,
                                                body: #"{"maker_fee": 0.0001, "taker_fee": 0.0003, "fee_tiers": [{"min_volume_30d": 10, "maker_fee": 0, "taker_fee": 0}, {"min_volume_30d": 5, "maker_fee": 0, "taker_fee": 0}]}"#)
            #expect(badTier.status == .badRequest)
            #expect(badTier.errorMessage?.contains("fee_tiers[1]") == true)
            let unknown = try await client.call("/api/v1/admin/dexes/nosuchdex/fees", method: .put, headers: auth,
                                                body: body)
            #expect(unknown.status == .notFound)

            let ok = try await client.call("/api/v1/admin/dexes/binance/fees", method: .put, headers: auth, body: body)
            #expect(ok.status == .ok, "\(ok.text)")
            #expect(double(try ok.json["taker_fee"]) == 0.0003)
            let after = try await client.call("/api/v1/dexes/binance")
            let a = try after.json
            #expect(double(a["maker_fee"]) == 0.0001)
            #expect(double(a["taker_fee"]) == 0.0003)
            #expect((a["fee_tiers"] as? [Any])?.count == 2)
        }
    }

    @Test("GET /metrics (Prometheus) and /api/v1/metrics (JSON) count requests by route")
    func metrics() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            _ = try await client.call("/api/v1/dexes")
            _ = try await client.call("/api/v1/dexes/nosuchdex")
            let prom = try await client.call("/metrics")
            #expect(prom.status == .ok)
            #expect(prom.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(prom.text.contains(#"fundingd_http_requests_total{route="/api/v1/dexes",method="GET",status="200"}"#)
                    || prom.text.contains(#"route="/api/v1/dexes""#))
            #expect(prom.text.contains("fundingd_http_request_duration_seconds_bucket"))
            #expect(prom.text.contains(#"route="/api/v1/dexes/{dex}""#) || prom.text.contains(#"route="/api/v1/dexes/:dex""#))
            let summary = try await client.call("/api/v1/metrics")
            let s = try summary.json
            #expect(((s["requests_total"] as? Int) ?? 0) >= 2)
            #expect(dig(s, "database_pool", "role") as? String == "fundingd_reader")
        }
    }

    @Test("the reader pool cannot write; queries run under a statement timeout")
    func readOnlyPool() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withAPIDependencies(db) { deps in
            let timeout = try await deps.database.reader.query("SHOW statement_timeout", logger: Logger(label: "t"))
            for try await value in timeout.decode(String.self) { #expect(value == "5s") }
            let user = try await deps.database.reader.query("SELECT current_user::text", logger: Logger(label: "t"))
            for try await value in user.decode(String.self) { #expect(value == "fundingd_reader") }
            await #expect(throws: (any Error).self) {
                try await deps.database.reader.query("UPDATE dexes SET taker_fee = 0", logger: Logger(label: "t"))
            }
        }
    }
}

@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("the router's routes and the document's paths agree, method by method")
    func routesMatchDocument() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withAPIDependencies(db) { deps in
            _ = buildRouter(deps)
            let registered = Set(deps.routeTable.routes.map { "\($0.method) \($0.path)" })
            let data = try Data(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("docs/openapi.json"))
            let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                for method in operations.keys where ["get", "put", "post", "delete", "patch"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            #expect(registered.subtracting(documented).sorted() == [], "routes missing from docs/openapi.json")
            #expect(documented.subtracting(registered).sorted() == [], "documented paths with no route")
            #expect(deps.openAPIDocument.map { Data($0) } == data)
        }
    }

    @Test("each route's declared query parameters (what it accepts; any other is a 400) are the document's")
    func parametersMatchDocument() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withAPIDependencies(db) { deps in
            _ = buildRouter(deps)
            let data = try Data(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("docs/openapi.json"))
            let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            for route in deps.routeTable.routes {
                let operation = paths[route.path]?[route.method.lowercased()] as? [String: Any]
                let documented = ((operation?["parameters"] as? [[String: Any]]) ?? [])
                    .filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String }
                #expect(Set(documented) == Set(route.query), "\(route.method) \(route.path)")
            }
        }
    }
}
