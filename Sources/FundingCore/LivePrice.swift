import Foundation

/// The latest streamed state of one market, as the stream workers hold it in memory and flush it.
///
/// Prices per contract unit as the venue quotes them (like `MarketSnapshot`); sizes in the venue's size unit. A nil
/// field has not been streamed yet for this market.
public struct LivePrice: Sendable, Hashable {
    public var dex: String
    public var dexSymbol: String
    /// The venue's event time of the newest update (venue clock).
    public var time: Date
    /// When this process received the newest update (its clock); ages are measured from it.
    public var receivedAt: Date
    public var bid: Double?
    public var bidSize: Double?
    public var ask: Double?
    public var askSize: Double?
    public var last: Double?
    public var mark: Double?

    public init(
        dex: String, dexSymbol: String, time: Date, receivedAt: Date, bid: Double? = nil, bidSize: Double? = nil,
        ask: Double? = nil, askSize: Double? = nil, last: Double? = nil, mark: Double? = nil
    ) {
        self.dex = dex
        self.dexSymbol = dexSymbol
        self.time = time
        self.receivedAt = receivedAt
        self.bid = bid
        self.bidSize = bidSize
        self.ask = ask
        self.askSize = askSize
        self.last = last
        self.mark = mark
    }
}
