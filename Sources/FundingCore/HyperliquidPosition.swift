import Foundation

/// One open position of a Hyperliquid account as its public `clearinghouseState` reports it, in the venue's units
/// (the coin's contract units, USD); encoded with the keys `hyperliquid_positions_apply()` reads.
public struct HyperliquidPosition: Sendable, Hashable, Encodable {
    public init(coin: String, size: Double, entryPrice: Double? = nil, liquidationPrice: Double? = nil,
                leverage: Double? = nil, leverageType: String? = nil, marginUsedUSD: Double? = nil,
                positionValueUSD: Double? = nil) {
        self.coin = coin
        self.size = size
        self.entryPrice = entryPrice
        self.liquidationPrice = liquidationPrice
        self.leverage = leverage
        self.leverageType = leverageType
        self.marginUsedUSD = marginUsedUSD
        self.positionValueUSD = positionValueUSD
    }

    /// The venue's coin name (`BTC`, `kPEPE`): `markets.dex_symbol` of the Hyperliquid market.
    public var coin: String
    /// `szi`: signed size in coins, > 0 long, < 0 short.
    public var size: Double
    /// `entryPx`, USD per coin.
    public var entryPrice: Double?
    /// `liquidationPx`, USD per coin; nil when the account cannot be liquidated (the venue writes `null`).
    public var liquidationPrice: Double?
    /// `leverage.value`.
    public var leverage: Double?
    /// `leverage.type`: `cross` or `isolated` (anything else is left out).
    public var leverageType: String?
    /// `marginUsed`, USD.
    public var marginUsedUSD: Double?
    /// `positionValue`: |size| × mark at the answer, USD.
    public var positionValueUSD: Double?

    enum CodingKeys: String, CodingKey {
        case coin, size
        case entryPrice = "entry_price", liquidationPrice = "liquidation_price", leverage
        case leverageType = "leverage_type", marginUsedUSD = "margin_used_usd", positionValueUSD = "position_value_usd"
    }
}
