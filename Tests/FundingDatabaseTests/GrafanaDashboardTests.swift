import Foundation
import FundingApp
import FundingIngest
import FundingVenues
import Logging
import PostgresNIO
import Testing

// The dashboards in docs/grafana/dashboards are checked here, not rendered: Grafana is not installed on these
// machines. Every panel query and every SQL template variable is taken from the JSON, Grafana's macros and the
// variables are substituted the way Grafana's PostgreSQL datasource does it (TimescaleDB on), and the result runs
// as fundingd_reader against a database filled by real ingest cycles from the recorded venue payloads.

/// A template variable of a dashboard.
struct GrafanaVariable: Sendable {
    var name: String
    var type: String
    /// SQL for `query` variables, the option list for `custom` ones.
    var query: String
    var multi: Bool
    var includeAll: Bool
    /// The saved selection (`$__all` for "All").
    var current: [String]

    /// A `custom` variable's option values ("text : value" pairs or plain values, comma-separated).
    var customValues: [String] {
        query.split(separator: ",").map { item in
            let parts = item.components(separatedBy: " : ")
            return (parts.count == 2 ? parts[1] : parts[0]).trimmingCharacters(in: .whitespaces)
        }
    }
}

/// One panel query.
struct GrafanaTarget: Sendable, CustomStringConvertible {
    var dashboard: String
    var panel: String
    var panelType: String
    var format: String
    var rawQuery: Bool
    var editorMode: String?
    var sql: String

    var description: String { "\(dashboard) / \(panel)" }
    /// Whether the SQL depends on the time range or the interval.
    var usesTime: Bool { sql.contains("$__") }
}

struct GrafanaDashboard: Sendable {
    var file: String
    var uid: String
    var title: String
    var variables: [GrafanaVariable]
    var targets: [GrafanaTarget]
    /// Every datasource uid referenced by panels, targets and variables.
    var datasourceUIDs: Set<String>
    var panelIDs: [Int]

    static let directory = TestDatabase.repositoryRoot.appendingPathComponent("docs/grafana/dashboards")

    static func loadAll() throws -> [GrafanaDashboard] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map(load)
    }

    static func load(_ url: URL) throws -> GrafanaDashboard {
        guard let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw TestSetupError(description: "\(url.lastPathComponent): not a JSON object")
        }
        let file = url.lastPathComponent
        var uids = Set<String>()
        func noteDatasource(_ any: Any?) {
            if let ds = any as? [String: Any], let uid = ds["uid"] as? String { uids.insert(uid) }
        }
        var variables: [GrafanaVariable] = []
        let list = (root["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        for v in list {
            noteDatasource(v["datasource"])
            // Newer Grafana stores a query variable's query as {"query": ..., "refId": ...}.
            let query = (v["query"] as? String) ?? ((v["query"] as? [String: Any])?["query"] as? String)
                ?? (v["definition"] as? String) ?? ""
            let currentValue = (v["current"] as? [String: Any])?["value"]
            let current = (currentValue as? [String]) ?? (currentValue as? String).map { [$0] } ?? []
            variables.append(GrafanaVariable(name: v["name"] as? String ?? "?", type: v["type"] as? String ?? "?",
                                             query: query, multi: v["multi"] as? Bool ?? false,
                                             includeAll: v["includeAll"] as? Bool ?? false, current: current))
        }
        var targets: [GrafanaTarget] = []
        var panelIDs: [Int] = []
        func walk(_ panels: [[String: Any]]) {
            for p in panels {
                if let id = p["id"] as? Int { panelIDs.append(id) }
                noteDatasource(p["datasource"])
                let title = p["title"] as? String ?? "?"
                for t in p["targets"] as? [[String: Any]] ?? [] {
                    noteDatasource(t["datasource"])
                    targets.append(GrafanaTarget(dashboard: file, panel: title, panelType: p["type"] as? String ?? "?",
                                                 format: t["format"] as? String ?? "time_series",
                                                 rawQuery: t["rawQuery"] as? Bool ?? false,
                                                 editorMode: t["editorMode"] as? String,
                                                 sql: t["rawSql"] as? String ?? ""))
                }
                walk(p["panels"] as? [[String: Any]] ?? [])   // panels inside (collapsed) rows
            }
        }
        walk(root["panels"] as? [[String: Any]] ?? [])
        return GrafanaDashboard(file: file, uid: root["uid"] as? String ?? "", title: root["title"] as? String ?? "",
                                variables: variables, targets: targets, datasourceUIDs: uids, panelIDs: panelIDs)
    }
}

struct GrafanaInterpolationError: Error, CustomStringConvertible {
    var description: String
}

/// The time range and interval of one dashboard refresh.
struct GrafanaTimeRange: Sendable, CustomStringConvertible {
    var from: Date
    var to: Date
    var intervalSeconds: Int

    var description: String { "\(GrafanaSQL.rfc3339(from))..\(GrafanaSQL.rfc3339(to)) interval \(GrafanaSQL.formatInterval(intervalSeconds))" }
}

/// Grafana's substitutions for the PostgreSQL datasource: template variables (frontend), then `$__interval`,
/// `$__interval_ms` and the macros (backend, TimescaleDB on). Anything left that looks like a variable or macro
/// is an error.
enum GrafanaSQL {
    /// Go's RFC3339Nano in UTC, as Grafana formats the range: fractional seconds only when there are any.
    static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        f.formatOptions = whole ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// gtime.FormatInterval: the largest whole unit (d, h, m, s).
    static func formatInterval(_ seconds: Int) -> String {
        if seconds >= 86_400, seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds >= 3_600, seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds >= 60, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// gtime.ParseInterval for the units the dashboards may use. Months and years are refused on purpose:
    /// PostgreSQL reads '1M' as one minute.
    static func parseInterval(_ text: String) throws -> Double {
        let s = text.trimmingCharacters(in: CharacterSet(charactersIn: "' "))
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400), ("w", 604_800)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            if let n = Double(s.dropLast(suffix.count)) { return n * factor }
        }
        throw GrafanaInterpolationError(description: "unsupported interval '\(text)'")
    }

    static func quote(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Substitutes `${name:format}`, `${name}`, `$name` and `[[name]]` for the given variables (multi-value aware,
    /// as Grafana's SQL datasources format them). `$__…` names are left for `macros`.
    static func variables(_ sql: String, _ values: [String: [String]], multi: Set<String>) throws -> String {
        let pattern = try NSRegularExpression(pattern: #"\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)\]\]"#)
        var out = ""
        var last = sql.startIndex
        var failure: String?
        for m in pattern.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)) {
            let whole = Range(m.range, in: sql)!
            func group(_ i: Int) -> String? { Range(m.range(at: i), in: sql).map { String(sql[$0]) } }
            let name = group(1) ?? group(3) ?? group(4) ?? ""
            out += sql[last..<whole.lowerBound]
            last = whole.upperBound
            if name.hasPrefix("__") { out += sql[whole]; continue }
            guard let vals = values[name], !vals.isEmpty else {
                failure = failure ?? "unknown or empty variable $\(name)"
                continue
            }
            switch group(2) {
            case "sqlstring"?: out += vals.map(quote).joined(separator: ",")
            case "csv"?, "raw"?: out += vals.joined(separator: ",")
            case nil:
                // The SQL datasources' default: a multi-value (or All-capable) variable becomes a quoted list.
                out += multi.contains(name) ? vals.map(quote).joined(separator: ",")
                    : vals[0].replacingOccurrences(of: "'", with: "''")
            case let format?: failure = failure ?? "unsupported format ${\(name):\(format)}"
            }
        }
        out += sql[last...]
        if let failure { throw GrafanaInterpolationError(description: failure) }
        return out
    }

    static func macros(_ sql: String, _ range: GrafanaTimeRange) throws -> String {
        var s = sql.replacingOccurrences(of: "$__interval_ms", with: String(range.intervalSeconds * 1000))
            .replacingOccurrences(of: "$__interval", with: formatInterval(range.intervalSeconds))
            .replacingOccurrences(of: "$__unixEpochFrom()", with: String(Int(range.from.timeIntervalSince1970)))
            .replacingOccurrences(of: "$__unixEpochTo()", with: String(Int(range.to.timeIntervalSince1970)))
        let from = rfc3339(range.from), to = rfc3339(range.to)
        let pattern = try NSRegularExpression(pattern: #"\$(\w+)\(([^\)]*)\)"#)
        var out = ""
        var failure: String?
        var last = s.startIndex
        for m in pattern.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
            let whole = Range(m.range, in: s)!
            var name = String(s[Range(m.range(at: 1), in: s)!])
            let args = s[Range(m.range(at: 2), in: s)!].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            out += s[last..<whole.lowerBound]
            last = whole.upperBound
            // Grafana before 5.3 compatibility: $__timeGroup directly followed by ',' adds the alias.
            if name == "__timeGroup", whole.upperBound < s.endIndex, s[whole.upperBound] == "," { name = "__timeGroupAlias" }
            do {
                switch name {
                case "__timeFilter":
                    guard let c = args.first, !c.isEmpty else { throw GrafanaInterpolationError(description: "$__timeFilter needs a column") }
                    out += "\(c) BETWEEN '\(from)' AND '\(to)'"
                case "__timeFrom": out += "'\(from)'"
                case "__timeTo": out += "'\(to)'"
                case "__time": out += "\(args[0]) AS \"time\""
                case "__timeEpoch": out += "extract(epoch from \(args[0])) as \"time\""
                case "__timeGroup", "__timeGroupAlias":
                    guard args.count >= 2 else { throw GrafanaInterpolationError(description: "$\(name) needs a column and an interval") }
                    if args.count == 3 {
                        let fill = args[2]
                        guard fill == "NULL" || fill == "previous" || Double(fill) != nil else {
                            throw GrafanaInterpolationError(description: "$\(name): fill mode '\(fill)' is not NULL, previous or a number")
                        }
                    }
                    let seconds = try parseInterval(args[1])
                    out += "time_bucket('\(String(format: "%.3f", seconds))s',\(args[0]))"
                    if name == "__timeGroupAlias" { out += " AS \"time\"" }
                default:
                    throw GrafanaInterpolationError(description: "unknown macro $\(name)")
                }
            } catch {
                failure = failure ?? "\(error)"
            }
        }
        out += s[last...]
        s = out
        if let failure { throw GrafanaInterpolationError(description: failure) }
        // Whatever still looks like a variable or a macro was not substituted.
        let leftover = try NSRegularExpression(pattern: #"\$\{|\$[A-Za-z_]|\[\["#)
        if let m = leftover.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) {
            let at = Range(m.range, in: s)!.lowerBound
            throw GrafanaInterpolationError(description: "left unsubstituted: \(s[at...].prefix(40))")
        }
        return s
    }

    static func interpolate(_ sql: String, values: [String: [String]], multi: Set<String>,
                            range: GrafanaTimeRange) throws -> String {
        try macros(try variables(sql, values, multi: multi), range)
    }
}

/// The queries that legitimately return no rows on the fixture data, by "file / panel [variables]", with the
/// reason. Every other query must return rows; under the default variables every panel has rows.
let grafanaAllowedEmpty: [String: String] = screenerAllowedEmpty.merging([
    // `aster` is the first dex alphabetically, so the multi-value `$dex` variant selects it.
    "collection-health.json / Recent failed or partial runs [$dex=aster]":
        "every Aster run succeeded (its recordings answer every request it needs)",
    "opportunities.json / Opportunities [$dex=aster]": "a pair needs two dexes; one dex is selected",
    "funding-overview.json / Predictor accuracy by dex [$dex=aster]": "only Binance has settlements in the test data",
    "opportunities.json / Persistence (recorded pairs) [$dex=aster]": "a pair needs two dexes; one dex is selected",
    "opportunities.json / Best recorded net profit per symbol [$dex=aster]":
        "a pair needs two dexes; one dex is selected",
]) { a, _ in a }

/// The screener's boards that compare with history the fixture cycles do not have (one window back, a day of
/// hourly buckets), and the liquidation clusters no scanner has written: empty in every variant.
let screenerAllowedEmpty: [String: String] = {
    var out: [String: String] = [:]
    let reasons = [
        "Top gainers ($window)": "no sample one window back: the fixture cycles are seconds old",
        "Top losers ($window)": "no sample one window back: the fixture cycles are seconds old",
        "Open interest change ($window)": "no sample one window back: the fixture cycles are seconds old",
        "Volume surge (24 h volume / its mean over the previous 24 hours)": "no completed hourly bucket yet",
        "Signals": "no sample 1 h or 4 h back",
        "Hyperliquid liquidation clusters: $coin": "no position scanner writes hyperliquid_positions yet",
    ]
    for (panel, reason) in reasons {
        for variant in ["defaults", "$window=4h", "$window=24h", "$dex=aster"] {
            out["screener.json / \(panel) [\(variant)]"] = reason
        }
    }
    out["screener.json / Highest open interest [$dex=aster]"] = "Aster publishes no open interest (AsterAdapter)"
    return out
}()

@Suite("Grafana dashboards (docs/grafana)")
struct GrafanaDashboardTests {
    @Test("macro and variable substitution follows Grafana and refuses anything left over")
    func interpolation() throws {
        let range = GrafanaTimeRange(from: Date(timeIntervalSince1970: 1_700_000_000),
                                     to: Date(timeIntervalSince1970: 1_700_003_600), intervalSeconds: 3600)
        let values = ["dex": ["binance", "o'k"], "symbol": ["BTC"], "n": ["20"]]
        let multi: Set<String> = ["dex"]
        let sql = try GrafanaSQL.interpolate("""
            SELECT $__timeGroupAlias(bucket, $__interval, NULL), $__interval_ms, $n FROM t
            WHERE $__timeFilter(bucket) AND dex IN (${dex:sqlstring}) AND d = ANY(ARRAY[$dex])
              AND s = ${symbol:sqlstring} AND x > $__timeFrom() AND x < $__timeTo() GROUP BY $__timeGroup(bucket, 1d)
            """, values: values, multi: multi, range: range)
        #expect(sql == """
            SELECT time_bucket('3600.000s',bucket) AS "time", 3600000, 20 FROM t
            WHERE bucket BETWEEN '2023-11-14T22:13:20Z' AND '2023-11-14T23:13:20Z' AND dex IN ('binance','o''k') AND d = ANY(ARRAY['binance','o''k'])
              AND s = 'BTC' AND x > '2023-11-14T22:13:20Z' AND x < '2023-11-14T23:13:20Z' GROUP BY time_bucket('86400.000s',bucket)
            """)
        for bad in ["SELECT $unknown", "SELECT ${dex:percentencode}", "SELECT $__timeFoo(x)", "SELECT $__timeGroup(x)",
                    "SELECT $__timeGroupAlias(x, 1M)", "SELECT $__timeGroupAlias(x, 1h, zero)", "SELECT [[nope]]"] {
            #expect(throws: GrafanaInterpolationError.self, "\(bad)") {
                try GrafanaSQL.interpolate(bad, values: values, multi: multi, range: range)
            }
        }
    }

    @Test("provisioning files and dashboard JSON are consistent")
    func provisioning() throws {
        let root = TestDatabase.repositoryRoot.appendingPathComponent("docs/grafana/provisioning")
        let datasource = try String(contentsOf: root.appendingPathComponent("datasources/fundingd.yaml"), encoding: .utf8)
        for needle in ["type: grafana-postgresql-datasource", "uid: fundingd", "user: fundingd_reader",
                       "timescaledb: true", "password: ${FUNDINGD_READER_PASSWORD}"] {
            #expect(datasource.contains(needle), "datasources/fundingd.yaml lacks \(needle)")
        }
        let provider = try String(contentsOf: root.appendingPathComponent("dashboards/fundingd.yaml"), encoding: .utf8)
        #expect(provider.contains("type: file"))

        let dashboards = try GrafanaDashboard.loadAll()
        #expect(dashboards.map(\.file) == ["collection-health.json", "funding-overview.json", "market-drilldown.json",
                                           "opportunities.json", "screener.json"])
        #expect(Set(dashboards.map(\.uid)).count == dashboards.count, "dashboard uids are unique")
        for d in dashboards {
            #expect(d.datasourceUIDs == ["fundingd"], "\(d.file) refers to datasources \(d.datasourceUIDs)")
            #expect(Set(d.panelIDs).count == d.panelIDs.count, "\(d.file): panel ids are unique")
            #expect(!d.targets.isEmpty)
            for t in d.targets {
                #expect(t.rawQuery && t.editorMode == "code", "\(t): raw SQL in code mode")
                #expect(["table", "time_series"].contains(t.format), "\(t): format \(t.format)")
                #expect(!t.sql.isEmpty, "\(t): rawSql")
                #expect(!t.sql.contains("'$__interval'"),
                        "\(t): use $__interval_ms or $__timeGroup, not '$__interval' (PostgreSQL reads '1M' as a minute)")
            }
            for v in d.variables where v.type == "query" {
                #expect(!v.query.isEmpty, "\(d.file) $\(v.name): SQL")
            }
            #expect(d.variables.allSatisfy { ["query", "custom"].contains($0.type) })
        }
        // dex and symbol come from SQL wherever a dashboard has them.
        for d in dashboards {
            for v in d.variables where ["dex", "symbol"].contains(v.name) { #expect(v.type == "query", "\(d.file) $\(v.name)") }
        }
    }

    @Test("every panel query and SQL variable runs as fundingd_reader on fixture-loaded data, with rows where the data has them")
    func queriesRun() async throws {
        let dashboards = try GrafanaDashboard.loadAll()
        #expect(dashboards.count == 5)

        let db = try await TestDatabase.make()
        defer { db.drop() }
        // Cycle 1: every venue's recordings. Cycle 2: the same, with OKX answering 500, so that the health
        // dashboard's error panels have something to show.
        for (cycle, faults) in [[:], ["okx": FixtureFault.status(500)]].enumerated() {
            // Samples are stamped with the collection time: a second apart, the cycles land in different
            // 1-second buckets, which lets the time-order check below see more than one bucket per series.
            if cycle > 0 { try await Task.sleep(for: .milliseconds(1100)) }
            try await ingestFixtures(into: db, faults: faults)
        }
        try await db.with(try db.ownerURL) { conn in try await conn.exec("CALL refresh_rollups()") }
        // Settled funding for Binance BTCUSDT (the fixture cycles write none): three settlements 8 h apart, the last
        // one just after the cycles' samples, so the predictor panel has a sample to compare it with.
        try await db.withClient(try db.writerURL) { client in
            let last = Date()
            try await SettlementStore(client: client, logger: TestDatabase.logger).apply(
                dex: "binance", dexSymbol: "BTCUSDT",
                settlements: [-16.0, -8, 0].map {
                    SettledFunding(dexSymbol: "BTCUSDT", fundingTime: last.addingTimeInterval($0 * 3600),
                                   fundingRate: 0.0001, fundingIntervalHours: 8)
                },
                covered: last.addingTimeInterval(-16 * 3600)..<last.addingTimeInterval(1))
        }

        let now = Date()
        // Ranges as Grafana would pair them with an interval: raw samples, the 1h rollup, the 1d rollup; and
        // 1-second buckets (finer than the datasource's 1m minimum) to get two buckets out of the two cycles.
        let ranges = [GrafanaTimeRange(from: now.addingTimeInterval(-6 * 3600), to: now, intervalSeconds: 60),
                      GrafanaTimeRange(from: now.addingTimeInterval(-3600), to: now, intervalSeconds: 1),
                      GrafanaTimeRange(from: now.addingTimeInterval(-7 * 86_400), to: now, intervalSeconds: 3600),
                      GrafanaTimeRange(from: now.addingTimeInterval(-90 * 86_400), to: now, intervalSeconds: 86_400)]

        try await db.with(try db.readerURL) { conn in
            var queries = 0
            var emptyResults = Set<String>()
            var multiBucketResults = 0
            for d in dashboards {
                let multi = Set(d.variables.filter { $0.multi || $0.includeAll }.map(\.name))
                // Default selection: run the SQL variables in order (later ones may use earlier ones).
                var defaults: [String: [String]] = [:]
                var options: [String: [String]] = [:]
                for v in d.variables {
                    if v.type == "custom" {
                        options[v.name] = v.customValues
                        #expect(v.current.count == 1 && v.customValues.contains(v.current[0]),
                                "\(d.file) $\(v.name): default \(v.current) is one of its options")
                        defaults[v.name] = v.current
                        continue
                    }
                    let sql = try GrafanaSQL.interpolate(v.query, values: defaults, multi: multi, range: ranges[0])
                    let rows = try await conn.column(PostgresQuery(unsafeSQL: sql), as: String.self)
                    queries += 1
                    #expect(!rows.isEmpty, "\(d.file) $\(v.name) has no values:\n\(sql)")
                    options[v.name] = rows
                    if v.current == ["$__all"] || (v.includeAll && v.current.isEmpty) {
                        defaults[v.name] = rows
                    } else if let c = v.current.first, rows.contains(c) {
                        defaults[v.name] = v.current.filter(rows.contains)
                    } else {
                        defaults[v.name] = Array(rows.prefix(1))
                    }
                }
                // Variants: each other option of a custom variable, and one value of each multi-value variable.
                var variants: [(String, [String: [String]])] = [("defaults", defaults)]
                for v in d.variables {
                    if v.type == "custom" {
                        for o in options[v.name] ?? [] where o != v.current.first {
                            var values = defaults; values[v.name] = [o]; variants.append(("$\(v.name)=\(o)", values))
                        }
                    } else if multi.contains(v.name), let first = options[v.name]?.first {
                        var values = defaults; values[v.name] = [first]; variants.append(("$\(v.name)=\(first)", values))
                    }
                }
                for t in d.targets {
                    for (label, values) in variants {
                        for range in (t.usesTime ? ranges : [ranges[0]]) {
                            let sql: String
                            do {
                                sql = try GrafanaSQL.interpolate(t.sql, values: values, multi: multi, range: range)
                            } catch {
                                Issue.record("\(t): \(error)")
                                continue
                            }
                            queries += 1
                            do {
                                let rows = try await conn.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).collect()
                                if rows.isEmpty {
                                    let key = "\(t) [\(label)]"
                                    #expect(grafanaAllowedEmpty[key] != nil, "\(key) returned no rows (\(range)):\n\(sql)")
                                    emptyResults.insert(key)
                                    continue
                                }
                                if t.format == "time_series" {
                                    let columns = rows[0].map(\.columnName)
                                    #expect(columns.contains("time"), "\(t): time_series without a time column: \(columns)")
                                    let times = try rows.map { try $0.makeRandomAccess()["time"].decode(Date.self) }
                                    #expect(times == times.sorted(), "\(t): time_series rows must be in ascending time")
                                    if Set(times).count > 1 { multiBucketResults += 1 }
                                }
                            } catch {
                                Issue.record("\(t) [\(label), \(range)] failed: \(String(reflecting: error))\n\(sql)")
                            }
                        }
                    }
                }
            }
            // The order check above only bites where a series has more than one bucket.
            #expect(multiBucketResults > 0, "no time series result had two time buckets")
            // A stale entry in the list of allowed empties is a mistake too.
            #expect(Set(grafanaAllowedEmpty.keys) == emptyResults, "allowed-empty list is out of date")
            print("Grafana dashboards: \(queries) queries run, \(multiBucketResults) time series results with several " +
                  "buckets, \(emptyResults.count) legitimately empty: " + emptyResults.sorted().joined(separator: "; "))
        }
    }
}
