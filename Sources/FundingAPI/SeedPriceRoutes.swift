import Foundation
import Hummingbird

/// The price fetcher's endpoints in its own shapes (the product's seed document 002), over the same SQL as
/// `/api/v1/prices` and `/api/v1/price-spreads`: `GET /api/prices`, `/api/prices/{symbol}`,
/// `/api/best-prices/{symbol}`, `/api/summary`, `/api/arbitrage`, `/api/arbitrage/{symbol}` and
/// `/api/spread/{symbol}/{exchange1}/{exchange2}`, for clients written against that document.
///
/// Mappings: `price` is the last traded price where streamed, else the mid; `timestamp` inside a price is the
/// venue's event time in epoch milliseconds; `spread` is sell − buy per unit, `spread_percentage` the gross spread
/// and `potential_profit` the net spread after both legs' taker fees, both in percent; `profitable` = net > 0. Symbols
/// are this service's normalised ones (`BTC`); a seed-style market name (`BTCUSDT`) is accepted on the paths.
struct SeedPriceRoutes: Sendable {
    let deps: APIDependencies

    func register(_ routes: RouteRegistrar) {
        routes.get("/api/prices") { _, _ in
            let rows = try await deps.database.livePrices(LivePriceQuery(maxAgeSeconds: 60))
            return Response.json { w in
                w.object { o in
                    o.key("prices")
                    o.object { bySymbol in
                        for (symbol, group) in Self.grouped(rows) {
                            bySymbol.key(symbol)
                            bySymbol.object { byDex in Self.writeVenues(group, to: &byDex) }
                        }
                    }
                    o.field("timestamp", Date())
                }
            }
        }
        routes.get("/api/prices/{symbol}") { _, context in
            let symbol = try await seedSymbol(context.path("symbol"))
            let rows = try await deps.database.livePrices(LivePriceQuery(symbols: [symbol], maxAgeSeconds: 60))
            return Response.json { w in
                w.object { o in
                    o.field("symbol", symbol)
                    o.key("prices")
                    o.object { byDex in Self.writeVenues(rows, to: &byDex) }
                    o.field("timestamp", Date())
                }
            }
        }
        routes.get("/api/best-prices/{symbol}") { _, context in
            let symbol = try await seedSymbol(context.path("symbol"))
            let rows = try await deps.database.livePrices(LivePriceQuery(symbols: [symbol], maxAgeSeconds: 60))
            let bestBid = rows.filter { $0["bid"]?.double != nil }.max { $0["bid"]!.double! < $1["bid"]!.double! }
            let bestAsk = rows.filter { $0["ask"]?.double != nil }.min { $0["ask"]!.double! < $1["ask"]!.double! }
            return Response.json { w in
                w.object { o in
                    o.field("symbol", symbol)
                    o.key("best_bid")
                    Self.writeQuote(bestBid, "bid", to: &o)
                    o.key("best_ask")
                    Self.writeQuote(bestAsk, "ask", to: &o)
                    o.field("timestamp", Date())
                }
            }
        }
        routes.get("/api/summary") { _, _ in
            let prices = try await deps.database.livePrices(LivePriceQuery(maxAgeSeconds: 60))
            let best = try await deps.database.priceSpreads(PriceSpreadQuery(best: true, maxAgeSeconds: 60, limit: 1000))
            return Response.json { w in
                w.object { o in
                    o.field("symbols", Set(prices.compactMap { $0["symbol"]?.string }).count)
                    o.field("exchanges", Set(prices.compactMap { $0["dex"]?.string }).count)
                    o.field("markets", prices.count)
                    o.field("arbitrage_opportunities", best.filter { ($0["net_spread_bps"]?.double ?? 0) > 0 }.count)
                    o.key("best_opportunity")
                    if let top = best.first { Self.writeOpportunity(top, to: &o) } else { o.null() }
                    o.field("timestamp", Date())
                }
            }
        }
        routes.get("/api/arbitrage", query: ["min_spread_bps", "limit"]) { request, _ in
            try await arbitrage(request.query, symbols: nil)
        }
        routes.get("/api/arbitrage/{symbol}", query: ["min_spread_bps", "limit"]) { request, context in
            try await arbitrage(request.query, symbols: [try await seedSymbol(context.path("symbol"))])
        }
        routes.get("/api/spread/{symbol}/{exchange1}/{exchange2}") { _, context in
            let symbol = try await seedSymbol(context.path("symbol"))
            let one = try await deps.catalog.dex(context.path("exchange1"))
            let two = try await deps.catalog.dex(context.path("exchange2"))
            guard one != two else { throw APIError.invalidParameter("exchange2", "must differ from exchange1") }
            let rows = try await deps.database.priceSpreads(PriceSpreadQuery(
                best: false, symbols: [symbol], dexes: [one, two], maxAgeSeconds: 60, limit: 1000))
            func direction(_ buy: String, _ sell: String) -> ResultRow? {
                rows.first { $0["long_dex"]?.string == buy && $0["short_dex"]?.string == sell }
            }
            return Response.json { w in
                w.object { o in
                    o.field("symbol", symbol)
                    o.field("exchange1", one)
                    o.field("exchange2", two)
                    o.key("buy_exchange1_sell_exchange2")
                    if let row = direction(one, two) { Self.writeOpportunity(row, to: &o) } else { o.null() }
                    o.key("buy_exchange2_sell_exchange1")
                    if let row = direction(two, one) { Self.writeOpportunity(row, to: &o) } else { o.null() }
                    o.field("timestamp", Date())
                }
            }
        }
    }

    /// A path symbol: the normalised name, or a seed-style market name with its quote suffix (`BTCUSDT` → `BTC`).
    func seedSymbol(_ raw: String) async throws -> String {
        do {
            return try await deps.catalog.symbol(raw)
        } catch let error as APIError where error.code == "symbol_not_found" {
            let upper = raw.uppercased()
            for suffix in ["USDT", "USDC", "USD"] where upper.hasSuffix(suffix) && upper.count > suffix.count {
                let base: String = String(upper.dropLast(suffix.count))
                if let found: String = try? await deps.catalog.symbol(base) { return found }
            }
            throw error
        }
    }

    func arbitrage(_ q: QueryReader, symbols: [String]?) async throws -> Response {
        let query = PriceSpreadQuery(best: false, symbols: symbols,
                                     minSpreadBps: try q.double("min_spread_bps", min: -10_000, max: 10_000) ?? 0,
                                     maxAgeSeconds: 60, limit: try q.int("limit", default: 100, range: 1...1000))
        let rows = try await deps.database.priceSpreads(query)
        return Response.json { w in
            w.object { o in
                o.key("opportunities")
                o.array { a in for row in rows { Self.writeOpportunity(row, to: &a) } }
                o.field("timestamp", Date())
            }
        }
    }

    /// `live_prices` rows by symbol, in symbol order.
    static func grouped(_ rows: [ResultRow]) -> [(String, [ResultRow])] {
        Dictionary(grouping: rows) { $0["symbol"]?.string ?? "" }.sorted { $0.key < $1.key }
    }

    /// `{dex: {price, bid, ask, timestamp}}` for one symbol's rows; a venue with several markets of the symbol
    /// (BTCUSDT and BTCUSDC) shows its freshest.
    static func writeVenues(_ rows: [ResultRow], to o: inout JSONWriter) {
        let freshest = Dictionary(grouping: rows) { $0["dex"]?.string ?? "" }
            .mapValues { $0.min { ($0["age_seconds"]?.double ?? .infinity) < ($1["age_seconds"]?.double ?? .infinity) }! }
        for (dex, row) in freshest.sorted(by: { $0.key < $1.key }) {
            o.key(dex)
            o.object { p in
                let mid = row["mid"]?.double
                p.field("price", row["last"]?.double ?? mid)
                p.field("bid", row["bid"]?.double)
                p.field("ask", row["ask"]?.double)
                p.field("timestamp", epochMilliseconds(row["time"]))
                p.field("dex_symbol", row["dex_symbol"]?.string)
            }
        }
    }

    static func writeQuote(_ row: ResultRow?, _ side: String, to o: inout JSONWriter) {
        guard let row else { return o.null() }
        o.object { q in
            q.field("exchange", row["dex"]?.string)
            q.field("price", row[side]?.double)
            q.field("timestamp", epochMilliseconds(row["time"]))
        }
    }

    /// One `price_spreads()` row in the seed's arbitrage shape, plus the net spread in bps.
    static func writeOpportunity(_ row: ResultRow, to w: inout JSONWriter) {
        let buy = row["buy_price"]?.double ?? 0, sell = row["sell_price"]?.double ?? 0
        let gross = row["gross_spread_bps"]?.double ?? 0, net = row["net_spread_bps"]?.double ?? 0
        w.object { o in
            o.field("symbol", row["symbol"]?.string)
            o.field("buy_exchange", row["long_dex"]?.string)
            o.field("sell_exchange", row["short_dex"]?.string)
            o.field("buy_price", buy)
            o.field("sell_price", sell)
            o.field("spread", sell - buy)
            o.field("spread_percentage", gross / 100)
            o.field("potential_profit", net / 100)
            o.field("profitable", net > 0)
            o.field("fees_bps", row["fees_bps"]?.double)
            o.field("net_spread_bps", net)
        }
    }

    static func epochMilliseconds(_ value: ResultValue?) -> Int? {
        guard case .date(let d)? = value else { return nil }
        return Int((d.timeIntervalSince1970 * 1000).rounded())
    }
}
