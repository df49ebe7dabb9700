import Foundation
import Hummingbird

/// `GET /api/v1/leaderboards` (the registry: names, descriptions, units, windows, parameters) and
/// `GET /api/v1/leaderboards/{name}` (one board ranked by `leaderboard()`, schema/0090).
///
/// The boards, their windows and their arithmetic live in SQL (the `leaderboards` table and its metric functions);
/// this file only validates the filters and shapes the answer.
struct LeaderboardRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/leaderboards") { request, context in
            try await index().response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/leaderboards/{name}", query: LeaderboardQuery.parameters.map(\.name)) {
            request, context in
            try await board(try context.path("name"), request.query).response(from: request, context: context)
        }
    }

    func index() async throws -> LeaderboardIndexResponse {
        let rows = try await deps.database.leaderboardRegistry()
        return LeaderboardIndexResponse(
            leaderboards: rows, count: rows.count,
            parameters: LeaderboardQuery.parameters.map { .init(name: $0.name, description: $0.description) },
            generatedAt: Date())
    }

    func board(_ name: String, _ r: QueryReader) async throws -> LeaderboardResponse {
        let registry = try await deps.database.leaderboardRegistry()
        let (q, entry) = try await LeaderboardQuery.parse(name: name, r, registry: registry, catalog: deps.catalog)
        let rows = try await deps.database.leaderboard(q)
        return LeaderboardResponse(
            leaderboard: q.name, description: entry["description"] ?? .null, valueUnit: entry["value_unit"] ?? .null,
            window: q.window, entries: rows, count: rows.count,
            filtersApplied: .init(dex: q.dexes, quote: q.quote, minVolume24h: q.minVolume, minOIUSD: q.minOI,
                                  maxAge: q.maxAge, limit: q.limit),
            generatedAt: Date())
    }
}

/// `GET /api/v1/leaderboards`: the registry (`leaderboards` rows) and the parameters every board takes.
struct LeaderboardIndexResponse: ResponseEncodable, Sendable {
    struct Parameter: Encodable, Sendable {
        var name: String
        var description: String
    }

    var leaderboards: [ResultRow]
    var count: Int
    var parameters: [Parameter]
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case leaderboards, count, parameters
        case generatedAt = "generated_at"
    }
}

/// `GET /api/v1/leaderboards/{name}`: one board's rows (`leaderboard()`'s columns) and the filters it ran with.
struct LeaderboardResponse: ResponseEncodable, Sendable {
    /// Every filter, null when not given.
    struct Filters: Encodable, Sendable {
        @NullWhenAbsent var dex: [String]?
        @NullWhenAbsent var quote: String?
        @NullWhenAbsent var minVolume24h: Double?
        @NullWhenAbsent var minOIUSD: Double?
        var maxAge: Int
        var limit: Int

        enum CodingKeys: String, CodingKey {
            case dex, quote, limit
            case minVolume24h = "min_volume_24h"
            case minOIUSD = "min_oi_usd"
            case maxAge = "max_age"
        }
    }

    var leaderboard: String
    var description: ResultValue
    var valueUnit: ResultValue
    @NullWhenAbsent var window: String?
    var entries: [ResultRow]
    var count: Int
    var filtersApplied: Filters
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case leaderboard, description, window, entries, count
        case valueUnit = "value_unit"
        case filtersApplied = "filters_applied"
        case generatedAt = "generated_at"
    }
}
