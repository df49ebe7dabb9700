import Foundation
import Hummingbird

/// `GET /api/v1/opportunities` and its variants, `GET /api/v1/rankings/funding`.
struct OpportunitiesRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/opportunities") { request, _ in
            let q = try await OpportunityQuery.parse(request.query, catalog: deps.catalog)
            return try await answer(q)
        }
        routes.cachedGet("/api/v1/opportunities/best") { request, _ in try await best(request) }
        routes.cachedGet("/api/v1/opportunities/symbol/{symbol}") { request, context in
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            var q = try await OpportunityQuery.parse(request.query, catalog: deps.catalog)
            q.symbol = symbol
            return try await answer(q)
        }
        routes.cachedGet("/api/v1/opportunities/compare") { request, _ in try await compare(request) }
        routes.cachedGet("/api/v1/opportunities/persistence") { request, _ in try await persistence(request) }
        routes.cachedGet("/api/v1/rankings/funding") { request, _ in try await rankings(request) }
    }

    func answer(_ q: OpportunityQuery) async throws -> Response {
        let (rows, total) = try await deps.database.opportunities(q)
        return Response.json { w in
            w.object { o in
                o.key("opportunities")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("total_count", total)
                o.key("filters_applied")
                q.write(to: &o)
                o.field("generated_at", Date())
            }
        }
    }

    /// Both directions between two dexes, every symbol they share, no profitability filter unless asked.
    func compare(_ request: Request) async throws -> Response {
        let r = request.query
        guard let d1 = try r.string("dex1") else { throw APIError.invalidParameter("dex1", "required") }
        guard let d2 = try r.string("dex2") else { throw APIError.invalidParameter("dex2", "required") }
        let dex1 = try await deps.catalog.dex(d1)
        let dex2 = try await deps.catalog.dex(d2)
        guard dex1 != dex2 else { throw APIError.invalidParameter("dex2", "must differ from dex1") }
        var q = try await OpportunityQuery.parse(r, catalog: deps.catalog)
        if try r.string("min_divergence") == nil { q.minDivergence = nil }
        if try r.string("min_volume_24h") == nil { q.minVolume24h = nil }
        if try r.string("limit") == nil { q.limit = 1000 }
        q.includeDexes = [dex1, dex2]
        let (rows, total) = try await deps.database.opportunities(q)
        return Response.json { w in
            w.object { o in
                o.field("dex1", dex1)
                o.field("dex2", dex2)
                o.field("symbol", q.symbol)
                o.key("opportunities")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("total_count", total)
                o.key("filters_applied")
                q.write(to: &o)
                o.field("generated_at", Date())
            }
        }
    }

    func best(_ request: Request) async throws -> Response {
        let r = request.query
        let symbol = try await deps.catalog.symbol(try r.string("symbol"))
        let limit = try r.int("limit", default: 10, range: 1...1000)
        let rows = try await deps.database.resultRows("""
            SELECT * FROM best_opportunities WHERE (\(symbol)::text IS NULL OR symbol = \(symbol)::text)
            ORDER BY net_profit DESC NULLS LAST LIMIT \(limit)
            """)
        return Response.json { w in
            w.object { o in
                o.key("opportunities")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.field("generated_at", Date())
            }
        }
    }

    func persistence(_ request: Request) async throws -> Response {
        let r = request.query
        let symbol = try await deps.catalog.symbol(try r.string("symbol"))
        let limit = try r.int("limit", default: 50, range: 1...1000)
        let rows = try await deps.database.resultRows("""
            SELECT * FROM opportunity_persistence WHERE (\(symbol)::text IS NULL OR symbol = \(symbol)::text)
            ORDER BY profitable_share_24h DESC NULLS LAST, last_net_profit DESC NULLS LAST, symbol, long_dex, short_dex
            LIMIT \(limit)
            """)
        return Response.json { w in
            w.object { o in
                o.key("persistence")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.field("generated_at", Date())
            }
        }
    }

    func rankings(_ request: Request) async throws -> Response {
        let r = request.query
        let dexes = try await deps.catalog.dexes(try r.list("dex"))
        let symbol = try await deps.catalog.symbol(try r.string("symbol"))
        let quote = try r.string("quote")?.uppercased()
        let order = try r.choice("order", ["desc", "asc"], default: "desc")!
        let minOI = try r.double("min_oi_usd", min: 0, max: 1e15)
        let maxOI = try r.double("max_oi_usd", min: 0, max: 1e15)
        let minVolume = try r.double("min_volume_24h", min: 0, max: 1e15)
        let maxAge = try r.int("max_age", default: 300, range: 1...86_400)
        let limit = try r.int("limit", default: 20, range: 1...1000)
        if let lo = minOI, let hi = maxOI, lo > hi {
            throw APIError.invalidParameter("max_oi_usd", "must not be below min_oi_usd")
        }
        let rows = try await deps.database.resultRows("""
            SELECT * FROM funding_rankings("order" => \(order), dexes => \(dexes)::text[], quote => \(quote),
                                           min_oi_usd => \(minOI), max_oi_usd => \(maxOI),
                                           min_volume_24h => \(minVolume), limit_rows => \(limit)::int,
                                           max_age => make_interval(secs => \(Double(maxAge))), symbol => \(symbol))
            ORDER BY rank, dex, dex_symbol
            """)
        return Response.json { w in
            w.object { o in
                o.key("rankings")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.field("order", order)
                o.field("generated_at", Date())
            }
        }
    }
}
