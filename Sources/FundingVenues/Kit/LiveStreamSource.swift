import Foundation

/// A venue with public streams. Transport-free: the venue says where to connect, what to send to subscribe and to
/// keep the connection alive, and how to read a message; the stream service (`FundingIngest.PriceStreamService`)
/// owns the socket, reconnects with backoff, deadlines and silence detection, so this mapping stays testable
/// against recorded frames.
///
/// Every channel here is a snapshot of the best bid and ask (or a ticker) per message, not an order-book diff, so
/// a lost or reordered message is repaired by the next one: no channel needs sequence-gap recovery. A venue whose
/// messages carry a sequence number still reports it (`TopOfBook.sequence`) so the service drops one older than
/// what it already holds.
public protocol LiveStreamSource: VenueAdapter {
    /// The channels this venue implements.
    var streamChannels: Set<StreamChannel> { get }
    /// Subscription and keep-alive limits, from the venue's documentation.
    var streamLimits: StreamLimits { get }
    /// The WebSocket URL (`wss://...`) to connect to. `restBaseURL` is the REST base in use (a venue whose stream
    /// URL comes from a REST call, such as KuCoin's token, fetches it through `client`).
    func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint
    /// The endpoint for one channel, for venues that route channels to different URLs (Binance USDⓈ-M: book data
    /// on `/public`, trades on `/market`). Defaults to `streamEndpoint(client:restBaseURL:)`; the service opens
    /// separate connections per channel either way.
    func streamEndpoint(for channel: StreamChannel, client: some HTTPFetching, restBaseURL: String) async throws
        -> StreamEndpoint
    /// The messages that subscribe to `channel` for `dexSymbols` (at most `streamLimits.symbolsPerMessage`), in
    /// order.
    func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]]
    /// The application-level ping to send every `streamLimits.pingInterval`; nil when the venue relies on
    /// WebSocket ping frames (which the client answers by itself).
    func pingMessage(now: Date) -> [UInt8]?
    /// What a streamed trade's `size` counts, and so whether trades feed the trade flow (CVD, taker buy ratio).
    var tradeSizes: TradeSizeUnit { get }
    /// The events in one received message: none for heartbeats and acknowledgements. Throws
    /// `StreamMessageError.rejected` for a venue's error answer (a refused subscription) and a decoding error for
    /// a malformed message; either costs that message only.
    func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent]
}

extension LiveStreamSource {
    /// Unless a venue says otherwise, its trade sizes are venue contracts of a size this service does not store.
    public var tradeSizes: TradeSizeUnit { .venueContracts }

    public func streamEndpoint(for channel: StreamChannel, client: some HTTPFetching, restBaseURL: String)
        async throws -> StreamEndpoint
    {
        try await streamEndpoint(client: client, restBaseURL: restBaseURL)
    }
}

/// Where to connect, and the keep-alive the venue asks for on that connection.
public struct StreamEndpoint: Sendable, Hashable {
    public var url: String
    /// Overrides `StreamLimits.pingInterval` (KuCoin's token answer names its own).
    public var pingInterval: Duration?

    public init(url: String, pingInterval: Duration? = nil) {
        self.url = url
        self.pingInterval = pingInterval
    }
}

/// A venue's documented stream limits.
public struct StreamLimits: Sendable, Hashable {
    /// Markets (per channel) on one connection; the service opens more connections beyond it.
    public var symbolsPerConnection: Int
    /// Markets named in one subscribe message.
    public var symbolsPerMessage: Int
    /// How often to send `pingMessage`.
    public var pingInterval: Duration
    /// A connection with no message for this long is taken as dead and reconnected.
    public var silenceTimeout: Duration

    public init(
        symbolsPerConnection: Int, symbolsPerMessage: Int, pingInterval: Duration = .seconds(20),
        silenceTimeout: Duration = .seconds(30)
    ) {
        self.symbolsPerConnection = symbolsPerConnection
        self.symbolsPerMessage = symbolsPerMessage
        self.pingInterval = pingInterval
        self.silenceTimeout = silenceTimeout
    }
}

/// A venue's answer that is an error rather than data.
public enum StreamMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The venue refused a request (a subscription to an unknown market, a malformed request).
    case rejected(String)

    public var description: String {
        switch self {
        case .rejected(let message): "venue rejected a request: \(message)"
        }
    }
}

/// What the `size` of a venue's streamed trades counts.
public enum TradeSizeUnit: Sendable, Hashable {
    /// The units the market's price is quoted per (Binance's `q`, Bybit's `v`, ...): notional = price × size, symbol
    /// units = size × the market's multiplier. Trades of these venues are aggregated into `trade_flow_1m`.
    case priceUnits
    /// Venue contracts of a per-market size (OKX `ctVal`, Gate `quanto_multiplier`, KuCoin `multiplier`, MEXC
    /// `contractSize`) or USD contracts of inverse markets (BitMEX, Deribit): the contract size is not stored, so
    /// these trades set the last price only.
    case venueContracts
}

/// A public stream a venue may offer.
public enum StreamChannel: String, Sendable, Hashable, CaseIterable {
    /// Best bid and ask with sizes, and last / mark price where the venue streams them.
    case topOfBook = "top_of_book"
    /// Public trades with the aggressor side.
    case trades
}

/// One decoded stream event, prices per contract unit as in `MarketSnapshot`.
public enum StreamEvent: Sendable, Hashable {
    case topOfBook(TopOfBook)
    case price(PriceTick)
    case trade(PublicTrade)
}

/// Best bid and ask of one market at `time` (the venue's event time: data). Sizes in contract units.
public struct TopOfBook: Sendable, Hashable {
    public var dexSymbol: String
    public var time: Date
    public var bid: Double?
    public var bidSize: Double?
    public var ask: Double?
    public var askSize: Double?
    /// The venue's update or sequence number where it sends one (newer is larger); nil otherwise.
    public var sequence: Int64?

    public init(
        dexSymbol: String, time: Date, bid: Double?, bidSize: Double?, ask: Double?, askSize: Double?,
        sequence: Int64? = nil
    ) {
        self.dexSymbol = dexSymbol
        self.time = time
        self.bid = bid
        self.bidSize = bidSize
        self.ask = ask
        self.askSize = askSize
        self.sequence = sequence
    }
}

/// Last traded and / or mark price of one market at `time`, per contract unit; a nil field was not in the message.
public struct PriceTick: Sendable, Hashable {
    public var dexSymbol: String
    public var time: Date
    public var last: Double?
    public var mark: Double?

    public init(dexSymbol: String, time: Date, last: Double?, mark: Double?) {
        self.dexSymbol = dexSymbol
        self.time = time
        self.last = last
        self.mark = mark
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
    /// The accounts on either side, where the venue publishes them (Hyperliquid's `users`: buyer, seller).
    public var participants: [String]

    public init(dexSymbol: String, time: Date, price: Double, size: Double, takerSide: Side?,
                participants: [String] = []) {
        self.dexSymbol = dexSymbol
        self.time = time
        self.price = price
        self.size = size
        self.takerSide = takerSide
        self.participants = participants
    }
}
