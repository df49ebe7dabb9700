import Foundation
import Hummingbird
import NIOCore

/// Settled funding: `GET /api/v1/history/settlements/{dex}/{symbol}`, `/realised-funding`, `/realised-pair-returns`,
/// `/predictor-accuracy` and `/backfill`. Each is one call of a schema/0080-0082 function or view.
struct SettlementRoutes: Sendable {
    let deps: APIDependencies

    /// Windows of the realised-return and accuracy routes.
    static let periods = ["1d", "7d", "30d"]
    /// The longest settlement history one request may span (the retention default).
    static let maxHistoryDays: TimeInterval = 400

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/history/settlements/{dex}/{symbol}",
                         query: ["start_time", "end_time", "period", "format"]) { request, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            return try await settlements(request, context, dex: dex, symbol: symbol)
        }
        routes.cachedGet("/api/v1/realised-funding", query: ["symbol", "dex", "period"]) { request, context in
            let q = request.query
            let symbol = try await deps.catalog.symbol(try q.string("symbol"))
            let dex = try await deps.catalog.dex(try q.string("dex"))
            let period = try Self.period(q)
            let rows = try await deps.database.realisedFunding(period: period, symbol: symbol, dex: dex)
            return try RowListResponse(key: "markets", rows: rows, fields: ["period": .string(period)])
                .response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/realised-pair-returns",
                         query: ["symbol", "period", "fee_type", "long_dex", "short_dex", "limit"]) { request, context in
            let q = request.query
            let symbol = try await deps.catalog.symbol(try q.string("symbol"))
            let longDex = try await deps.catalog.dex(try q.string("long_dex"))
            let shortDex = try await deps.catalog.dex(try q.string("short_dex"))
            let period = try Self.period(q)
            let feeType = try q.choice("fee_type", ["maker", "taker"], default: "taker")!
            let limit = try q.int("limit", default: 100, range: 1...1000)
            let rows = try await deps.database.realisedPairReturns(period: period, symbol: symbol, feeType: feeType,
                                                                  longDex: longDex, shortDex: shortDex, limit: limit)
            return try RowListResponse(key: "pairs", rows: rows, fields: ["period": .string(period)])
                .response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/predictor-accuracy", query: ["dex", "period"]) { request, context in
            let q = request.query
            let dex = try await deps.catalog.dex(try q.string("dex"))
            let period = try Self.period(q)
            let byDex = try await deps.database.predictorAccuracyByDex(period: period, dex: dex)
            let markets = try await deps.database.predictorAccuracy(period: period, dex: dex)
            return try PredictorAccuracyResponse(period: period, dexes: byDex, markets: markets)
                .response(from: request, context: context)
        }
        routes.cachedGet("/api/v1/backfill") { request, context in
            let rows = try await deps.database.backfillStatus()
            return try RowListResponse(key: "dexes", rows: rows).response(from: request, context: context)
        }
    }

    /// `period` (1d, 7d or 30d, default 7d) as a PostgreSQL interval literal.
    static func period(_ q: QueryReader) throws -> String {
        let period = try q.choice("period", periods, default: "7d")!
        return ["1d": "1 day", "7d": "7 days", "30d": "30 days"][period]!
    }

    func settlements(_ request: Request, _ context: APIRequestContext, dex: String, symbol: String) async throws
        -> Response
    {
        let q = request.query
        let (from, to) = try HistoryRoutes.window(q, defaultPeriod: "7d")
        guard to.timeIntervalSince(from) <= Self.maxHistoryDays * 86400 else {
            throw APIError.invalidParameter("start_time", "the window spans at most \(Int(Self.maxHistoryDays)) days")
        }
        let format = try q.choice("format", ["json", "csv"], default: "json")!
        let rows = try await deps.database.settlementHistory(dex: dex, symbol: symbol, from: from, to: to)
        if format == "csv" {
            var text = "dex,symbol,dex_symbol,quote,funding_time,funding_rate,funding_interval_hours,rate_8h,apr,"
                + "mark_price,index_price\n"
            for row in rows {
                text += ([dex, symbol] + row.values.map(HistoryRoutes.csvField)).joined(separator: ",") + "\n"
            }
            return Response(status: .ok, headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"\(dex)-\(symbol)-settlements.csv\""],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return try SettlementHistoryResponse(dex: dex, symbol: symbol, startTime: from, endTime: to, count: rows.count,
                                             settlements: rows)
            .response(from: request, context: context)
    }
}

/// `GET /api/v1/predictor-accuracy`: per dex and per market over the period.
struct PredictorAccuracyResponse: ResponseEncodable, Sendable {
    var period: String
    var dexes: [ResultRow]
    var markets: [ResultRow]
}

/// `GET /api/v1/history/settlements/{dex}/{symbol}` as JSON.
struct SettlementHistoryResponse: ResponseEncodable, Sendable {
    var dex: String
    var symbol: String
    var startTime: Date
    var endTime: Date
    var count: Int
    var settlements: [ResultRow]

    enum CodingKeys: String, CodingKey {
        case dex, symbol, count, settlements
        case startTime = "start_time"
        case endTime = "end_time"
    }
}
