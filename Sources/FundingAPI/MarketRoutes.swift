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
            try await market(try context.path("symbol"), request.query)
        }
    }

    func market(_ raw: String, _ r: QueryReader) async throws -> Response {
        let symbol = raw.uppercased()
        let window = try r.choice("window", Self.windows, default: "24h") ?? "24h"
        let maxAge = try r.int("max_age", default: 900, range: 1...86_400)
        let known = try await deps.database.resultRows("SELECT 1 AS found FROM symbols WHERE symbol = \(symbol)")
        guard !known.isEmpty else {
            throw APIError(.notFound, code: "symbol_not_found", message: "no market lists symbol '\(raw)'")
        }
        let age = Double(maxAge)
        let overview = try await deps.database.resultRows("""
            SELECT venues, markets, volume_24h_usd, open_interest_usd, price_change_pct, oi_reference_usd,
                   oi_change_usd, oi_change_pct, apr_mean, apr_min, apr_max, apr_stddev, apr_spread,
                   reference_markets, latest_time
            FROM cross_venue_symbols(\(window)::interval, make_interval(secs => \(age)))
            WHERE symbol = \(symbol)
            """)
        let markets = try await deps.database.resultRows("""
            SELECT v.dex, v.dex_symbol, v.quote, v.mark_price, c.price_change_pct, v.open_interest_usd,
                   c.oi_change_usd, c.oi_change_pct, v.volume_24h_usd, v.apr, c.apr_change, v.spread_bps,
                   v.time, c.reference_time
            FROM latest_funding_rates v
            LEFT JOIN leaderboard_changes(\(window)::interval) c ON c.market_id = v.market_id
            WHERE v.symbol = \(symbol) AND v.time >= now() - make_interval(secs => \(age))
            ORDER BY v.volume_24h_usd DESC NULLS LAST, v.dex, v.dex_symbol
            """)
        return Response.json { w in
            w.object { o in
                o.field("symbol", symbol)
                o.field("window", window)
                o.field("max_age", maxAge)
                o.key("overview")
                if let row = overview.first { row.write(to: &o) } else { o.null() }
                o.key("markets")
                o.array { a in for row in markets { row.write(to: &a) } }
                o.field("count", markets.count)
                o.field("generated_at", Date())
            }
        }
    }
}
