import Foundation
import PostgresNIO

/// The validated parameters of an `opportunities()` call, from a query string or a WebSocket subscription.
///
/// Names and meanings follow the SQL function; list parameters are comma-separated. The defaults are the design
/// document's (`min_divergence` 0.0001, `min_profit` 0, `min_volume_24h` 100000 USD, `limit` 10, sorted by net profit
/// descending); `null` or an empty value of those in a subscription keeps the default. The document's names are
/// accepted beside the service's: `min_volume` for `min_volume_24h`, `min_profit_percent` for `min_profit`,
/// `sort_by=net_profit_percent` for `net_profit` (giving both names of one parameter is a 400).
public struct OpportunityQuery: Sendable, Hashable {
    public var symbol: String?
    public var symbols: [String]?
    public var longDex: String?
    public var shortDex: String?
    public var includeDexes: [String]?
    public var excludeDexes: [String]?
    public var quote: String?
    public var minDivergence: Double? = 0.0001
    public var minProfit: Double? = 0
    public var minVolume24h: Double? = 100_000
    public var maxVolume24h: Double?
    public var minOIUSD: Double?
    public var maxOIUSD: Double?
    public var oiRatioMin: Double?
    public var oiRatioMax: Double?
    public var oiImbalance: String?
    public var maxSpreadBps: Double?
    public var feeType: String = "taker"
    public var holdHours: Double = 8
    public var maxAgeSeconds: Int = 300
    public var volume30d: Double?
    public var limit: Int = 10
    public var sortBy: String = "net_profit"
    public var sortDesc: Bool = true
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

    /// Every parameter name understood (query strings and subscription filters).
    public static let parameterNames: Set<String> = [
        "symbol", "symbols", "long_dex", "short_dex", "include_dexes", "exclude_dexes", "dexes", "quote",
        "min_divergence", "min_profit", "min_profit_percent", "min_volume", "min_volume_24h", "max_volume_24h",
        "min_oi_usd", "max_oi_usd", "oi_ratio_min", "oi_ratio_max", "oi_imbalance", "max_spread_bps", "fee_type",
        "hold_hours", "max_age", "volume_30d", "limit", "sort_by", "sort_desc", "realised_period",
    ]

    public init() {}

    /// Reads and validates every parameter; names are checked against the catalog (404 when unknown).
    public static func parse(_ q: QueryReader, catalog: NameCatalog, maxLimit: Int = 1000) async throws
        -> OpportunityQuery
    {
        var o = OpportunityQuery()
        o.symbol = try await catalog.symbol(try q.string("symbol"))
        o.symbols = try await catalog.symbols(try q.list("symbols"))
        o.longDex = try await catalog.dex(try q.string("long_dex"))
        o.shortDex = try await catalog.dex(try q.string("short_dex"))
        o.includeDexes = try await catalog.dexes(try q.list("include_dexes") ?? q.list("dexes"))
        o.excludeDexes = try await catalog.dexes(try q.list("exclude_dexes"))
        o.quote = try q.quote()
        o.minDivergence = try q.double("min_divergence", min: -1, max: 1) ?? o.minDivergence
        o.minProfit = try q.double(anyOf: ["min_profit", "min_profit_percent"], min: -1, max: 1) ?? o.minProfit
        o.minVolume24h = try q.double(anyOf: ["min_volume_24h", "min_volume"], min: 0, max: 1e15) ?? o.minVolume24h
        o.maxVolume24h = try q.double("max_volume_24h", min: 0, max: 1e15)
        o.minOIUSD = try q.double("min_oi_usd", min: 0, max: 1e15)
        o.maxOIUSD = try q.double("max_oi_usd", min: 0, max: 1e15)
        o.oiRatioMin = try q.double("oi_ratio_min", min: 0, max: 1e6)
        o.oiRatioMax = try q.double("oi_ratio_max", min: 0, max: 1e6)
        o.oiImbalance = try q.choice("oi_imbalance", ["long_heavy", "short_heavy", "balanced"])
        o.maxSpreadBps = try q.double("max_spread_bps", min: 0, max: 10_000)
        o.feeType = try q.choice("fee_type", ["maker", "taker"], default: "taker")!
        o.holdHours = try q.double("hold_hours", min: 0.01, max: 8760) ?? 8
        o.maxAgeSeconds = try q.int("max_age", default: 300, range: 1...86_400)
        o.volume30d = try q.double("volume_30d", min: 0, max: 1e15)
        o.limit = try q.int("limit", default: 10, range: 1...maxLimit)
        let sortBy = try q.choice("sort_by", sortable + sortAliases.keys.sorted(), default: "net_profit")!
        o.sortBy = sortAliases[sortBy] ?? sortBy
        o.sortDesc = try q.bool("sort_desc", default: true)
        o.realisedDays = try q.choice("realised_period", realisedPeriods.keys.sorted()).flatMap { realisedPeriods[$0] }
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

    /// The parameters in effect, for `filters_applied`.
    func write(to w: inout JSONWriter) {
        w.object { o in
            o.field("symbol", symbol)
            if let symbols { o.field("symbols", strings: symbols) }
            o.field("long_dex", longDex)
            o.field("short_dex", shortDex)
            if let includeDexes { o.field("include_dexes", strings: includeDexes) }
            if let excludeDexes { o.field("exclude_dexes", strings: excludeDexes) }
            o.field("quote", quote)
            o.field("min_divergence", minDivergence)
            o.field("min_profit", minProfit)
            o.field("min_profit_percent", minProfit)
            o.field("min_volume_24h", minVolume24h)
            o.field("max_volume_24h", maxVolume24h)
            o.field("min_oi_usd", minOIUSD)
            o.field("max_oi_usd", maxOIUSD)
            o.field("oi_ratio_min", oiRatioMin)
            o.field("oi_ratio_max", oiRatioMax)
            o.field("oi_imbalance", oiImbalance)
            o.field("max_spread_bps", maxSpreadBps)
            o.field("fee_type", feeType)
            o.field("hold_hours", holdHours)
            o.field("max_age", maxAgeSeconds)
            o.field("volume_30d", volume30d)
            o.field("limit", limit)
            o.field("sort_by", sortBy)
            o.field("sort_desc", sortDesc)
            o.field("realised_period", realisedDays.map { "\($0)d" })
        }
    }
}
