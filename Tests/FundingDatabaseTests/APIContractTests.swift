import Foundation
import FundingAPI
import FundingVenues
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Testing

/// JSON values with their exact type (FundingVenues' `JSONValue`: JSONDecoder keeps `true` and `1` apart,
/// JSONSerialization does not).
extension JSONValue {
    static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string(let s): ContractChecker.isTimestamp(s) ? "timestamp" : "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var number: Double? { if case .number(let n) = self { n } else { nil } }
    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
}

/// Compares a response with one of the design document's examples: every field of the example is present with the
/// same JSON type (timestamps as ISO 8601 strings) and the same unit (fractions stay fractions, percents follow the
/// document's formulas).
struct ContractChecker {
    /// Object paths whose keys are data (symbols, dexes): each entry is checked against the example's entries.
    var maps: Set<String>
    /// Fields the service answers null for, with the reason (documented in docs/api.md).
    var nullFields: [String: String]
    var failures: [String] = []

    /// Rates and fees as fractions: |x| < 0.05 (a percent would be a hundred times larger).
    static let fractions: Set<String> = [
        "funding_rate", "rate", "long_rate", "short_rate", "divergence", "estimated_fees", "net_profit_percent",
        "maker_fee_percent", "taker_fee_percent", "avg_rate", "median_rate", "std_dev", "min_rate", "max_rate",
        "avg_funding_rate", "median_funding_rate", "percentile_25", "percentile_75", "rate_diff", "maker_fee",
        "taker_fee",
    ]
    /// Shares in 0...1.
    static let shares: Set<String> = ["positive_rate_frequency", "cache_hit_rate"]
    /// Percents in 0...100.
    static let percents: Set<String> = ["error_rate_percent"]

    /// The document's example text without its elisions (`, ...` and `{ ... }`).
    static func example(_ text: String) throws -> JSONValue {
        var t = text.replacingOccurrences(of: #",\s*\.\.\."#, with: "", options: .regularExpression)
        t = t.replacingOccurrences(of: #"\{\s*\.\.\.\s*\}"#, with: "{}", options: .regularExpression)
        return try JSONValue.parse(t)
    }

    static func isTimestamp(_ s: String) -> Bool {
        s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#, options: .regularExpression) != nil
    }

    mutating func check(_ example: JSONValue, _ actual: JSONValue?, at path: String) {
        guard let actual else { failures.append("\(path): missing"); return }
        switch (example, actual) {
        case (.null, _):
            return  // optional in the document: any value
        case (_, .null):
            if nullFields[path] == nil { failures.append("\(path): null, the example has a \(example.typeName)") }
        case (.object(let e), .object(let a)):
            checkUnits(e, path: path + "(example)", strict: false)
            checkUnits(a, path: path, strict: true)
            if maps.contains(path) {
                guard let sample = e.values.first else { return }
                if a.isEmpty { failures.append("\(path): empty map, nothing to check") }
                for value in a.values { check(sample, value, at: path + ".*") }
            } else {
                for (key, value) in e { check(value, a[key], at: path.isEmpty ? key : path + "." + key) }
            }
        case (.array(let e), .array(let a)):
            guard let sample = e.first else { return }
            if a.isEmpty { failures.append("\(path): empty array, nothing to check") }
            for value in a { check(sample, value, at: path + "[]") }
        default:
            if example.typeName != actual.typeName {
                failures.append("\(path): \(actual.typeName), the example has a \(example.typeName)")
            }
        }
    }

    /// The unit rules on one object's fields.
    mutating func checkUnits(_ o: [String: JSONValue], path: String, strict: Bool) {
        for (key, value) in o {
            guard let x = value.number else { continue }
            if Self.fractions.contains(key), abs(x) >= 0.05 { failures.append("\(path).\(key): \(x) is not a fraction") }
            if Self.shares.contains(key), !(0...1).contains(x) { failures.append("\(path).\(key): \(x) not in 0...1") }
            if Self.percents.contains(key), !(0...100).contains(x) { failures.append("\(path).\(key): \(x) not a percent") }
        }
        // annualized_rate: percent per year from the market's interval (the document: rate x 3 x 365, 8 h periods).
        if let rate = o["funding_rate"]?.number, let annual = o["annualized_rate"]?.number {
            let hours = o["funding_interval_hours"]?.number ?? 8
            let expected = rate * 24 / hours * 365 * 100
            if abs(annual - expected) > 1e-9 + 1e-3 * abs(expected) {
                failures.append("\(path).annualized_rate: \(annual), expected \(expected) (percent per year)")
            }
        }
        // annualized_apy = net_profit_percent x 3 x 365 x 100 (hold 8 h); the examples disagree among themselves,
        // so only responses are held to it.
        if strict, let profit = o["net_profit_percent"]?.number, let apy = o["annualized_apy"]?.number {
            let expected = profit * 3 * 365 * 100
            if abs(apy - expected) > 1e-9 + 1e-6 * abs(expected) {
                failures.append("\(path).annualized_apy: \(apy), expected \(expected)")
            }
        }
        if let rate = o["avg_funding_rate"]?.number, let apy = o["avg_annualized_apy"]?.number {
            let expected = rate * 3 * 365 * 100
            if abs(apy - expected) > 1e-9 + 1e-2 * abs(expected) {
                failures.append("\(path).avg_annualized_apy: \(apy), expected \(expected)")
            }
        }
    }
}

/// The design document's fixtures (Tests/Fixtures/api-design).
enum DesignExamples {
    static let directory = TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures/api-design")

    struct Request: Decodable {
        var example: String
        var response: String?
        var method: String
        var path: String
        var body: String?
        var maps: [String]
        var null_fields: [String: String]?
    }

    struct Manifest: Decodable {
        var examples: [Request]
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(try text("requests.json").utf8))
    }
}

/// Fixture data plus one more hyperliquid BTC sample two hours back (so statistics have two samples), shared by the
/// tests that change what they read (fees, collection runs), made once: each fixture cycle costs every test's
/// start-up time on a 2-core machine. Its users change disjoint things (edgex, paradex and lighter fees; a bybit
/// run). Dropped with the other test databases by the next `scripts/test.sh`.
actor MutableFixtureDatabase {
    static let shared = MutableFixtureDatabase()
    private var task: Task<TestDatabase, any Error>?

    func get() async throws -> TestDatabase {
        if task == nil {
            task = Task {
                let db = try await TestDatabase.make()
                try await ingestFixtures(into: db)
                try await db.with(try db.ownerURL) { c in
                    try await c.exec("""
                        INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, mark_price)
                        SELECT l.time - INTERVAL '2 hours', l.market_id, l.funding_rate / 2, l.funding_interval_hours,
                               l.mark_price
                        FROM market_latest l JOIN markets m ON m.id = l.market_id JOIN dexes d ON d.id = m.dex_id
                        JOIN symbols s ON s.id = m.symbol_id WHERE d.name = 'hyperliquid' AND s.symbol = 'BTC'
                        """)
                    // Into the hourly rollup (the statistics and 1h history read it).
                    try await c.exec("CALL refresh_rollups()")
                }
                return db
            }
        }
        return try await task!.value
    }
}

@Suite("The design document's API contract (fixture data)")
struct APIContractTests {
    @Test("every request of the document is accepted and every response has the example's fields, types and units",
          .timeLimit(.minutes(3)))
    func examples() async throws {
        let db = try await MutableFixtureDatabase.shared.get()
        let start = JSONWriter.timestamp(Date().addingTimeInterval(-86400))
        let end = JSONWriter.timestamp(Date().addingTimeInterval(60))
        let requests = try DesignExamples.manifest().examples
        #expect(requests.count >= 20)
        try await withRouter(db) { client, _ in
            var checked = Set<String>()
            for r in requests {
                let path = r.path.replacingOccurrences(of: "START", with: start).replacingOccurrences(of: "END", with: end)
                var headers: HTTPFields = [:]
                if r.body != nil {
                    headers[.authorization] = "Bearer \(testAdminToken)"
                    headers[.contentType] = "application/json"
                }
                let response = try await client.call(path, method: HTTPRequest.Method(r.method)!, headers: headers,
                                                     body: try r.body.map(DesignExamples.text))
                #expect(response.status == .ok, "\(r.method) \(path): \(response.text.prefix(400))")
                let exampleName = r.response ?? r.example
                let example = try ContractChecker.example(try DesignExamples.text(exampleName))
                var checker = ContractChecker(maps: Set(r.maps), nullFields: r.null_fields ?? [:])
                checker.check(example, try JSONValue.parse(response.text), at: "")
                #expect(checker.failures == [], "\(r.method) \(path) against \(exampleName)")
                checked.insert(exampleName)
            }
            // Every HTTP response example of the document was checked at least once.
            let all = try FileManager.default.contentsOfDirectory(atPath: DesignExamples.directory.path)
                .filter { $0.hasSuffix(".json.example") && !$0.contains("_ws-") }
            #expect(Set(all).subtracting(checked).sorted() == [])
        }
    }

    @Test("the checker fails a response that lacks a field, changes a type or a unit", .timeLimit(.minutes(1)))
    func checkerCatchesDrift() throws {
        let example = try ContractChecker.example(try DesignExamples.text("03_funding-rates-dex-symbol.json.example"))
        func failures(_ json: String) throws -> [String] {
            var c = ContractChecker(maps: [], nullFields: [:])
            c.check(example, try JSONValue.parse(json), at: "")
            return c.failures
        }
        let good = #"{"dex_name":"x","symbol":"BTC","funding_rate":0.0001,"annualized_rate":10.95,"next_funding_time":"2025-10-06T16:00:00Z","timestamp":"2025-10-06T12:34:56Z","mark_price":1,"index_price":1}"#
        #expect(try failures(good) == [])
        #expect(try failures(good.replacingOccurrences(of: #""mark_price":1,"#, with: "")) == ["mark_price: missing"])
        #expect(try failures(good.replacingOccurrences(of: #""symbol":"BTC""#, with: #""symbol":1"#)).count == 1)
        #expect(try failures(good.replacingOccurrences(of: "2025-10-06T16:00:00Z", with: "1759766400")).count == 1)
        // 1.095 = 0.0001 x 3 x 365 x 10: not percent per year.
        #expect(try failures(good.replacingOccurrences(of: "10.95", with: "1.095")).count == 1)
        // A percent where a fraction belongs.
        #expect(try failures(good.replacingOccurrences(of: #""funding_rate":0.0001"#, with: #""funding_rate":0.1"#))
                    .contains { $0.contains("not a fraction") })
    }

    @Test("the WebSocket subscribe message of the document gets the document's update messages",
          .timeLimit(.minutes(4)))
    func webSocket() async throws {
        let db = try await FixtureDatabase.shared.get()
        let subscribe = try DesignExamples.text("14_ws-funding-rates-subscribe.json.example")
        let update = try ContractChecker.example(try DesignExamples.text("15_ws-funding-rates-update.json.example"))
        try await withLiveAPI(db) { port in
            try await withTimeout(180) {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/funding-rates",
                                                  logger: Logger(label: "ws-contract")) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    // The document's filters name lighter and edgex; the fixture's lighter has no BTC.
                    try await outbound.write(.text(subscribe))
                    var seen = Set<String>()
                    while seen.count < 2, let message = try await messages.next() {
                        guard case .text(let text) = message else { continue }
                        var checker = ContractChecker(maps: [], nullFields: [:])
                        checker.check(update, try JSONValue.parse(text), at: "")
                        #expect(checker.failures == [], "\(text.prefix(300))")
                        let data = try JSONValue.parse(text).object?["data"]?.object
                        if case .string(let dex)? = data?["dex_name"], case .string(let symbol)? = data?["symbol"] {
                            #expect(["lighter", "edgex"].contains(dex))
                            #expect(["BTC", "ETH"].contains(symbol))
                            seen.insert(dex + "/" + symbol)
                        }
                    }
                    #expect(seen.count >= 2)
                    try await outbound.close(.normalClosure, reason: nil)
                }
                // Every market (392 in the fixture cycle, more than the 256-entry queue): one message each, and the
                // client is not dropped as slow.
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/funding-rates",
                                                  logger: Logger(label: "ws-contract")) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    try await outbound.write(.text(#"{"action":"subscribe","channels":["funding_rates"]}"#))
                    var updates = 0
                    // 392 after a complete fixture cycle; counted, so an incomplete cycle fails here instead of hanging.
                    let total = try await db.with(try db.readerURL) { c in
                        try await c.scalar("SELECT count(*)::int FROM latest_funding_rates", as: Int.self)
                    }
                    #expect(total > 256)
                    while updates < total, let message = try await messages.next() {
                        guard case .text(let text) = message else { continue }
                        #expect(text.hasPrefix(#"{"type":"funding_rate_update""#))
                        updates += 1
                    }
                    #expect(updates == total)
                    try await outbound.write(.text(#"{"action":"ping"}"#))
                    #expect(try frame(try await messages.next())["type"] as? String == "pong")
                    try await outbound.close(.normalClosure, reason: nil)
                }
                // The opportunity stream in the document's style: one opportunity_update per pair; another
                // stream's name in channels is refused.
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/v1/ws/opportunities",
                                                  logger: Logger(label: "ws-contract")) { inbound, outbound, _ in
                    var messages = inbound.messages(maxSize: 1 << 24).makeAsyncIterator()
                    try await outbound.write(.text(#"{"action":"subscribe","channels":["funding_rates"]}"#))
                    let refused = try frame(try await messages.next())
                    #expect(dig(refused, "error", "code") as? String == "invalid_parameter")
                    try await outbound.write(.text(#"{"action":"subscribe","channels":["opportunities"],"filters":{"symbol":"BTC","min_profit":-1,"limit":3}}"#))
                    for _ in 0..<3 {
                        let update = try frame(try await messages.next())
                        #expect(update["type"] as? String == "opportunity_update")
                        #expect(dig(update, "data", "symbol") as? String == "BTC")
                        #expect(dig(update, "data", "id") is Int)
                        #expect(double(dig(update, "data", "net_profit_percent")) == double(dig(update, "data", "net_profit")))
                    }
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
        }
    }
}
