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
        routes.cachedGet("/api/v1/history/funding-rates/{dex}/{symbol}",
                         query: ["start_time", "end_time", "period", "interval", "format", "quote"]) { request, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            return try await fundingHistory(request, dex: dex, symbol: symbol)
        }
        routes.cachedGet("/api/v1/history/opportunities", query: [
            "symbol", "start_time", "end_time", "period", "min_profit", "min_profit_percent", "limit",
        ]) { request, _ in try await opportunityHistory(request) }
        routes.cachedGet("/api/v1/stats/funding-rates/{symbol}", query: ["dex", "period"]) { request, context in
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
        let quote = try q.quote()
        let primary = Self.primaryMarket(points, quote: quote)
        let series = points.filter { $0["dex_symbol"]?.string == primary }
        let stat = stats.first { $0["dex_symbol"]?.string == primary }
        return Response.json { w in
            w.object { o in
                // The design document's FundingRateHistory, for one market: the one /funding-rates shows (most
                // liquid at the end of the window), narrowed by quote.
                o.field("dex_name", dex)
                o.field("symbol", symbol)
                o.field("dex_symbol", primary)
                o.key("data_points")
                o.array { a in
                    for p in series {
                        a.object { x in
                            x.key("time"); (p["time"] ?? .null).write(to: &x)
                            x.key("rate"); (p["funding_rate"] ?? .null).write(to: &x)
                        }
                    }
                }
                o.key("statistics")
                o.object { x in
                    x.key("avg_rate"); (stat?["mean_rate"] ?? .null).write(to: &x)
                    x.field("median_rate", Self.median(series.compactMap { $0["funding_rate"]?.double }))
                    x.key("std_dev"); (stat?["stddev_rate"] ?? .null).write(to: &x)
                    x.key("min_rate"); (stat?["min_rate"] ?? .null).write(to: &x)
                    x.key("max_rate"); (stat?["max_rate"] ?? .null).write(to: &x)
                    x.key("samples"); (stat?["samples"] ?? .int(0)).write(to: &x)
                    x.key("mean_rate_8h"); (stat?["mean_rate_8h"] ?? .null).write(to: &x)
                    x.key("mean_apr"); (stat?["mean_apr"] ?? .null).write(to: &x)
                }
                o.field("period_start", from)
                o.field("period_end", to)
                // The service's shape: every market of the symbol on the dex.
                o.field("dex", dex)
                o.field("interval", interval)
                o.field("start_time", from)
                o.field("end_time", to)
                o.key("data")
                o.array { a in for p in points { p.write(to: &a) } }
                o.field("count", points.count)
                o.key("market_statistics")
                o.array { a in for s in stats { s.write(to: &a) } }
            }
        }
    }

    /// The market of the history that `/funding-rates` would show: the highest 24 h volume, then open interest,
    /// at its last point in the window, then the venue symbol; only markets quoted in `quote` when given.
    static func primaryMarket(_ points: [ResultRow], quote: String?) -> String? {
        var last: [String: ResultRow] = [:]
        for p in points {
            guard let m = p["dex_symbol"]?.string else { continue }
            if let quote, p["quote"]?.string != quote { continue }
            last[m] = p
        }
        return last.max { a, b in
            let va = a.value["volume_24h_usd"]?.double ?? -1, vb = b.value["volume_24h_usd"]?.double ?? -1
            if va != vb { return va < vb }
            let oa = a.value["open_interest_usd"]?.double ?? -1, ob = b.value["open_interest_usd"]?.double ?? -1
            if oa != ob { return oa < ob }
            return a.key > b.key
        }?.key
    }

    /// The median of `values` (the mean of the middle two for an even count); nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let v = values.sorted()
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
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
        let minProfit = try q.double(anyOf: ["min_profit", "min_profit_percent"], min: -1, max: 1)
        let limit = try q.int("limit", default: 100, range: 1...10_000)
        let (rows, total) = try await deps.database.opportunityHistory(symbol: symbol, from: from, to: to,
                                                                       minProfit: minProfit, limit: limit)
        return Response.json { w in
            w.object { o in
                o.key("opportunities")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("total_count", total)
                o.field("period_start", from)
                o.field("period_end", to)
                o.field("symbol", symbol)
                o.field("start_time", from)
                o.field("end_time", to)
                o.field("count", rows.count)
            }
        }
    }

    /// The design document's FundingRateStats at the top level (`funding_rate_stats()`: every market of the symbol,
    /// or of the symbol on `dex`, pooled, rates per 8 h), the per-market statistics (`funding_stats()`, native
    /// rates) under `statistics` and, without `dex`, the cross-dex summary under `summary`.
    func stats(_ request: Request, symbol: String) async throws -> Response {
        let q = request.query
        let dex = try await deps.catalog.dex(try q.string("dex"))
        let period = try q.choice("period", ["1d", "7d", "30d"], default: "30d")!
        let pooled = try await deps.database.pooledFundingStats(period: period, symbol: symbol, dex: dex)
        let markets = try await deps.database.marketFundingStats(period: period, symbol: symbol, dex: dex)
        let summary = dex == nil ? try await deps.database.symbolFundingStats(period: period, symbol: symbol) : nil
        return Response.json { w in
            w.object { o in
                o.field("symbol", symbol)
                o.field("dex_name", dex)
                o.field("period_days", Self.periodDays[period])
                for key in ["period_start", "period_end", "avg_funding_rate", "median_funding_rate", "std_dev",
                            "volatility", "min_rate", "max_rate", "percentile_25", "percentile_75",
                            "avg_annualized_apy", "positive_rate_frequency", "markets", "sample_count"] {
                    o.key(key)
                    (pooled?[key] ?? .null).write(to: &o)
                }
                o.field("rate_basis", "8h")
                o.field("dex", dex)
                o.field("period", period)
                o.key("statistics")
                o.array { a in for row in markets { row.write(to: &a) } }
                o.key("summary")
                if let summary { summary.write(to: &o) } else { o.null() }
            }
        }
    }

    static let periodDays = ["1d": 1, "7d": 7, "30d": 30]
}
