import Foundation
import Hummingbird

/// Live prices and cross-venue price spreads (schema/0093): `GET /api/v1/prices`, `/api/v1/prices/{symbol}`,
/// `/api/v1/price-spreads`, `/api/v1/price-spreads/best` and `/api/v1/price-spreads/history`. Not cached: the
/// prices change with every flush (once a second), not with the funding cycle the response cache follows.
struct PriceRoutes: Sendable {
    let deps: APIDependencies

    /// The filters of `price_spreads()` and `best_price_spreads()`, declared once for both routes.
    static let spreadQuery = ["symbols", "dexes", "min_spread_bps", "min_volume_usd", "max_age_seconds", "limit"]
    /// The longest window `/price-spreads/history` may span per resolution (the default sample retentions).
    static let maxHistory: [String: TimeInterval] = ["second": 2 * 86400, "minute": 30 * 86400]

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/v1/prices", query: ["symbols", "dexes", "max_age_seconds"]) { request, _ in
            let q = request.query
            let symbols = try await deps.catalog.symbols(try q.list("symbols"))
            return try await prices(q, symbols: symbols)
        }
        routes.get("/api/v1/prices/{symbol}", query: ["dexes", "max_age_seconds"]) { request, context in
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            return try await prices(request.query, symbols: [symbol])
        }
        routes.get("/api/v1/price-spreads", query: Self.spreadQuery) { request, _ in
            try await spreads(request.query, best: false)
        }
        routes.get("/api/v1/price-spreads/best", query: Self.spreadQuery) { request, _ in
            try await spreads(request.query, best: true)
        }
        routes.get("/api/v1/price-spreads/history",
                   query: ["symbol", "long_dex", "short_dex", "start_time", "end_time", "period", "resolution",
                           "threshold_bps"]) { request, _ in
            try await history(request.query)
        }
    }

    /// `max_age_seconds` (default 60; 0 < x <= 1 day) as an interval literal.
    static func maxAge(_ q: QueryReader) throws -> String {
        let seconds = try q.double("max_age_seconds", min: 0.001, max: 86400) ?? 60
        return "\(seconds) seconds"
    }

    func prices(_ q: QueryReader, symbols: [String]?) async throws -> Response {
        let dexes = try await deps.catalog.dexes(try q.list("dexes"))
        let maxAge = try Self.maxAge(q)
        let rows = try await deps.database.resultRows("""
            SELECT * FROM live_prices
            WHERE (\(symbols)::text[] IS NULL OR symbol = ANY (\(symbols)::text[]))
              AND (\(dexes)::text[] IS NULL OR dex = ANY (\(dexes)::text[]))
              AND received_at >= now() - \(maxAge)::interval
            ORDER BY symbol, dex, dex_symbol
            """)
        return Response.json { w in
            w.object { o in
                o.field("count", rows.count)
                o.key("prices")
                o.array { a in for row in rows { row.write(to: &a) } }
            }
        }
    }

    func spreads(_ q: QueryReader, best: Bool) async throws -> Response {
        let symbols = try await deps.catalog.symbols(try q.list("symbols"))
        let dexes = try await deps.catalog.dexes(try q.list("dexes"))
        let minSpread = try q.double("min_spread_bps", min: -10_000, max: 10_000)
        let minVolume = try q.double("min_volume_usd", min: 0, max: 1e15)
        let maxAge = try Self.maxAge(q)
        let limit = try q.int("limit", default: 100, range: 1...1000)
        let call = best ? "best_price_spreads" : "price_spreads"  // one of two fixed names, never request text
        let rows = try await deps.database.resultRows("""
            SELECT * FROM \(unescaped: call)(p_symbols => \(symbols), p_dexes => \(dexes),
                                              p_min_spread_bps => \(minSpread), p_min_volume_usd => \(minVolume),
                                              p_max_age => \(maxAge)::interval, p_limit => \(Int32(limit)))
            """)
        return Response.json { w in
            w.object { o in
                o.field("count", rows.count)
                o.key("spreads")
                o.array { a in for row in rows { row.write(to: &a) } }
            }
        }
    }

    func history(_ q: QueryReader) async throws -> Response {
        guard let rawSymbol = try q.string("symbol") else { throw APIError.invalidParameter("symbol", "required") }
        guard let rawLong = try q.string("long_dex") else { throw APIError.invalidParameter("long_dex", "required") }
        guard let rawShort = try q.string("short_dex") else { throw APIError.invalidParameter("short_dex", "required") }
        let symbol = try await deps.catalog.symbol(rawSymbol)
        let longDex = try await deps.catalog.dex(rawLong)
        let shortDex = try await deps.catalog.dex(rawShort)
        guard longDex != shortDex else { throw APIError.invalidParameter("short_dex", "must differ from long_dex") }
        let (from, to) = try HistoryRoutes.window(q, defaultPeriod: "1h")
        let resolution = try q.choice("resolution", ["second", "minute"])
            ?? (to.timeIntervalSince(from) <= 6 * 3600 ? "second" : "minute")
        guard to.timeIntervalSince(from) <= Self.maxHistory[resolution]! else {
            throw APIError.invalidParameter("resolution", """
                \(resolution) history spans at most \(Int(Self.maxHistory[resolution]! / 86400)) days
                """)
        }
        let threshold = try q.double("threshold_bps", min: -10_000, max: 10_000)
        let rows = try await deps.database.resultRows("""
            SELECT * FROM price_spread_history(\(symbol), \(longDex), \(shortDex), \(from), \(to), \(resolution))
            """)
        var persistence: [ResultRow]?
        if let threshold {
            persistence = try await deps.database.resultRows("""
                SELECT * FROM price_spread_persistence(\(symbol), \(longDex), \(shortDex), \(threshold),
                                                       \(to.timeIntervalSince(from)) * interval '1 second')
                """)
        }
        return Response.json { w in
            w.object { o in
                o.field("symbol", symbol)
                o.field("long_dex", longDex)
                o.field("short_dex", shortDex)
                o.field("start_time", from)
                o.field("end_time", to)
                o.field("resolution", resolution)
                if let persistence {
                    o.key("persistence")
                    if let row = persistence.first { row.write(to: &o) } else { o.null() }
                }
                o.field("count", rows.count)
                o.key("history")
                o.array { a in for row in rows { row.write(to: &a) } }
            }
        }
    }
}
