import Foundation
import Hummingbird

/// The derivatives screener's endpoints at its own paths (the product's seed document 004): `GET /markets`,
/// `/markets/{id}`, `/leaderboards/{name}` and `/api/status`, for clients written against that document.
///
/// The document names the paths, the normalised market name (`BTC-USDT-PERP`) and the board names
/// (`gainers_1h`, `volume_24h`, `funding_highest`) but prints no response bodies, so the bodies are this service's:
/// markets are rows of `screener_markets` (schema/0098) under a venue-qualified id (`binance:BTC-USDT-PERP`), a board
/// is the answer of `GET /api/v1/leaderboards/{name}` (whose names take the window as a suffix), and the status is
/// `GET /api/v1/health` plus the process's memory and stream subscribers.
struct SeedScreenerRoutes: Sendable {
    let deps: APIDependencies

    static let marketParameters = ["exchange", "symbol", "quote", "max_age", "limit"]

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/markets", query: Self.marketParameters) { request, context in
            try await markets(request.query).response(from: request, context: context)
        }
        routes.cachedGet("/markets/{id}", query: ["window"]) { request, context in
            try await market(try context.path("id"), request.query).response(from: request, context: context)
        }
        routes.cachedGet("/leaderboards/{name}", query: LeaderboardQuery.parameters.map(\.name)) { request, context in
            try await LeaderboardRoutes(deps: deps).board(try context.path("name"), request.query)
                .response(from: request, context: context)
        }
        routes.get("/api/status") { request, context in
            try await OperationsRoutes(deps: deps).health(request, context, statusReport: true)
        }
    }

    /// Every active market, highest 24 h volume first; `exchange` (dexes), `symbol` (bases), `quote`, `max_age`
    /// (seconds since the newest sample) and `limit` narrow it.
    func markets(_ r: QueryReader) async throws -> ScreenerMarketsResponse {
        let dexes = try await deps.catalog.dexes(try r.list("exchange"))
        let bases = try await deps.catalog.symbols(try r.list("symbol")?.map(Self.base))
        let quote = try r.quote()
        let maxAge = try r.double("max_age", min: 1, max: 86_400 * 30)
        let limit = try r.int("limit", default: 10_000, range: 1...10_000)
        let rows = try await deps.database.screenerMarkets(dexes: dexes, bases: bases, quote: quote,
                                                           maxAgeSeconds: maxAge, limit: limit)
        return ScreenerMarketsResponse(markets: rows, count: rows.count, timestamp: Date())
    }

    /// One market by id (case-insensitive), with its changes over `window` (`leaderboard_changes()`) and its taker
    /// flow over the last hour (`trade_flow_1m`). A bare `BTC-USDT-PERP` (or `BTC`) is no id: the 404 names the ids
    /// of its markets.
    func market(_ id: String, _ r: QueryReader) async throws -> MergedObject<ResultRow, ScreenerMarketDetail> {
        let window = try r.choice("window", MarketRoutes.windows, default: "24h") ?? "24h"
        guard let row = try await deps.database.screenerMarket(id: id) else {
            throw try await notFound(id)
        }
        let changes = try await deps.database.screenerMarketChanges(id: id, window: window)
        let flow = try await deps.database.screenerMarketFlow(id: id)
        return MergedObject(row, ScreenerMarketDetail(
            window: window, changes: changes, tradeFlow1h: flow.flatMap { $0["minutes"]?.double ?? 0 > 0 ? $0 : nil }))
    }

    func notFound(_ id: String) async throws -> APIError {
        let candidates = try await deps.database.screenerMarketIds(named: id)
        if candidates.isEmpty {
            return APIError(.notFound, code: "market_not_found",
                            message: "no active market has id '\(id)'; ids are exchange:BASE-QUOTE-PERP (GET /markets lists them)")
        }
        return APIError(.notFound, code: "market_not_found",
                        message: "'\(id)' is not a market id; the ids of its markets: "
                            + candidates.joined(separator: ", "))
    }

    /// `BTC-USDT-PERP` → `BTC`; a bare base stays as it is.
    static func base(_ name: String) -> String {
        let parts = name.split(separator: "-")
        return parts.count >= 2 && parts.last?.uppercased() == "PERP" ? String(parts[0]) : name
    }
}

/// `GET /markets`: `screener_markets` rows (venue-qualified ids), highest 24 h volume first.
struct ScreenerMarketsResponse: ResponseEncodable, Sendable {
    var markets: [ResultRow]
    var count: Int
    var timestamp: Date
}

/// `GET /markets/{id}`: the market's own fields (a `screener_markets` row), then its changes over `window` and
/// its taker flow over the last hour (null without trades).
struct ScreenerMarketDetail: Encodable, Sendable {
    var window: String
    @NullWhenAbsent var changes: ResultRow?
    @NullWhenAbsent var tradeFlow1h: ResultRow?

    enum CodingKeys: String, CodingKey {
        case window, changes
        case tradeFlow1h = "trade_flow_1h"
    }
}
