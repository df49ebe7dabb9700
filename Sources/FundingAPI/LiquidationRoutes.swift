import Foundation
import Hummingbird

/// `GET /api/v1/liquidations/clusters/{coin}`: Hyperliquid notional that would be liquidated per price band around
/// the mark (`liquidation_clusters()`, schema/0092), from the newest scan of each tracked account.
struct LiquidationRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/liquidations/clusters/{coin}",
                         query: ["band_pct", "max_distance_pct", "max_age"]) { request, context in
            try await clusters(try context.path("coin"), request.query)
        }
    }

    func clusters(_ coin: String, _ r: QueryReader) async throws -> Response {
        let bandPct = try r.double("band_pct", min: 0.01, max: 100) ?? 0.5
        let maxDistance = try r.double("max_distance_pct", min: 0.01, max: 100) ?? 25
        let maxAge = try r.int("max_age", default: 3600, range: 1...86_400)
        // The coin is Hyperliquid's own name (BTC, kPEPE): the market's venue symbol.
        guard try await deps.database.hyperliquidCoinListed(coin) else {
            throw APIError(.notFound, code: "coin_not_found", message: "hyperliquid has no market for coin '\(coin)'")
        }
        let rows = try await deps.database.liquidationClusters(coin: coin, bandPct: bandPct, maxDistancePct: maxDistance,
                                                               maxAgeSeconds: Double(maxAge))
        return Response.json { w in
            w.object { o in
                o.field("coin", coin)
                o.key("mark_price")
                (rows.first?["mark_price"] ?? .null).write(to: &o)
                o.key("clusters")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.field("band_pct", bandPct)
                o.field("max_distance_pct", maxDistance)
                o.field("max_age", maxAge)
                o.field("generated_at", Date())
            }
        }
    }
}
