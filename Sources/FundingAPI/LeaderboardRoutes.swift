import Foundation
import Hummingbird

/// `GET /api/v1/leaderboards` (the registry: names, descriptions, units, windows, parameters) and
/// `GET /api/v1/leaderboards/{name}` (one board ranked by `leaderboard()`, schema/0090).
///
/// The boards, their windows and their arithmetic live in SQL (the `leaderboards` table and its metric functions);
/// this file only validates the filters and shapes the answer.
struct LeaderboardRoutes: Sendable {
    let deps: APIDependencies

    /// The query parameters of `GET /api/v1/leaderboards/{name}`, with what each means (listed by the index route).
    static let parameters: [(name: String, description: String)] = [
        ("window", "the board's window (1h, 4h, 24h, 7d as listed in windows; default default_window); boards without windows take none"),
        ("dex", "only these dexes (comma-separated)"),
        ("quote", "only markets with this quote asset"),
        ("min_volume_24h", "minimum trailing 24 h volume, USD"),
        ("min_oi_usd", "minimum open interest, USD"),
        ("max_age", "only markets whose newest sample is at most this old, seconds (default 300)"),
        ("limit", "at most this many rows (default 50, at most 1000)"),
    ]

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/leaderboards") { _, _ in try await index() }
        routes.cachedGet("/api/v1/leaderboards/{name}", query: Self.parameters.map(\.name)) { request, context in
            try await board(try context.path("name"), request.query)
        }
    }

    /// Registry rows in listing order; `windows` as a JSON array (or null).
    func registry() async throws -> [ResultRow] {
        try await deps.database.resultRows("""
            SELECT name, description, value_unit, to_jsonb(windows) AS windows, default_window
            FROM leaderboards ORDER BY position
            """)
    }

    func index() async throws -> Response {
        let rows = try await registry()
        return Response.json { w in
            w.object { o in
                o.key("leaderboards")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.key("parameters")
                o.array { a in
                    for p in Self.parameters {
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
        let boards = try await registry()
        guard let entry = boards.first(where: { $0["name"]?.string == name }) else {
            throw APIError(.notFound, code: "leaderboard_not_found",
                           message: "unknown leaderboard '\(name)'; known: "
                               + boards.compactMap { $0["name"]?.string }.joined(separator: ", "))
        }
        let windows = Self.windows(entry["windows"])
        let window: String?
        if windows.isEmpty {
            if try r.string("window") != nil {
                throw APIError.invalidParameter("window", "leaderboard \(name) has no window")
            }
            window = nil
        } else {
            window = try r.choice("window", windows, default: entry["default_window"]?.string)
        }
        let dexes = try await deps.catalog.dexes(try r.list("dex"))
        let quote = try r.quote()
        let minVolume = try r.double("min_volume_24h", min: 0, max: 1e15)
        let minOI = try r.double("min_oi_usd", min: 0, max: 1e15)
        let maxAge = try r.int("max_age", default: 300, range: 1...86_400)
        let limit = try r.int("limit", default: 50, range: 1...1000)
        let rows = try await deps.database.resultRows("""
            SELECT * FROM leaderboard(name => \(name), time_window => \(window), dexes => \(dexes)::text[],
                                      quote => \(quote), min_volume_24h => \(minVolume), min_oi_usd => \(minOI),
                                      limit_rows => \(limit)::int, max_age => make_interval(secs => \(Double(maxAge))))
            """)
        return Response.json { w in
            w.object { o in
                o.field("leaderboard", name)
                o.key("description")
                (entry["description"] ?? .null).write(to: &o)
                o.key("value_unit")
                (entry["value_unit"] ?? .null).write(to: &o)
                o.field("window", window)
                o.key("entries")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
                o.key("filters_applied")
                o.object { f in
                    if let dexes { f.field("dex", strings: dexes) } else { f.key("dex"); f.null() }
                    f.field("quote", quote)
                    f.field("min_volume_24h", minVolume)
                    f.field("min_oi_usd", minOI)
                    f.field("max_age", maxAge)
                    f.field("limit", limit)
                }
                o.field("generated_at", Date())
            }
        }
    }

    /// The window names of a registry row's `windows` JSON array (empty for a board without windows).
    static func windows(_ value: ResultValue?) -> [String] {
        guard case .json(let text)? = value,
              let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else { return [] }
        return array
    }
}
