import Foundation

/// A venue with public streams (declared here; implemented by the streams work). Transport-free: the venue says
/// where to connect, what to send to subscribe, and how to read a message; the streams service owns the socket,
/// reconnects and deadlines, so the mapping stays testable against recorded messages.
public protocol LiveStreamSource: VenueAdapter {
    /// The channels this venue implements.
    var streamChannels: Set<StreamChannel> { get }
    /// The WebSocket URL (`wss://...`); `baseURL` is the REST base in use, for venues that derive one from it.
    func streamURL(baseURL: String) -> String
    /// The messages that subscribe to `channel` for `dexSymbols`, in order.
    func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]]
    /// The events in one received message (none for heartbeats and acknowledgements).
    func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent]
}

/// A public stream a venue may offer.
public enum StreamChannel: String, Sendable, Hashable, CaseIterable {
    case topOfBook = "top_of_book"
    case trades
}

/// One decoded stream event, prices per contract unit as in `MarketSnapshot`.
public enum StreamEvent: Sendable, Hashable {
    case topOfBook(TopOfBook)
    case trade(PublicTrade)
}

/// Best bid and ask of one market at `time` (the venue's event time: data).
public struct TopOfBook: Sendable, Hashable {
    public var dexSymbol: String
    public var time: Date
    public var bid: Double?
    public var bidSize: Double?
    public var ask: Double?
    public var askSize: Double?

    public init(dexSymbol: String, time: Date, bid: Double?, bidSize: Double?, ask: Double?, askSize: Double?) {
        self.dexSymbol = dexSymbol
        self.time = time
        self.bid = bid
        self.bidSize = bidSize
        self.ask = ask
        self.askSize = askSize
    }
}

/// One public trade; `size` in contract units, `takerSide` when the venue says which side took.
public struct PublicTrade: Sendable, Hashable {
    public enum Side: String, Sendable, Hashable { case buy, sell }

    public var dexSymbol: String
    public var time: Date
    public var price: Double
    public var size: Double
    public var takerSide: Side?

    public init(dexSymbol: String, time: Date, price: Double, size: Double, takerSide: Side?) {
        self.dexSymbol = dexSymbol
        self.time = time
        self.price = price
        self.size = size
        self.takerSide = takerSide
    }
}
