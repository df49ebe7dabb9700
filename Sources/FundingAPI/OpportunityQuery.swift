import Foundation
import PostgresNIO

/// The validated parameters of an `opportunities()` call, from a query string or a WebSocket subscription.
///
/// Names and meanings follow the SQL function; list parameters are comma-separated. The defaults are the design
/// document's (`min_divergence` 0.0001, `min_profit` 0, `min_volume_24h` 100000 USD, `limit` 10, sorted by net profit
/// descending); `null` or an empty value of those in a subscription keeps the default. The document's names are
/// accepted beside the service's: `min_volume` for `min_volume_24h`, `min_profit_percent` for `min_profit`,
/// `sort_by=net_profit_percent` for `net_profit` (giving both names of one parameter is a 400). Names, ranges and
/// defaults are declared once, in `OpportunityQuery.parameters` (OpportunityParameter.swift); `init()` applies the
/// defaults, so the fields below carry none of their own.
public struct OpportunityQuery: Sendable, Hashable {
    public var symbol: String?
    public var symbols: [String]?
    public var longDex: String?
    public var shortDex: String?
    public var includeDexes: [String]?
    public var excludeDexes: [String]?
    public var quote: String?
    public var minDivergence: Double?
    public var minProfit: Double?
    public var minVolume24h: Double?
    public var maxVolume24h: Double?
    public var minOIUSD: Double?
    public var maxOIUSD: Double?
    public var oiRatioMin: Double?
    public var oiRatioMax: Double?
    public var oiImbalance: String?
    public var maxSpreadBps: Double?
    public var feeType = ""
    public var holdHours = 0.0
    public var maxAgeSeconds = 0
    public var volume30d: Double?
    public var limit = 0
    public var sortBy = ""
    public var sortDesc = false
    /// `realised_period` in days (1, 7 or 30): each pair also gets what holding it over that many past days earned
    /// from settled funding (`realised_*` columns, from `realised_funding()`); nil: those columns are null.
    public var realisedDays: Int?
    /// Stream only: send the design document's per-pair `opportunity_update` messages instead of batched frames
    /// (subscribers of one query in different formats form different groups).
    public var documentMessages = false

    /// Numeric result columns `sort_by` accepts.
    public static let sortable = [
        "long_interval_hours", "short_interval_hours", "long_rate", "short_rate", "long_rate_8h", "short_rate_8h",
        "divergence", "estimated_fees", "net_profit", "annualized_apy", "break_even_hours", "long_oi_usd",
        "short_oi_usd", "min_oi_usd", "max_oi_usd", "oi_ratio", "long_volume_24h", "short_volume_24h",
        "min_volume_24h", "long_spread_bps", "short_spread_bps", "price_spread_bps", "long_mark_price",
        "short_mark_price", "long_fee", "short_fee",
    ] + realisedColumns

    /// The columns `realised_period` fills (sorting by one without a period means `realised_period=7d`).
    public static let realisedColumns = ["realised_funding_return", "realised_net_return", "realised_net_apr"]

    /// `realised_period` values and their days.
    static let realisedPeriods = ["1d": 1, "7d": 7, "30d": 30]

    /// `sort_by` names of the design document and the columns they mean.
    public static let sortAliases = ["net_profit_percent": "net_profit"]

    /// Every parameter name understood (query strings and subscription filters), aliases included.
    public static let parameterNames: Set<String> = Set(parameters.flatMap { [$0.name] + $0.aliases })

    /// Every parameter at the default its declaration gives.
    public init() {
        for p in Self.parameters { p.applyDefault(to: &self) }
    }

    /// Reads and validates every declared parameter (names against the catalog: 404 when unknown), then the rules
    /// between parameters.
    public static func parse(_ q: QueryReader, catalog: any NameResolving) async throws
        -> OpportunityQuery
    {
        var o = OpportunityQuery()
        for p in parameters { try await p.read(q, into: &o, catalog: catalog) }
        o.sortBy = sortAliases[o.sortBy] ?? o.sortBy
        // Sorting by a realised column asks for it: without a period, the last 7 days (`filters_applied` says so).
        if realisedColumns.contains(o.sortBy), o.realisedDays == nil { o.realisedDays = 7 }
        if let lo = o.minVolume24h, let hi = o.maxVolume24h, lo > hi {
            throw APIError.invalidParameter("max_volume_24h", "must not be below min_volume_24h")
        }
        if let lo = o.minOIUSD, let hi = o.maxOIUSD, lo > hi {
            throw APIError.invalidParameter("max_oi_usd", "must not be below min_oi_usd")
        }
        if let lo = o.oiRatioMin, let hi = o.oiRatioMax, lo > hi {
            throw APIError.invalidParameter("oi_ratio_max", "must not be below oi_ratio_min")
        }
        return o
    }

    /// The parameters in effect, for `filters_applied` (each under its name; `min_profit` also under the design
    /// document's `min_profit_percent`, which its example echoes).
    var filtersApplied: [String: JSONFragment] {
        var out: [String: JSONFragment] = [:]
        for p in Self.parameters {
            guard let value = p.applied(self) else { continue }
            out[p.name] = value
            for alias in p.aliases where p.echoesAliases { out[alias] = value }
        }
        return out
    }
}
