import Foundation
import PostgresNIO

/// One parameter of the opportunity queries (`/opportunities`, `/best`, `/symbol/{symbol}`, `/compare` and the
/// opportunities stream): its name and aliases, what it accepts, its default, the field of `OpportunityQuery` it
/// fills and the `current_opportunities()` argument it binds. `OpportunityQuery.parameters` is the only list: it
/// drives parsing, the known names (a 400 for any other), `filters_applied`, the statement's bindings
/// (`OpportunitiesStatement`), and `OpportunityOpenAPITests` checks `docs/openapi.json` against it.
public struct OpportunityParameter: Sendable {
    public typealias Field<Value> = WritableKeyPath<OpportunityQuery, Value> & Sendable

    /// What a value must be, where it goes, and its default (the value when the parameter is absent).
    public enum Kind: Sendable {
        /// A symbol the catalog knows (404 otherwise).
        case symbol(Field<String?>)
        /// Comma-separated symbols the catalog knows.
        case symbols(Field<[String]?>)
        /// A dex the catalog knows (404 otherwise).
        case dex(Field<String?>)
        /// Comma-separated dexes the catalog knows.
        case dexes(Field<[String]?>)
        /// A quote asset, upper-cased, at most 16 characters.
        case quote(Field<String?>)
        /// A decimal number in the range.
        case number(Field<Double?>, ClosedRange<Double>, default: Double?)
        /// A decimal number in the range, never absent.
        case requiredNumber(Field<Double>, ClosedRange<Double>, default: Double)
        /// Whole seconds in the range, bound as an interval.
        case seconds(Field<Int>, ClosedRange<Int>, default: Int)
        /// An integer in the range.
        case integer(Field<Int>, ClosedRange<Int>, default: Int)
        /// One of these words, spelled exactly.
        case choice(Field<String?>, [String])
        /// One of these words, never absent.
        case requiredChoice(Field<String>, [String], default: String)
        /// true/false (also 1/0, yes/no).
        case flag(Field<Bool>, default: Bool)
        /// A period word (`7d`) stored as its days.
        case days(Field<Int?>, [String: Int])
    }

    /// The service's name (query string, subscription filter, `filters_applied`).
    public var name: String
    /// Other accepted names (the design document's); giving two names of one parameter is a 400.
    public var aliases: [String] = []
    public var kind: Kind
    /// The `current_opportunities()` argument it fills; nil for what the statement applies itself (sorting, limit,
    /// the symbols list, realised returns).
    public var argument: String?
    /// `filters_applied` also shows the value under each alias (the design document's example names
    /// `min_profit_percent`).
    public var echoesAliases = false

    /// Every name, service's first.
    var names: [String] { [name] + aliases }

    func applyDefault(to o: inout OpportunityQuery) {
        switch kind {
        case .symbol(let f), .dex(let f), .quote(let f), .choice(let f, _): o[keyPath: f] = nil
        case .symbols(let f), .dexes(let f): o[keyPath: f] = nil
        case .number(let f, _, let d): o[keyPath: f] = d
        case .requiredNumber(let f, _, let d): o[keyPath: f] = d
        case .seconds(let f, _, let d), .integer(let f, _, let d): o[keyPath: f] = d
        case .requiredChoice(let f, _, let d): o[keyPath: f] = d
        case .flag(let f, let d): o[keyPath: f] = d
        case .days(let f, _): o[keyPath: f] = nil
        }
    }

    /// Reads the parameter (under any of its names) into `o`; absent leaves the default.
    func read(_ q: QueryReader, into o: inout OpportunityQuery, catalog: any NameResolving) async throws {
        guard let (given, _) = try q.string(anyOf: names) else { return }
        switch kind {
        case .symbol(let f): o[keyPath: f] = try await catalog.symbol(try q.string(given))
        case .symbols(let f): o[keyPath: f] = try await catalog.symbols(try q.list(given))
        case .dex(let f): o[keyPath: f] = try await catalog.dex(try q.string(given))
        case .dexes(let f): o[keyPath: f] = try await catalog.dexes(try q.list(given))
        case .quote(let f):
            let raw = try q.string(given)!
            guard raw.count <= 16 else { throw APIError.invalidParameter(given, "too long (at most 16 characters)") }
            o[keyPath: f] = raw.uppercased()
        case .number(let f, let r, _): o[keyPath: f] = try q.double(given, min: r.lowerBound, max: r.upperBound)
        case .requiredNumber(let f, let r, _):
            o[keyPath: f] = try q.double(given, min: r.lowerBound, max: r.upperBound)!
        case .seconds(let f, let r, let d), .integer(let f, let r, let d): o[keyPath: f] = try q.int(given, default: d, range: r)
        case .choice(let f, let allowed): o[keyPath: f] = try q.choice(given, allowed)
        case .requiredChoice(let f, let allowed, _): o[keyPath: f] = try q.choice(given, allowed)!
        case .flag(let f, let d): o[keyPath: f] = try q.bool(given, default: d)
        case .days(let f, let periods):
            o[keyPath: f] = try q.choice(given, periods.keys.sorted { periods[$0]! < periods[$1]! }).flatMap { periods[$0] }
        }
    }

    /// The value in effect for `filters_applied`: null when unset, lists left out (nil) unless given.
    func applied(_ o: OpportunityQuery) -> JSONFragment? {
        func text(_ v: String?) -> JSONFragment { v.map(JSONFragment.string) ?? .null }
        func number(_ v: Double?) -> JSONFragment { v.map(JSONFragment.number) ?? .null }
        switch kind {
        case .symbol(let f), .dex(let f), .quote(let f), .choice(let f, _): return text(o[keyPath: f])
        case .symbols(let f), .dexes(let f): return o[keyPath: f].map { .array($0.map(JSONFragment.string)) }
        case .number(let f, _, _): return number(o[keyPath: f])
        case .requiredNumber(let f, _, _): return .number(o[keyPath: f])
        case .seconds(let f, _, _), .integer(let f, _, _): return .number(Double(o[keyPath: f]))
        case .requiredChoice(let f, _, _): return .string(o[keyPath: f])
        case .flag(let f, _): return .bool(o[keyPath: f])
        case .days(let f, let periods):
            return text(o[keyPath: f].flatMap { days in periods.first { $0.value == days }?.key })
        }
    }

    /// The SQL type the value is bound as (seconds as float8, for `make_interval(secs => …)`).
    var sqlType: String {
        switch kind {
        case .symbol, .dex, .quote, .choice, .requiredChoice: "text"
        case .symbols, .dexes: "text[]"
        case .number, .requiredNumber, .seconds: "float8"
        case .integer: "int8"
        case .flag: "bool"
        case .days: "int"
        }
    }

    /// Appends the value of `o` to the statement's bindings (in `sqlType`).
    func bind(_ o: OpportunityQuery, to b: inout PostgresBindings) throws {
        switch kind {
        case .symbol(let f), .dex(let f), .quote(let f), .choice(let f, _): try b.append(o[keyPath: f])
        case .symbols(let f), .dexes(let f): try b.append(o[keyPath: f])
        case .number(let f, _, _): try b.append(o[keyPath: f])
        case .requiredNumber(let f, _, _): try b.append(o[keyPath: f])
        case .seconds(let f, _, _): try b.append(Double(o[keyPath: f]))
        case .integer(let f, _, _): try b.append(o[keyPath: f])
        case .requiredChoice(let f, _, _): try b.append(o[keyPath: f])
        case .flag(let f, _): try b.append(o[keyPath: f])
        case .days(let f, _): try b.append(o[keyPath: f].map(Int32.init))  // int4: a bound Int (int8) is refused
        }
    }
}

extension OpportunityQuery {
    /// The opportunity parameters, in the order of `filters_applied` and of the statement's bindings. The design
    /// document's defaults: `min_divergence` 0.0001, `min_profit` 0, `min_volume_24h` 100000 USD, `limit` 10,
    /// sorted by net profit descending.
    public static let parameters: [OpportunityParameter] = [
        .init(name: "symbol", kind: .symbol(\.symbol), argument: "symbol"),
        .init(name: "symbols", kind: .symbols(\.symbols)),
        .init(name: "long_dex", kind: .dex(\.longDex), argument: "long_dex"),
        .init(name: "short_dex", kind: .dex(\.shortDex), argument: "short_dex"),
        .init(name: "include_dexes", aliases: ["dexes"], kind: .dexes(\.includeDexes), argument: "include_dexes"),
        .init(name: "exclude_dexes", kind: .dexes(\.excludeDexes), argument: "exclude_dexes"),
        .init(name: "quote", kind: .quote(\.quote), argument: "quote"),
        .init(name: "min_divergence", kind: .number(\.minDivergence, -1...1, default: 0.0001),
              argument: "min_divergence"),
        .init(name: "min_profit", aliases: ["min_profit_percent"], kind: .number(\.minProfit, -1...1, default: 0),
              argument: "min_profit", echoesAliases: true),
        .init(name: "min_volume_24h", aliases: ["min_volume"], kind: .number(\.minVolume24h, 0...1e15, default: 100_000),
              argument: "min_volume_24h"),
        .init(name: "max_volume_24h", kind: .number(\.maxVolume24h, 0...1e15, default: nil), argument: "max_volume_24h"),
        .init(name: "min_oi_usd", kind: .number(\.minOIUSD, 0...1e15, default: nil), argument: "min_oi_usd"),
        .init(name: "max_oi_usd", kind: .number(\.maxOIUSD, 0...1e15, default: nil), argument: "max_oi_usd"),
        .init(name: "oi_ratio_min", kind: .number(\.oiRatioMin, 0...1e6, default: nil), argument: "oi_ratio_min"),
        .init(name: "oi_ratio_max", kind: .number(\.oiRatioMax, 0...1e6, default: nil), argument: "oi_ratio_max"),
        .init(name: "oi_imbalance", kind: .choice(\.oiImbalance, ["long_heavy", "short_heavy", "balanced"]),
              argument: "oi_imbalance"),
        .init(name: "max_spread_bps", kind: .number(\.maxSpreadBps, 0...10_000, default: nil), argument: "max_spread_bps"),
        .init(name: "fee_type", kind: .requiredChoice(\.feeType, ["maker", "taker"], default: "taker"),
              argument: "fee_type"),
        .init(name: "hold_hours", kind: .requiredNumber(\.holdHours, 0.01...8760, default: 8), argument: "hold_hours"),
        .init(name: "max_age", kind: .seconds(\.maxAgeSeconds, 1...86_400, default: 300), argument: "max_age"),
        .init(name: "volume_30d", kind: .number(\.volume30d, 0...1e15, default: nil), argument: "volume_30d"),
        .init(name: "limit", kind: .integer(\.limit, 1...1000, default: 10)),
        .init(name: "sort_by", kind: .requiredChoice(\.sortBy, sortable + sortAliases.keys.sorted(), default: "net_profit")),
        .init(name: "sort_desc", kind: .flag(\.sortDesc, default: true)),
        .init(name: "realised_period", kind: .days(\.realisedDays, realisedPeriods)),
    ]
}
