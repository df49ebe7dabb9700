import Foundation
import Hummingbird

/// Live prices and cross-venue price spreads (schema/0093): `GET /api/v1/prices`, `/api/v1/prices/{symbol}`,
/// `/api/v1/price-spreads`, `/api/v1/price-spreads/best` and `/api/v1/price-spreads/history`. Not cached: the
/// prices change with every flush (once a second), not with the funding cycle the response cache follows.
struct PriceRoutes: Sendable {
    let deps: APIDependencies

    /// The longest window `/price-spreads/history` may span per resolution (the default sample retentions).
    static let maxHistory: [String: TimeInterval] = ["second": 2 * 86400, "minute": 30 * 86400]

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/v1/prices", query: LivePriceQuery.parameterNames) { request, context in
            let query = try await LivePriceQuery.parse(request.query, catalog: deps.catalog)
            return try RowListResponse(key: "prices", rows: try await deps.database.livePrices(query))
                .response(from: request, context: context)
        }
        routes.get("/api/v1/prices/{symbol}", query: LivePriceQuery.parameterNames.filter { $0 != "symbols" }) {
            request, context in
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            let query = try await LivePriceQuery.parse(request.query, catalog: deps.catalog, symbols: [symbol])
            return try RowListResponse(key: "prices", rows: try await deps.database.livePrices(query))
                .response(from: request, context: context)
        }
        routes.get("/api/v1/price-spreads", query: PriceSpreadQuery.parameterNames) { request, context in
            let query = try await PriceSpreadQuery.parse(request.query, catalog: deps.catalog, best: false)
            return try RowListResponse(key: "spreads", rows: try await deps.database.priceSpreads(query))
                .response(from: request, context: context)
        }
        routes.get("/api/v1/price-spreads/best", query: PriceSpreadQuery.parameterNames) { request, context in
            let query = try await PriceSpreadQuery.parse(request.query, catalog: deps.catalog, best: true)
            return try RowListResponse(key: "spreads", rows: try await deps.database.priceSpreads(query))
                .response(from: request, context: context)
        }
        routes.get("/api/v1/price-spreads/history",
                   query: ["symbol", "long_dex", "short_dex", "start_time", "end_time", "period", "resolution",
                           "threshold_bps"]) { request, context in
            try await history(request.query).response(from: request, context: context)
        }
    }

    func history(_ q: QueryReader) async throws -> PriceSpreadHistoryResponse {
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
        let rows = try await deps.database.priceSpreadHistory(symbol: symbol, longDex: longDex, shortDex: shortDex,
                                                              from: from, to: to, resolution: resolution)
        var persistence: ResultRow?
        if let threshold {
            persistence = try await deps.database.priceSpreadPersistence(
                symbol: symbol, longDex: longDex, shortDex: shortDex, thresholdBps: threshold,
                seconds: to.timeIntervalSince(from))
        }
        return PriceSpreadHistoryResponse(symbol: symbol, longDex: longDex, shortDex: shortDex, startTime: from,
                                          endTime: to, resolution: resolution, persistence: persistence,
                                          hasThreshold: threshold != nil, history: rows)
    }
}

/// `GET /api/v1/price-spreads/history`: one pair's spread samples, and with `threshold_bps` how long the spread
/// stayed beyond it (`persistence`, null when nothing was sampled; absent without a threshold).
struct PriceSpreadHistoryResponse: ResponseEncodable, Sendable {
    var symbol: String
    var longDex: String
    var shortDex: String
    var startTime: Date
    var endTime: Date
    var resolution: String
    var persistence: ResultRow?
    var hasThreshold: Bool
    var history: [ResultRow]

    enum CodingKeys: String, CodingKey {
        case symbol, resolution, persistence, count, history
        case longDex = "long_dex"
        case shortDex = "short_dex"
        case startTime = "start_time"
        case endTime = "end_time"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(symbol, forKey: .symbol)
        try c.encode(longDex, forKey: .longDex)
        try c.encode(shortDex, forKey: .shortDex)
        try c.encode(startTime, forKey: .startTime)
        try c.encode(endTime, forKey: .endTime)
        try c.encode(resolution, forKey: .resolution)
        if hasThreshold { try c.encode(persistence, forKey: .persistence) }
        try c.encode(history.count, forKey: .count)
        try c.encode(history, forKey: .history)
    }
}
