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
        routes.cachedGet("/api/v1/leaderboards") { _, _ in try await index() }
        routes.cachedGet("/api/v1/leaderboards/{name}", query: LeaderboardQuery.parameters.map(\.name)) {
            request, context in
            try await board(try context.path("name"), request.query)
        }
    }

    func index() async throws -> Response {
        let rows = try await deps.database.leaderboardRegistry()
        return Response.json { w in
            w.object { o in
                o.key("leaderboards")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.key("parameters")
                o.array { a in
                    for p in LeaderboardQuery.parameters {
                        a.object { x in
                            x.field("name", p.name)
                            x.field("description", p.description)
                        }
                    }
                }
                o.field("generated_at", Date())
            }
        }
    }

    func board(_ name: String, _ r: QueryReader) async throws -> Response {
        let registry = try await deps.database.leaderboardRegistry()
        let (q, entry) = try await LeaderboardQuery.parse(name: name, r, registry: registry, catalog: deps.catalog)
        let rows = try await deps.database.leaderboard(q)
        return Response.json { w in
            w.object { o in
                o.field("leaderboard", q.name)
                o.key("description")
                (entry["description"] ?? .null).write(to: &o)
                o.key("value_unit")
                (entry["value_unit"] ?? .null).write(to: &o)
                o.field("window", q.window)
                o.key("entries")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.key("filters_applied")
                o.object { f in
                    if let dexes = q.dexes { f.field("dex", strings: dexes) } else { f.key("dex"); f.null() }
                    f.field("quote", q.quote)
                    f.field("min_volume_24h", q.minVolume)
                    f.field("min_oi_usd", q.minOI)
                    f.field("max_age", q.maxAge)
                    f.field("limit", q.limit)
                }
                o.field("generated_at", Date())
            }
        }
    }
}
