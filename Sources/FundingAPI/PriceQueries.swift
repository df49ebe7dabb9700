import Foundation
import PostgresNIO

/// The filters of the live-price reads, parsed once for the REST routes and the WebSocket subscriptions alike.
struct LivePriceQuery: Hashable, Sendable {
    static let parameterNames = ["symbols", "dexes", "max_age_seconds"]

    var symbols: [String]? = nil
    var dexes: [String]? = nil
    /// Prices received longer ago than this are left out (default 60).
    var maxAgeSeconds: Double = 60

    static func parse(_ q: QueryReader, catalog: NameCatalog, symbols fixed: [String]? = nil) async throws -> Self {
        var symbols = fixed
        if symbols == nil { symbols = try await catalog.symbols(try q.list("symbols")) }
        return Self(symbols: symbols,
             dexes: try await catalog.dexes(try q.list("dexes")),
             maxAgeSeconds: try q.double("max_age_seconds", min: 0.001, max: 86400) ?? 60)
    }
}

/// The filters of `price_spreads()` / `best_price_spreads()` (schema/0093).
struct PriceSpreadQuery: Hashable, Sendable {
    static let parameterNames = ["symbols", "dexes", "min_spread_bps", "min_volume_usd", "max_age_seconds", "limit"]

    var best: Bool
    var symbols: [String]? = nil
    var dexes: [String]? = nil
    var minSpreadBps: Double? = nil
    var minVolumeUSD: Double? = nil
    var maxAgeSeconds: Double = 60
    var limit: Int = 100

    static func parse(_ q: QueryReader, catalog: NameCatalog, best: Bool) async throws -> Self {
        Self(best: best,
             symbols: try await catalog.symbols(try q.list("symbols")),
             dexes: try await catalog.dexes(try q.list("dexes")),
             minSpreadBps: try q.double("min_spread_bps", min: -10_000, max: 10_000),
             minVolumeUSD: try q.double("min_volume_usd", min: 0, max: 1e15),
             maxAgeSeconds: try q.double("max_age_seconds", min: 0.001, max: 86400) ?? 60,
             limit: try q.int("limit", default: 100, range: 1...1000))
    }
}

extension APIDatabase {
    /// `live_prices` rows matching `q`, by symbol and dex; with `since`, only those received after it.
    func livePrices(_ q: LivePriceQuery, since: Date? = nil) async throws -> [ResultRow] {
        try await resultRows("""
            SELECT * FROM live_prices
            WHERE (\(q.symbols)::text[] IS NULL OR symbol = ANY (\(q.symbols)::text[]))
              AND (\(q.dexes)::text[] IS NULL OR dex = ANY (\(q.dexes)::text[]))
              AND received_at >= now() - \(q.maxAgeSeconds) * interval '1 second'
              AND (\(since)::timestamptz IS NULL OR received_at > \(since)::timestamptz)
            ORDER BY symbol, dex, dex_symbol
            """)
    }

    /// The spreads of `q`, best first.
    func priceSpreads(_ q: PriceSpreadQuery) async throws -> [ResultRow] {
        let function = q.best ? "best_price_spreads" : "price_spreads"  // one of two fixed names
        return try await resultRows("""
            SELECT * FROM \(unescaped: function)(
                p_symbols => \(q.symbols), p_dexes => \(q.dexes), p_min_spread_bps => \(q.minSpreadBps),
                p_min_volume_usd => \(q.minVolumeUSD), p_max_age => \(q.maxAgeSeconds) * interval '1 second',
                p_limit => \(Int32(q.limit)))
            """)
    }
}
