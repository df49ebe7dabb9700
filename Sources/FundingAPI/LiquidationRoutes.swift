import Foundation
import Hummingbird

/// `GET /api/v1/liquidations/clusters/{coin}`: Hyperliquid notional that would be liquidated per price band around
/// the mark (`liquidation_clusters()`, schema/0092), from the newest scan of each tracked account.
struct LiquidationRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/liquidations/clusters/{coin}",
                         query: ["band_pct", "max_distance_pct", "max_age"]) { request, context in
            try await clusters(try context.path("coin"), request.query).response(from: request, context: context)
        }
    }

    func clusters(_ coin: String, _ r: QueryReader) async throws -> LiquidationClustersResponse {
        let bandPct = try r.double("band_pct", min: 0.01, max: 100) ?? 0.5
        let maxDistance = try r.double("max_distance_pct", min: 0.01, max: 100) ?? 25
        let maxAge = try r.int("max_age", default: 3600, range: 1...86_400)
        // The coin is Hyperliquid's own name (BTC, kPEPE): the market's venue symbol.
        guard try await deps.database.hyperliquidCoinListed(coin) else {
            throw APIError(.notFound, code: "coin_not_found", message: "hyperliquid has no market for coin '\(coin)'")
        }
        let rows = try await deps.database.liquidationClusters(coin: coin, bandPct: bandPct, maxDistancePct: maxDistance,
                                                               maxAgeSeconds: Double(maxAge))
        return LiquidationClustersResponse(coin: coin, markPrice: rows.first?["mark_price"] ?? .null, clusters: rows,
                                           count: rows.count, bandPct: bandPct, maxDistancePct: maxDistance,
                                           maxAge: maxAge, generatedAt: Date())
    }
}

/// The clusters around one coin's mark, with the request's bands and the time it was computed.
struct LiquidationClustersResponse: ResponseEncodable, Sendable {
    var coin: String
    /// The newest scan's mark (null without clusters).
    var markPrice: ResultValue
    /// `liquidation_clusters()`'s rows, as its columns.
    var clusters: [ResultRow]
    var count: Int
    var bandPct: Double
    var maxDistancePct: Double
    var maxAge: Int
    var generatedAt: Date

    enum CodingKeys: String, CodingKey {
        case coin, clusters, count
        case markPrice = "mark_price"
        case bandPct = "band_pct"
        case maxDistancePct = "max_distance_pct"
        case maxAge = "max_age"
        case generatedAt = "generated_at"
    }
}
