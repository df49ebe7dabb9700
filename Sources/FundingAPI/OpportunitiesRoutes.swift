import Foundation
import Hummingbird

/// What the opportunity-query routes read: the first `limit` pairs of a query in its order, and the number of all
/// matches (`APIDatabase` in the service, an in-memory fake in route tests).
public protocol OpportunityReading: Sendable {
    func opportunities(_ q: OpportunityQuery) async throws -> (rows: [ResultRow], total: Int)
}

extension APIDatabase: OpportunityReading {}

/// The routes answered by one opportunity query: `GET /api/v1/opportunities`, `/best`, `/symbol/{symbol}` and
/// `/compare`. They validate (`OpportunityQuery.parse`), call `reads` once and shape the design document's answer.
struct OpportunityQueryRoutes: Sendable {
    let reads: any OpportunityReading
    let names: any NameResolving

    /// The query parameters of every opportunities route (the design document's names and the service's).
    static let parameters = OpportunityQuery.parameterNames.sorted()

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/opportunities", query: Self.parameters) { request, context in
            let q = try await OpportunityQuery.parse(request.query, catalog: names)
            return try await answer(q).response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/opportunities/best", query: Self.parameters) { request, context in
            try await best(request).response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/opportunities/symbol/{symbol}",
                         query: Self.parameters.filter { $0 != "symbol" }) { request, context in
            let symbol = try await names.symbol(context.path("symbol")) as String
            var q = try await OpportunityQuery.parse(request.query, catalog: names)
            q.symbol = symbol
            return try await answer(q).response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/opportunities/compare", query: ["dex1", "dex2"] + Self.parameters) {
            request, context in
            try await compare(request).response(from: request, context: context)
        }
    }

    func answer(_ q: OpportunityQuery) async throws -> OpportunitiesResponse {
        let (rows, total) = try await reads.opportunities(q)
        return OpportunitiesResponse(opportunities: rows, totalCount: total, filtersApplied: q.filtersApplied,
                                     generatedAt: Date())
    }

    /// The design document's comparison: per symbol the better direction between the two dexes, as
    /// `rate_diff` (its 8 h divergence), `better_on` (the dex with the higher rate, where the short leg goes),
    /// `recommendation` (`short_on_<dex>_long_on_<dex>`) and every opportunity field; `pairs` lists both directions
    /// of every market pair. No profitability, divergence or volume filter unless asked; `limit` (default 1000)
    /// bounds `pairs`.
    func compare(_ request: Request) async throws -> OpportunityComparison {
        let r = request.query
        guard let d1 = try r.string("dex1") else { throw APIError.invalidParameter("dex1", "required") }
        guard let d2 = try r.string("dex2") else { throw APIError.invalidParameter("dex2", "required") }
        let dex1 = try await names.dex(d1) as String
        let dex2 = try await names.dex(d2) as String
        guard dex1 != dex2 else { throw APIError.invalidParameter("dex2", "must differ from dex1") }
        var q = try await OpportunityQuery.parse(r, catalog: names)
        if try r.string("min_divergence") == nil { q.minDivergence = nil }
        if try r.string(anyOf: ["min_volume_24h", "min_volume"]) == nil { q.minVolume24h = nil }
        if try r.string(anyOf: ["min_profit", "min_profit_percent"]) == nil { q.minProfit = nil }
        if try r.string("limit") == nil { q.limit = 1000 }
        q.includeDexes = [dex1, dex2]
        let (rows, total) = try await reads.opportunities(q)
        var best: [String: ResultRow] = [:]
        for row in rows {
            guard let symbol = row["symbol"]?.string else { continue }
            if let current = best[symbol],
               (current["net_profit"]?.double ?? -.infinity) >= (row["net_profit"]?.double ?? -.infinity) { continue }
            best[symbol] = row
        }
        return OpportunityComparison(
            dex1: dex1, dex2: dex2,
            opportunities: best.keys.sorted().map { symbol in
                let row = best[symbol]!
                let long = row["long_dex"]?.string ?? "", short = row["short_dex"]?.string ?? ""
                return MergedObject(row, .init(rateDiff: row["divergence"] ?? .null, betterOn: short,
                                               recommendation: "short_on_\(short)_long_on_\(long)"))
            },
            symbol: q.symbol, pairs: rows, totalCount: total, filtersApplied: q.filtersApplied, generatedAt: Date())
    }

    /// The design document's single best opportunity under the `/opportunities` parameters: `opportunity` (null
    /// when none qualifies), `rank` 1, `total_opportunities` (how many qualify).
    func best(_ request: Request) async throws -> BestOpportunityResponse {
        var q = try await OpportunityQuery.parse(request.query, catalog: names)
        q.limit = 1
        let (rows, total) = try await reads.opportunities(q)
        return BestOpportunityResponse(opportunity: rows.first, rank: rows.isEmpty ? nil : 1, totalOpportunities: total,
                                       filtersApplied: q.filtersApplied, generatedAt: Date())
    }

}

/// `GET /api/v1/opportunities/best-by-symbol`, `/persistence` and `GET /api/v1/rankings/funding`.
struct OpportunitiesRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/opportunities/best-by-symbol", query: ["symbol", "limit"]) { request, context in
            try await bestBySymbol(request).response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/opportunities/persistence", query: ["symbol", "limit"]) { request, context in
            try await persistence(request).response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/rankings/funding", query: [
            "order", "dex", "symbol", "quote", "min_oi_usd", "max_oi_usd", "min_volume_24h", "max_age", "limit",
        ]) { request, context in try await rankings(request).response(from: request, context: context) }
    }

    /// The best pair of every symbol (`best_opportunities`, default parameters).
    func bestBySymbol(_ request: Request) async throws -> RowListResponse {
        let r = request.query
        let symbol = try await deps.catalog.symbol(try r.string("symbol"))
        let limit = try r.int("limit", default: 10, range: 1...1000)
        let rows = try await deps.database.bestOpportunities(symbol: symbol, limit: limit)
        return RowListResponse(key: "opportunities", rows: rows, fields: ["generated_at": .date(Date())])
    }

    func persistence(_ request: Request) async throws -> RowListResponse {
        let r = request.query
        let symbol = try await deps.catalog.symbol(try r.string("symbol"))
        let limit = try r.int("limit", default: 50, range: 1...1000)
        let rows = try await deps.database.opportunityPersistence(symbol: symbol, limit: limit)
        return RowListResponse(key: "persistence", rows: rows, fields: ["generated_at": .date(Date())])
    }

    func rankings(_ request: Request) async throws -> RowListResponse {
        let r = request.query
        let dexes = try await deps.catalog.dexes(try r.list("dex"))
        let symbol = try await deps.catalog.symbol(try r.string("symbol"))
        let quote = try r.quote()
        let order = try r.choice("order", ["desc", "asc"], default: "desc")!
        let minOI = try r.double("min_oi_usd", min: 0, max: 1e15)
        let maxOI = try r.double("max_oi_usd", min: 0, max: 1e15)
        let minVolume = try r.double("min_volume_24h", min: 0, max: 1e15)
        let maxAge = try r.int("max_age", default: 300, range: 1...86_400)
        let limit = try r.int("limit", default: 20, range: 1...1000)
        if let lo = minOI, let hi = maxOI, lo > hi {
            throw APIError.invalidParameter("max_oi_usd", "must not be below min_oi_usd")
        }
        let rows = try await deps.database.fundingRankings(
            order: order, dexes: dexes, quote: quote, minOIUSD: minOI, maxOIUSD: maxOI, minVolume24h: minVolume,
            limit: limit, maxAgeSeconds: Double(maxAge), symbol: symbol)
        return RowListResponse(key: "rankings", rows: rows,
                               fields: ["order": .string(order), "generated_at": .date(Date())])
    }
}

/// `GET /api/v1/opportunities` and `/symbol/{symbol}`: the first pairs in order, the number of all matches and every
/// parameter in effect.
struct OpportunitiesResponse: ResponseEncodable, Sendable {
    /// `opportunities_page()`'s rows with the route's additions (docs/api.md).
    var opportunities: [ResultRow]
    var totalCount: Int
    var filtersApplied: [String: JSONFragment]
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case opportunities
        case totalCount = "total_count"
        case filtersApplied = "filters_applied"
        case generatedAt = "generated_at"
    }
}

/// `GET /api/v1/opportunities/best`: the design document's `{opportunity, rank, total_opportunities}`.
struct BestOpportunityResponse: ResponseEncodable, Sendable {
    @NullWhenAbsent var opportunity: ResultRow?
    @NullWhenAbsent var rank: Int?
    var totalOpportunities: Int
    var filtersApplied: [String: JSONFragment]
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case opportunity, rank
        case totalOpportunities = "total_opportunities"
        case filtersApplied = "filters_applied"
        case generatedAt = "generated_at"
    }
}

/// `GET /api/v1/opportunities/compare`: per symbol the better direction between two dexes, and every pair.
struct OpportunityComparison: ResponseEncodable, Sendable {
    /// The design document's comparison fields, added to each opportunity.
    struct Comparison: Encodable, Sendable {
        /// The pair's 8 h divergence.
        var rateDiff: ResultValue
        /// The dex with the higher rate (the short leg's).
        var betterOn: String
        var recommendation: String

        enum CodingKeys: String, CodingKey {
            case recommendation
            case rateDiff = "rate_diff"
            case betterOn = "better_on"
        }
    }

    var dex1: String
    var dex2: String
    var opportunities: [MergedObject<ResultRow, Comparison>]
    @NullWhenAbsent var symbol: String?
    var pairs: [ResultRow]
    var totalCount: Int
    var filtersApplied: [String: JSONFragment]
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case dex1, dex2, opportunities, symbol, pairs
        case totalCount = "total_count"
        case filtersApplied = "filters_applied"
        case generatedAt = "generated_at"
    }
}
