import Foundation
import FundingCore
import Logging
import PostgresNIO

/// What one `prices_apply()` call did (schema/0093).
public struct PriceWriteResult: Sendable, Hashable {
    public var rowsIn: Int
    public var rowsApplied: Int
    public var rowsUnknownMarket: Int
    public var rowsRejected: Int

    public init(rowsIn: Int, rowsApplied: Int, rowsUnknownMarket: Int, rowsRejected: Int) {
        self.rowsIn = rowsIn
        self.rowsApplied = rowsApplied
        self.rowsUnknownMarket = rowsUnknownMarket
        self.rowsRejected = rowsRejected
    }
}

/// The live-price calls: one flush, and the markets a venue's streams subscribe to.
public enum PriceWriter {
    /// Writes one flush with one `prices_apply()` call (one array per field).
    public static func write(_ prices: [LivePrice], on connection: PostgresConnection, logger: Logger) async throws
        -> PriceWriteResult
    {
        // -Infinity marks an absent number (arrays carry no NULL through PostgresNIO; JSON has no infinity, so no
        // venue value is confused with it). NaN and other unusable values travel as they are and are rejected.
        let absent = -Double.infinity
        var dex: [String] = [], dexSymbol: [String] = [], timeUs: [Int64] = [], receivedUs: [Int64] = []
        var bid: [Double] = [], bidSize: [Double] = [], ask: [Double] = [], askSize: [Double] = []
        var last: [Double] = [], mark: [Double] = []
        for p in prices {
            dex.append(p.dex); dexSymbol.append(p.dexSymbol)
            timeUs.append(CopyText.microseconds(p.time)); receivedUs.append(CopyText.microseconds(p.receivedAt))
            bid.append(p.bid ?? absent); bidSize.append(p.bidSize ?? absent)
            ask.append(p.ask ?? absent); askSize.append(p.askSize ?? absent)
            last.append(p.last ?? absent); mark.append(p.mark ?? absent)
        }
        let rows = try await connection.query("""
            SELECT rows_in, rows_applied, rows_unknown_market, rows_rejected
            FROM prices_apply(\(dex), \(dexSymbol), \(timeUs), \(receivedUs), \(bid), \(bidSize), \(ask), \(askSize),
                              \(last), \(mark))
            """, logger: logger)
        var result = PriceWriteResult(rowsIn: 0, rowsApplied: 0, rowsUnknownMarket: 0, rowsRejected: 0)
        for try await (a, b, c, d) in rows.decode((Int, Int, Int, Int).self) {
            result = PriceWriteResult(rowsIn: a, rowsApplied: b, rowsUnknownMarket: c, rowsRejected: d)
        }
        return result
    }

    /// Writes one flush's trade flow with one `trade_flow_apply_contracts()` call (schema/0096); rows of unknown
    /// markets or with bad numbers are counted as rejected, never fail the rest.
    public static func writeTradeFlow(_ flows: [TradeFlow], on connection: PostgresConnection, logger: Logger)
        async throws -> (rowsApplied: Int, rowsRejected: Int, rejected: String)
    {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(flows), as: UTF8.self)
        let rows = try await connection.query(
            "SELECT rows_applied, rows_rejected, rejected::text FROM trade_flow_apply_contracts(\(json)::jsonb)",
            logger: logger)
        var result = (rowsApplied: 0, rowsRejected: 0, rejected: "{}")
        for try await (a, r, why) in rows.decode((Int, Int, String).self) { result = (a, r, why) }
        return result
    }

    /// The active markets of `dex` (venue symbols), the set its streams subscribe to.
    public static func activeMarkets(dex: String, on connection: PostgresConnection, logger: Logger) async throws
        -> [String]
    {
        try await marketQuotes(dex: dex, on: connection, logger: logger).map(\.dexSymbol)
    }

    /// The active markets of `dex` with the best bid, ask and mark of their latest polled snapshot.
    public static func marketQuotes(dex: String, on connection: PostgresConnection, logger: Logger) async throws
        -> [MarketQuote]
    {
        let rows = try await connection.query(
            "SELECT dex_symbol, best_bid, best_ask, mark_price, symbol, multiplier FROM stream_markets(\(dex))",
            logger: logger)
        var quotes: [MarketQuote] = []
        for try await (dexSymbol, bid, ask, mark, symbol, multiplier)
            in rows.decode((String, Double?, Double?, Double?, String, Double).self)
        {
            quotes.append(MarketQuote(dexSymbol: dexSymbol, bid: bid, ask: ask, mark: mark, symbol: symbol,
                                      multiplier: multiplier))
        }
        return quotes
    }
}

/// A market's last polled book and mark (per contract unit), its symbol and multiplier.
public struct MarketQuote: Sendable, Hashable {
    public var dexSymbol: String
    public var bid: Double?
    public var ask: Double?
    public var mark: Double?
    public var symbol: String
    public var multiplier: Double

    public init(dexSymbol: String, bid: Double?, ask: Double?, mark: Double?, symbol: String, multiplier: Double) {
        self.dexSymbol = dexSymbol
        self.bid = bid
        self.ask = ask
        self.mark = mark
        self.symbol = symbol
        self.multiplier = multiplier
    }

    /// The polled level per unit of the symbol: the mark, else the book's mid.
    public var unitLevel: Double? {
        let level = mark ?? bid.flatMap { b in ask.map { (b + $0) / 2 } }
        return level.flatMap { $0 > 0 && $0.isFinite ? $0 / multiplier : nil }
    }
}
