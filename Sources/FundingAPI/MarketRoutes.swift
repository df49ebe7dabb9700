import Foundation
import Hummingbird

/// `GET /api/v1/markets/{symbol}`: one symbol across every venue (`cross_venue_symbols()`, schema/0097): totals,
/// volume-weighted price change, open-interest change and funding dispersion, and each of its markets with its own
/// changes over the window (`leaderboard_changes()`).
struct MarketRoutes: Sendable {
    let deps: APIDependencies

    static let windows = ["1h", "4h", "24h"]

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/markets/{symbol}", query: ["window", "max_age"]) { request, context in
            try await market(try context.path("symbol"), request.query).response(from: request, context: context)
        }
    }

    func market(_ raw: String, _ r: QueryReader) async throws -> MarketResponse {
        let symbol = raw.uppercased()
        let window = try r.choice("window", Self.windows, default: "24h") ?? "24h"
        let maxAge = try r.int("max_age", default: 900, range: 1...86_400)
        guard try await deps.database.symbolListed(symbol) else {
            throw APIError(.notFound, code: "symbol_not_found", message: "no market lists symbol '\(raw)'")
        }
        let age = Double(maxAge)
        let overview = try await deps.database.crossVenueOverview(symbol: symbol, window: window, maxAgeSeconds: age)
        let markets = try await deps.database.symbolMarkets(symbol: symbol, window: window, maxAgeSeconds: age)
        return MarketResponse(symbol: symbol, window: window, maxAge: maxAge, overview: overview, markets: markets,
                              count: markets.count, generatedAt: Date())
    }
}

/// One symbol across every venue: the cross-venue overview (null when no market of it is fresh) and each market.
struct MarketResponse: ResponseEncodable, Sendable {
    var symbol: String
    var window: String
    var maxAge: Int
    /// `cross_venue_symbols()`'s row for the symbol.
    @NullWhenAbsent var overview: ResultRow?
    /// `leaderboard_changes()`'s rows, one per market.
    var markets: [ResultRow]
    var count: Int
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case symbol, window, overview, markets, count
        case maxAge = "max_age"
        case generatedAt = "generated_at"
    }
}
