import Foundation
import Hummingbird

/// `GET /api/v1/funding-rates`, `/funding-rates/{dex}`, `/funding-rates/{dex}/{symbol}`.
struct FundingRatesRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.cachedGet("/api/v1/funding-rates", query: ["dex", "symbol", "quote", "basis", "include_metadata"]) {
            request, _ in try await all(request)
        }
        routes.cachedGet("/api/v1/funding-rates/{dex}", query: ["symbol", "quote", "basis"]) { request, context in
            try await oneDex(request, dex: try await deps.catalog.dex(context.path("dex")))
        }
        routes.cachedGet("/api/v1/funding-rates/{dex}/{symbol}", query: ["quote"]) { request, context in
            let dex = try await deps.catalog.dex(context.path("dex"))
            let symbol = try await deps.catalog.symbol(context.path("symbol"))
            return try await markets(dex: dex, symbol: symbol, quote: try request.query.quote())
        }
    }

    /// Per dex and symbol, the market a bot would trade when several exist: the most liquid (24 h volume, then
    /// open interest, then the venue symbol) unless `quote` narrows them.
    static func primary(_ rows: [FundingRateRow]) -> [String: [String: FundingRateRow]] {
        var out: [String: [String: FundingRateRow]] = [:]
        for row in rows {
            if let current = out[row.symbol]?[row.dex], !Self.preferred(row, over: current) { continue }
            out[row.symbol, default: [:]][row.dex] = row
        }
        return out
    }

    static func preferred(_ a: FundingRateRow, over b: FundingRateRow) -> Bool {
        let va = a.volume24hUSD ?? -1, vb = b.volume24hUSD ?? -1
        if va != vb { return va > vb }
        let oa = a.openInterestUSD ?? -1, ob = b.openInterestUSD ?? -1
        if oa != ob { return oa > ob }
        return a.dexSymbol < b.dexSymbol
    }

    func all(_ request: Request) async throws -> Response {
        let q = request.query
        let dexes = try await deps.catalog.dexes(try q.list("dex"))
        let symbols = try await deps.catalog.symbols(try q.list("symbol"))
        let quote = try q.quote()
        let basis = RateBasis(rawValue: try q.choice("basis", RateBasis.allCases.map(\.rawValue), default: "native")!)!
        let includeMetadata = try q.bool("include_metadata", default: false)
        let rows = try await deps.database.latestRateValues(dexes: dexes, symbols: symbols, quote: quote)
        let health = includeMetadata ? try await deps.database.dexHealth() : []
        let grouped = Self.primary(rows)
        return Response.json { w in
            w.object { o in
                o.key("data")
                o.object { d in
                    for symbol in grouped.keys.sorted() {
                        d.key(symbol)
                        d.object { s in
                            for (dex, row) in grouped[symbol]!.sorted(by: { $0.key < $1.key }) {
                                s.field(dex, row.value(in: basis))
                            }
                        }
                    }
                }
                o.field("basis", basis.rawValue)
                o.field("updated_at", rows.map(\.time).max())
                if includeMetadata {
                    o.key("dex_metadata")
                    o.object { m in
                        let present = Set(rows.map(\.dex))
                        for dex in health where present.contains(dex["dex"]?.string ?? "") {
                            m.key(dex["dex"]!.string!)
                            Self.writeMetadata(dex, rows: rows, to: &m)
                        }
                    }
                }
            }
        }
    }

    static func writeMetadata(_ dex: ResultRow, rows: [FundingRateRow], to w: inout JSONWriter) {
        let name = dex["dex"]?.string
        let mine = rows.filter { $0.dex == name }
        w.object { o in
            o.field("name", name)
            for key in ["display_name", "kind", "funding_interval_hours", "maker_fee", "taker_fee", "status"] {
                o.key(key)
                (dex[key] ?? .null).write(to: &o)
            }
            // The design document's names for the same fractions (0.0002 = 2 bps, despite "_percent").
            o.key("maker_fee_percent")
            (dex["maker_fee"] ?? .null).write(to: &o)
            o.key("taker_fee_percent")
            (dex["taker_fee"] ?? .null).write(to: &o)
            o.field("markets", mine.count)
            o.field("updated_at", mine.map(\.time).max())
        }
    }

    func oneDex(_ request: Request, dex: String) async throws -> Response {
        let q = request.query
        let symbols = try await deps.catalog.symbols(try q.list("symbol"))
        let quote = try q.quote()
        let basis = RateBasis(rawValue: try q.choice("basis", RateBasis.allCases.map(\.rawValue), default: "native")!)!
        let rows = try await deps.database.latestRateValues(dexes: [dex], symbols: symbols, quote: quote)
        let grouped = Self.primary(rows)
        let symbolsSorted = grouped.keys.sorted()
        return Response.json { w in
            w.object { o in
                o.field("dex_name", dex)
                o.key("rates")
                o.object { r in
                    for symbol in symbolsSorted {
                        r.key(symbol)
                        Self.writeRate(grouped[symbol]![dex]!, to: &r)
                    }
                }
                o.field("updated_at", rows.map(\.time).max())
                // The service's own shape: the rate in the requested basis by symbol.
                o.field("dex", dex)
                o.field("basis", basis.rawValue)
                o.key("data")
                o.object { d in
                    for symbol in symbolsSorted { d.field(symbol, grouped[symbol]![dex]!.value(in: basis)) }
                }
            }
        }
    }

    /// The design document's per-market rate (`FundingRateResponse`): `funding_rate` (fraction per the market's
    /// interval), `annualized_rate` (percent per year from the market's own interval, the service's `apr`),
    /// `next_funding_time`, `timestamp` (the sample time), plus the venue symbol, interval and 8 h rate.
    static func writeRate(_ row: FundingRateRow, to w: inout JSONWriter) {
        w.object { o in
            writeRateFields(row, to: &o)
            o.field("dex_symbol", row.dexSymbol)
            o.field("quote", row.quote)
            o.field("funding_interval_hours", row.fundingIntervalHours)
            o.field("rate_8h", row.rate8h)
        }
    }

    static func writeRateFields(_ row: FundingRateRow, to o: inout JSONWriter) {
        o.field("funding_rate", row.fundingRate)
        o.field("annualized_rate", row.apr)
        o.field("next_funding_time", row.nextFundingTime)
        o.field("timestamp", row.time)
    }

    /// The document's single rate (the market `GET /funding-rates` would pick, narrowed by `quote`) at the top
    /// level, and every market of the symbol on the dex under `markets`.
    func markets(dex: String, symbol: String, quote: String?) async throws -> Response {
        let rows = try await deps.database.latestRates(dexes: [dex], symbols: [symbol], quote: quote)
        guard let primary = Self.primary(rows)[symbol]?[dex] else {
            throw APIError.marketNotFound(dex: dex, symbol: symbol)
        }
        return Response.json { w in
            w.object { o in
                o.field("dex_name", dex)
                o.field("symbol", symbol)
                Self.writeRateFields(primary, to: &o)
                o.field("mark_price", primary.markPrice)
                o.field("index_price", primary.indexPrice)
                o.field("dex_symbol", primary.dexSymbol)
                o.field("funding_interval_hours", primary.fundingIntervalHours)
                o.field("dex", dex)
                o.key("markets")
                o.array { a in for row in rows { row.write(to: &a) } }
                o.field("updated_at", rows.map(\.time).max())
            }
        }
    }
}
