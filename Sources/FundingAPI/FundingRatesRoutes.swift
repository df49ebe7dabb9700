import Foundation
import Hummingbird
import NIOCore

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
    /// open interest, then the venue symbol) unless `quote` narrows them. (`api_funding_rates()` picks the same way
    /// in SQL for `/funding-rates` and `/funding-rates/{dex}`.)
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

    /// The rate in each basis a request may ask for (`basis`).
    static let bases = ["native", "1h", "8h", "1d", "apr"]

    /// `{"data": {symbol: {dex: rate}}, "basis", "updated_at"[, "dex_metadata"]}`, built by `api_funding_rates()`
    /// (schema/0101) and passed through as its bytes.
    func all(_ request: Request) async throws -> Response {
        let q = request.query
        let dexes = try await deps.catalog.dexes(try q.list("dex"))
        let symbols = try await deps.catalog.symbols(try q.list("symbol"))
        let quote = try q.quote()
        let basis = try q.choice("basis", Self.bases, default: "native")!
        let includeMetadata = try q.bool("include_metadata", default: false)
        return Self.document(try await deps.database.fundingRatesDocument(
            dexes: dexes, symbols: symbols, quote: quote, basis: basis, includeMetadata: includeMetadata))
    }

    /// `{"dex_name", "rates": {symbol: rate object}, "updated_at", "dex", "basis", "data": {symbol: rate}}`, built by
    /// `api_dex_funding_rates()` (schema/0101).
    func oneDex(_ request: Request, dex: String) async throws -> Response {
        let q = request.query
        let symbols = try await deps.catalog.symbols(try q.list("symbol"))
        let quote = try q.quote()
        let basis = try q.choice("basis", Self.bases, default: "native")!
        return Self.document(try await deps.database.dexFundingRatesDocument(
            dex: dex, symbols: symbols, quote: quote, basis: basis))
    }

    static func document(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: body))
    }

    /// The design document's per-market rate fields (`FundingRateResponse`): `funding_rate` (fraction per the
    /// market's interval), `annualized_rate` (percent per year from the market's own interval, the service's `apr`),
    /// `next_funding_time`, `timestamp` (the sample time).
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
