import Foundation

/// Taker trade flow of one market in one UTC minute, as a stream saw it: sizes in the market's contract units (the
/// units its price is quoted per, so notional = price × size), encoded with the keys
/// `trade_flow_apply_contracts()` reads (it multiplies sizes by the market's multiplier into symbol units); `minute`
/// is a whole minute, so an ISO 8601 date strategy carries it exactly.
public struct TradeFlow: Sendable, Hashable, Encodable {
    public var dex: String
    public var dexSymbol: String
    /// The minute's start.
    public var minute: Date
    public var buySize: Double = 0
    public var sellSize: Double = 0
    /// Σ price × size of taker buys, in the quote currency (USD for the USD(T/C)-quoted markets that count).
    public var buyNotional: Double = 0
    public var sellNotional: Double = 0
    public var buyTrades: Int = 0
    public var sellTrades: Int = 0

    public init(dex: String, dexSymbol: String, minute: Date) {
        self.dex = dex
        self.dexSymbol = dexSymbol
        self.minute = minute
    }

    /// Adds another part of the same market and minute.
    public mutating func add(_ other: TradeFlow) {
        buySize += other.buySize
        sellSize += other.sellSize
        buyNotional += other.buyNotional
        sellNotional += other.sellNotional
        buyTrades += other.buyTrades
        sellTrades += other.sellTrades
    }

    enum CodingKeys: String, CodingKey {
        case dex, dexSymbol = "dex_symbol", minute = "bucket", buySize = "buy_contracts", sellSize = "sell_contracts"
        case buyNotional = "buy_usd", sellNotional = "sell_usd", buyTrades = "buy_trades", sellTrades = "sell_trades"
    }
}
