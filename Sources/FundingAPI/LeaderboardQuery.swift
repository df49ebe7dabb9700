import Foundation

/// The filters of `leaderboard()` (schema/0090), parsed once for `GET /api/v1/leaderboards/{name}` and for the
/// WebSocket channel `leaderboards`.
struct LeaderboardQuery: Hashable, Sendable {
    /// The query parameters (and WebSocket filters), with what each means (listed by `GET /api/v1/leaderboards`).
    static let parameters: [(name: String, description: String)] = [
        ("window", "the board's window (1h, 4h, 24h, 7d as listed in windows; default default_window); boards without windows take none"),
        ("dex", "only these dexes (comma-separated)"),
        ("quote", "only markets with this quote asset"),
        ("min_volume_24h", "minimum trailing 24 h volume, USD"),
        ("min_oi_usd", "minimum open interest, USD"),
        ("max_age", "only markets whose newest sample is at most this old, seconds (default 300)"),
        ("limit", "at most this many rows (default 50, at most 1000)"),
    ]

    var name: String
    var window: String?
    var dexes: [String]?
    var quote: String?
    var minVolume: Double?
    var minOI: Double?
    var maxAge: Int
    var limit: Int

    /// The registry row of `name`. The screener seed's names with the window as a suffix (`gainers_1h`,
    /// `oi_change_4h`) name the board with that window, unless a board is called exactly that (`volume_24h`).
    static func resolve(_ name: String, in registry: [ResultRow]) throws -> (entry: ResultRow, window: String?) {
        if let entry = registry.first(where: { $0["name"]?.string == name }) { return (entry, nil) }
        if let cut = name.lastIndex(of: "_") {
            let base = String(name[..<cut]), window = String(name[name.index(after: cut)...])
            if let entry = registry.first(where: { $0["name"]?.string == base }), windows(entry).contains(window) {
                return (entry, window)
            }
        }
        throw APIError(.notFound, code: "leaderboard_not_found",
                       message: "unknown leaderboard '\(name)'; known: "
                           + registry.compactMap { $0["name"]?.string }.joined(separator: ", "))
    }

    /// The query for board `name` and the board's registry row (its description and unit).
    static func parse(name: String, _ r: QueryReader, registry: [ResultRow], catalog: NameCatalog) async throws
        -> (query: Self, entry: ResultRow)
    {
        let (entry, suffixWindow) = try resolve(name, in: registry)
        let board = entry["name"]?.string ?? name
        let windows = Self.windows(entry)
        let window: String?
        if windows.isEmpty {
            if try r.string("window") != nil {
                throw APIError.invalidParameter("window", "leaderboard \(board) has no window")
            }
            window = nil
        } else if let suffixWindow {
            if let asked = try r.string("window"), asked != suffixWindow {
                throw APIError.invalidParameter("window", "\(name) names the \(suffixWindow) window already")
            }
            window = suffixWindow
        } else {
            window = try r.choice("window", windows, default: entry["default_window"]?.string)
        }
        let query = Self(name: board, window: window,
                         dexes: try await catalog.dexes(try r.list("dex")),
                         quote: try r.quote(),
                         minVolume: try r.double("min_volume_24h", min: 0, max: 1e15),
                         minOI: try r.double("min_oi_usd", min: 0, max: 1e15),
                         maxAge: try r.int("max_age", default: 300, range: 1...86_400),
                         limit: try r.int("limit", default: 50, range: 1...1000))
        return (query, entry)
    }

    /// The window names of a registry row's `windows` JSON array (empty for a board without windows).
    static func windows(_ entry: ResultRow) -> [String] {
        guard case .json(let text)? = entry["windows"],
              let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else { return [] }
        return array
    }
}

extension APIDatabase {
    /// The `leaderboards` registry in listing order; `windows` as a JSON array (or null).
    func leaderboardRegistry() async throws -> [ResultRow] {
        try await resultRows("""
            SELECT name, description, value_unit, to_jsonb(windows) AS windows, default_window
            FROM leaderboards ORDER BY position
            """)
    }

    /// The ranked rows of one board.
    func leaderboard(_ q: LeaderboardQuery) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM leaderboard(name => \(q.name), time_window => \(q.window), dexes => \(q.dexes)::text[],
                                      quote => \(q.quote), min_volume_24h => \(q.minVolume), min_oi_usd => \(q.minOI),
                                      limit_rows => \(q.limit)::int, max_age => make_interval(secs => \(Double(q.maxAge))))
            """)
    }
}
