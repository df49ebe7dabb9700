import Foundation
import NIOCore
import PostgresNIO

/// One parameter of a dashboard read: where it comes from, what it accepts, and the SQL argument it fills.
public struct DashboardParameter: Sendable, Hashable {
    /// What a value must be; each kind also fixes the SQL type it is bound as.
    public enum Kind: Sendable, Hashable {
        /// A symbol (asset) the catalog knows; 404 otherwise. Upper-cased.
        case symbol
        /// A dex the catalog knows; 404 otherwise. Lower-cased.
        case dex
        /// Comma-separated known dexes.
        case dexes
        /// Free text (a venue's contract name, a search string), at most 64 characters.
        case text
        /// An integer in the range.
        case integer(ClosedRange<Int>)
        /// A decimal number in the range.
        case number(ClosedRange<Double>)
        /// Whole seconds in the range, passed to SQL as an interval.
        case seconds(ClosedRange<Int>)
        /// One of these words, spelled exactly.
        case choice([String])
    }

    /// The API's name (path segment or query parameter).
    public var name: String
    /// The SQL function's argument it fills (`p_max_age`).
    public var argument: String
    public var kind: Kind
    /// A path parameter (always given) or a query parameter (optional: when absent the SQL default applies, so the
    /// default is written once, in the function's signature).
    public var inPath: Bool

    static func path(_ name: String, _ argument: String, _ kind: Kind) -> DashboardParameter {
        DashboardParameter(name: name, argument: argument, kind: kind, inPath: true)
    }

    static func query(_ name: String, _ argument: String, _ kind: Kind) -> DashboardParameter {
        DashboardParameter(name: name, argument: argument, kind: kind, inPath: false)
    }

    /// `max_age`: seconds a contract's newest sample may be old (the SQL default is 900).
    static let maxAge = query("max_age", "p_max_age", .seconds(1...2_592_000))
    /// The history window in days.
    static let days = query("days", "p_days", .integer(1...90))
}

/// A dashboard read: one GET route answered by one SQL function of `schema/0099_dashboard.sql` that returns the
/// whole JSON document. This declaration is the route's only description: it registers the path and its query
/// names, validates every value, binds the function's arguments, and the OpenAPI agreement test checks
/// `docs/openapi.json` against it.
public struct DashboardRead: Sendable, Hashable {
    /// OpenAPI-style path (`/api/v1/contracts-by-asset/{asset}`).
    public var path: String
    /// The SQL function (`dashboard_contracts`).
    public var function: String
    public var parameters: [DashboardParameter]
    /// The 404 message when the function answers NULL (the named contract or pair does not exist).
    public var missing: String?

    public var queryNames: [String] { parameters.filter { !$0.inPath }.map(\.name) }

    /// Every dashboard read (the product's funding dashboard endpoints, under /api/v1).
    public static let all: [DashboardRead] = [
        DashboardRead(path: "/api/v1/funding-rates-grid", function: "dashboard_grid", parameters: [
            .maxAge, .query("quote", "p_quote", .text), .query("dexes", "p_dexes", .dexes),
            .query("search", "p_search", .text),
        ]),
        DashboardRead(path: "/api/v1/contracts-by-asset/{asset}", function: "dashboard_contracts",
                      parameters: [.path("asset", "p_symbol", .symbol), .maxAge]),
        DashboardRead(path: "/api/v1/current-funding/{asset}", function: "dashboard_contracts",
                      parameters: [.path("asset", "p_symbol", .symbol), .maxAge]),
        DashboardRead(path: "/api/v1/historical-funding-by-asset/{asset}", function: "dashboard_asset_history",
                      parameters: [.path("asset", "p_symbol", .symbol), .days,
                                   .query("interval", "p_interval", .choice(["1h", "1d"]))]),
        DashboardRead(path: "/api/v1/historical-funding-by-contract/{dex}/{contract}",
                      function: "dashboard_contract_history",
                      parameters: [.path("dex", "p_dex", .dex), .path("contract", "p_dex_symbol", .text), .days,
                                   .query("interval", "p_interval", .choice(["1h", "1d"]))],
                      missing: "the dex lists no such contract"),
        DashboardRead(path: "/api/v1/funding-sparkline/{asset}", function: "dashboard_sparkline",
                      parameters: [.path("asset", "p_symbol", .symbol), .query("hours", "p_hours", .integer(1...168)),
                                   .maxAge]),
        DashboardRead(path: "/api/v1/contracts-with-zscores", function: "dashboard_zscores", parameters: [
            .query("dexes", "p_dexes", .dexes), .query("min_abs_zscore", "p_min_abs_zscore", .number(0...100)),
            .query("limit", "p_limit", .integer(1...5000)),
        ]),
        DashboardRead(path: "/api/v1/zscore-summary", function: "dashboard_zscore_summary", parameters: []),
        DashboardRead(path: "/api/v1/statistics/summary", function: "dashboard_statistics", parameters: [.maxAge]),
        DashboardRead(path: "/api/v1/statistics/extreme-values", function: "dashboard_extremes",
                      parameters: [.query("limit", "p_limit", .integer(1...100)), .maxAge]),
        DashboardRead(path: "/api/v1/top-apr/{limit}", function: "dashboard_top_apr",
                      parameters: [.path("limit", "p_limit", .integer(1...500)), .maxAge]),
        DashboardRead(path: "/api/v1/assets", function: "dashboard_assets",
                      parameters: [.maxAge, .query("quote", "p_quote", .text)]),
        DashboardRead(path: "/api/v1/exchanges", function: "dashboard_dexes", parameters: [.maxAge]),
        DashboardRead(path: "/api/v1/arbitrage/opportunities", function: "dashboard_opportunities", parameters: [
            .query("page", "p_page", .integer(1...100_000)), .query("page_size", "p_page_size", .integer(1...500)),
            .query("search", "p_search", .text), .query("dexes", "p_dexes", .dexes),
            .query("min_profit", "p_min_profit", .number(-1...1)), .maxAge,
        ]),
        DashboardRead(path: "/api/v1/arbitrage/assets/search", function: "dashboard_asset_search", parameters: [
            .query("q", "p_query", .text), .query("limit", "p_limit", .integer(1...100)), .maxAge,
        ]),
        DashboardRead(path: "/api/v1/arbitrage/opportunity-detail/{asset}/{long_exchange}/{short_exchange}",
                      function: "dashboard_opportunity_detail", parameters: [
                          .path("asset", "p_symbol", .symbol), .path("long_exchange", "p_long_dex", .dex),
                          .path("short_exchange", "p_short_dex", .dex),
                          .query("long_contract", "p_long_dex_symbol", .text),
                          .query("short_contract", "p_short_dex_symbol", .text), .days, .maxAge,
                      ], missing: "one of the dexes lists no contract of the asset"),
    ]
}

/// A validated value bound to one SQL argument.
public enum DashboardValue: Sendable, Hashable {
    case text(String)
    case texts([String])
    case integer(Int)
    case number(Double)
    case seconds(Int)
}

/// One SQL argument of a call and its validated value.
public struct DashboardArgument: Sendable, Hashable {
    public var name: String
    public var value: DashboardValue
}

/// A dashboard read with its arguments: the SQL function and its arguments in declaration order.
public struct DashboardCall: Sendable, Hashable {
    public var function: String
    public var arguments: [DashboardArgument]

    /// `SELECT public.<function>(p_a => $1::text, ...)::text` with its bindings: named arguments, so an omitted
    /// query parameter takes the function's own default.
    public var query: PostgresQuery {
        var bindings = PostgresBindings()
        var sql: [String] = []
        for (i, argument) in arguments.enumerated() {
            let name = argument.name
            let n = "$\(i + 1)"
            switch argument.value {
            case .text(let s): bindings.append(s); sql.append("\(name) => \(n)::text")
            case .texts(let s): bindings.append(s); sql.append("\(name) => \(n)::text[]")
            case .integer(let v): bindings.append(v); sql.append("\(name) => \(n)::int")
            case .number(let v): bindings.append(v); sql.append("\(name) => \(n)::float8")
            case .seconds(let v): bindings.append(v); sql.append("\(name) => make_interval(secs => \(n)::float8)")
            }
        }
        // `function` comes from `DashboardRead.all`, never from a request.
        return PostgresQuery(unsafeSQL: "SELECT public.\(function)(\(sql.joined(separator: ", ")))::text",
                             binds: bindings)
    }
}

/// What the dashboard routes read: one JSON document per call, or nil when the function answers NULL.
public protocol DashboardReading: Sendable {
    func dashboard(_ call: DashboardCall) async throws -> ByteBuffer?
}

/// The dex and symbol names the dashboard routes check before reading (404 for an unknown one).
public protocol NameResolving: Sendable {
    /// The canonical (lower-case) dex name, or a 404 `APIError`.
    func dex(_ raw: String) async throws -> String
    /// The canonical (upper-case) symbol, or a 404 `APIError`.
    func symbol(_ raw: String) async throws -> String
}

extension NameCatalog: NameResolving {}

extension NameResolving {
    /// The canonical name of an optional dex (nil stays nil).
    public func dex(_ raw: String?) async throws -> String? {
        guard let raw else { return nil }
        return try await dex(raw) as String
    }

    /// The canonical name of an optional symbol (nil stays nil).
    public func symbol(_ raw: String?) async throws -> String? {
        guard let raw else { return nil }
        return try await symbol(raw) as String
    }

    /// Each dex's canonical name, in order; a 404 for the first unknown one.
    public func dexes(_ raw: [String]?) async throws -> [String]? {
        guard let raw else { return nil }
        var out: [String] = []
        for r in raw { out.append(try await dex(r) as String) }
        return out
    }

    /// Each symbol's canonical name, in order; a 404 for the first unknown one.
    public func symbols(_ raw: [String]?) async throws -> [String]? {
        guard let raw else { return nil }
        var out: [String] = []
        for r in raw { out.append(try await symbol(r) as String) }
        return out
    }
}

extension APIDatabase: DashboardReading {
    /// The document's bytes as they arrive, never decoded: they become the response body as they are (a 5,000-market
    /// grid is 3.6 MB; a String and a copy of it cost the server several milliseconds per request).
    public func dashboard(_ call: DashboardCall) async throws -> ByteBuffer? {
        try await rows(call.query) { try $0.decode(ByteBuffer?.self) }.first ?? nil
    }
}
