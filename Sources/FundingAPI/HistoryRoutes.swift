import Foundation
import Hummingbird
import NIOCore

/// `GET /api/v1/history/funding-rates/{dex}/{symbol}`, `/history/opportunities`, `/stats/funding-rates/{symbol}`.
struct HistoryRoutes: Sendable {
    let deps: APIDependencies

    /// `period` values and their lengths.
    static let periods: [String: TimeInterval] = [
        "1h": 3600, "4h": 4 * 3600, "12h": 12 * 3600, "1d": 86400, "7d": 7 * 86400, "30d": 30 * 86400,
        "90d": 90 * 86400, "1y": 365 * 86400,
    ]
    static let periodNames = ["1h", "4h", "12h", "1d", "7d", "30d", "90d", "1y"]
    /// The longest window each interval may span.
    static let maxRange: [String: TimeInterval] = ["raw": 7 * 86400, "1h": 400 * 86400, "1d": 3660 * 86400]

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/history/funding-rates/{dex}/{symbol}") { request, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            return try await fundingHistory(request, dex: dex, symbol: symbol)
        }
        routes.cachedGet("/api/v1/history/opportunities") { request, _ in try await opportunityHistory(request) }
        routes.cachedGet("/api/v1/stats/funding-rates/{symbol}") { request, context in
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            return try await stats(request, symbol: symbol)
        }
    }

    /// `[start, end)` from `start_time`/`end_time` or `period` (default 1 day back from now).
    static func window(_ q: QueryReader, defaultPeriod: String = "1d") throws -> (Date, Date) {
        let start = try q.date("start_time")
        let end = try q.date("end_time")
        let period = try q.choice("period", periodNames)
        if period != nil, start != nil {
            throw APIError.invalidParameter("period", "give either period or start_time, not both")
        }
        let to = end ?? Date()
        let from = start ?? to.addingTimeInterval(-periods[period ?? defaultPeriod]!)
        guard from < to else { throw APIError.invalidParameter("end_time", "must be after start_time") }
        return (from, to)
    }

    func fundingHistory(_ request: Request, dex: String, symbol: String) async throws -> Response {
        let q = request.query
        let (from, to) = try Self.window(q)
        let span = to.timeIntervalSince(from)
        let interval = try q.choice("interval", ["raw", "1h", "1d"])
            ?? (span <= 86400 ? "raw" : span <= 31 * 86400 ? "1h" : "1d")
        guard span <= Self.maxRange[interval]! else {
            throw APIError.invalidParameter("interval", """
                \(interval) data spans at most \(Int(Self.maxRange[interval]! / 86400)) days; use a coarser interval \
                or a shorter window
                """)
        }
        let format = try q.choice("format", ["json", "csv"], default: "json")!
        let points = try await deps.database.history(dex: dex, symbol: symbol, from: from, to: to, interval: interval)
        if format == "csv" {
            var text = "dex,symbol,dex_symbol,quote,time,funding_rate,funding_interval_hours,rate_8h,rate_min,rate_max,"
                + "sample_count,mark_price,open_interest_usd,volume_24h_usd\n"
            for p in points {
                var fields = [dex, symbol]
                for v in p.values { fields.append(Self.csvField(v)) }
                text += fields.joined(separator: ",") + "\n"
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"\(dex)-\(symbol).csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let stats = try await deps.database.historyStats(dex: dex, symbol: symbol, from: from, to: to,
                                                         interval: interval)
        return Response.json { w in
            w.object { o in
                o.field("dex", dex)
                o.field("symbol", symbol)
                o.field("interval", interval)
                o.field("start_time", from)
                o.field("end_time", to)
                o.key("data")
                o.array { a in for p in points { p.write(to: &a) } }
                o.field("count", points.count)
                o.key("statistics")
                o.array { a in for s in stats { s.write(to: &a) } }
            }
        }
    }

    static func csvField(_ v: ResultValue) -> String {
        switch v {
        case .null: return ""
        case .string(let s):
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        case .date(let d): return JSONWriter.timestamp(d)
        default:
            var w = JSONWriter()
            v.write(to: &w)
            return String(decoding: w.bytes, as: UTF8.self)
        }
    }

    func opportunityHistory(_ request: Request) async throws -> Response {
        let q = request.query
        let symbol = try await deps.catalog.symbol(try q.string("symbol"))
        let (from, to) = try Self.window(q)
        guard to.timeIntervalSince(from) <= 400 * 86400 else {
            throw APIError.invalidParameter("start_time", "the window spans at most 400 days")
        }
        let minProfit = try q.double("min_profit", min: -1, max: 1)
        let limit = try q.int("limit", default: 100, range: 1...10_000)
        let rows = try await deps.database.resultRows("""
            SELECT * FROM opportunity_history
            WHERE (\(symbol)::text IS NULL OR symbol = \(symbol)::text) AND cycle_time >= \(from) AND cycle_time < \(to)
              AND (\(minProfit)::float8 IS NULL OR net_profit >= \(minProfit)::float8)
            ORDER BY cycle_time DESC, net_profit DESC NULLS LAST, symbol, long_dex, short_dex LIMIT \(limit)
            """)
        return Response.json { w in
            w.object { o in
                o.field("symbol", symbol)
                o.field("start_time", from)
                o.field("end_time", to)
                o.key("opportunities")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("count", rows.count)
            }
        }
    }

    func stats(_ request: Request, symbol: String) async throws -> Response {
        let q = request.query
        let dex = try await deps.catalog.dex(try q.string("dex"))
        let period = try q.choice("period", ["1d", "7d", "30d"], default: "7d")!
        let markets = try await deps.database.resultRows("""
            SELECT * FROM funding_stats(p_window => \(period), p_symbol => \(symbol), p_dex => \(dex))
            ORDER BY dex, dex_symbol
            """)
        let summary = dex == nil ? try await deps.database.resultRows("""
            SELECT * FROM funding_stats_by_symbol(p_window => \(period), p_symbol => \(symbol))
            """).first : nil
        return Response.json { w in
            w.object { o in
                o.field("symbol", symbol)
                o.field("dex", dex)
                o.field("period", period)
                o.key("statistics")
                o.array { a in for row in markets { row.write(to: &a) } }
                o.key("summary")
                if let summary { summary.write(to: &o) } else { o.null() }
            }
        }
    }
}
