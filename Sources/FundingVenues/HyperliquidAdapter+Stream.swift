import Foundation

/// Hyperliquid public streams on `wss://api.hyperliquid.xyz/ws` (Hyperliquid docs, "Websocket",
/// hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket and its "Subscriptions" page).
///
/// - Subscribe: `{"method":"subscribe","subscription":{"type":"bbo","coin":"BTC"}}` (top of book) and
///   `{"type":"trades","coin":"BTC"}` (trades); one coin per message: the subscription object names one `coin`.
///   The coin is the snapshot adapter's `dexSymbol` (`BTC`, `kPEPE`, HIP-3 `xyz:TSLA`). Acknowledged by
///   `{"channel":"subscriptionResponse",...}` (the docs' example, read as no events).
/// - `bbo` data (`WsBbo`): `{coin, time, bbo: [bid, ask]}`, each side a `WsLevel` `{px, sz, n}` or `null`;
///   prices in USD(C) per contract unit as `markPx` on REST, sizes in **base (contract) units**, `time` epoch ms.
///   No sequence number. No last or mark price on this channel.
/// - `trades` data (`WsTrade[]`): `{coin, side, px, sz, hash, time, tid, users}`; `side` is the aggressing side
///   ("Notation": `B` = bid = buy, `A` = ask = sell), `sz` in base units, `time` epoch ms.
/// - Keep-alive ("Timeouts and heartbeats"): the server closes a connection it has sent nothing on for 60 s;
///   `{"method":"ping"}` is answered by `{"channel":"pong"}`. Ping every 30 s; 45 s without any message is dead.
/// - Errors: `{"channel":"error","data":"<text>"}` → `rejected`. This shape is read from client libraries; no
///   documented example of it was found.
/// - Limits ("Rate limits"): 1000 subscriptions and 100 connections per IP. Subscriptions per connection are not
///   documented; 100 per connection is a conservative choice (two channels over ~200 coins stay under 1000).
extension HyperliquidAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }
    /// Trade sizes are in the units the price is quoted per (see above), so trades feed the trade flow.
    public var tradeSizes: TradeSizeUnit { .priceUnits }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 100, symbolsPerMessage: 1, pingInterval: .seconds(30),
                     silenceTimeout: .seconds(45))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://api.hyperliquid.xyz/ws")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let type = channel == .topOfBook ? "bbo" : "trades"
        return try dexSymbols.map { try StreamSupport.stableJSON(HLSubscribe(subscription: .init(type: type, coin: $0))) }
    }

    public func pingMessage(now: Date) -> [UInt8]? { Array(#"{"method":"ping"}"#.utf8) }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        switch try StreamSupport.decode(HLStreamMessage.self, message) {
        case .ignored:
            return []
        case .error(let text):
            throw StreamMessageError.rejected(text)
        case .bbo(let b):
            guard b.bbo.count == 2 else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bbo has \(b.bbo.count) sides"))
            }
            let (bid, ask) = (try b.bbo[0].map(Self.level), try b.bbo[1].map(Self.level))
            return [.topOfBook(TopOfBook(
                dexSymbol: b.coin, time: try StreamSupport.required(b.time.date(.milliseconds), "time"),
                bid: bid?.price, bidSize: bid?.size, ask: ask?.price, askSize: ask?.size))]
        case .trades(let trades):
            return try trades.map { t in
                .trade(PublicTrade(
                    dexSymbol: t.coin, time: try StreamSupport.required(t.time.date(.milliseconds), "time"),
                    price: try StreamSupport.required(t.px.value, "px"), size: try StreamSupport.required(t.sz.value, "sz"),
                    takerSide: t.side == "B" ? .buy : t.side == "A" ? .sell : nil,
                    participants: (t.users ?? []).map { $0.lowercased() }))
            }
        }
    }

    static func level(_ level: HLLevel) throws -> (price: Double, size: Double) {
        (try StreamSupport.required(level.px.value, "px"), try StreamSupport.required(level.sz.value, "sz"))
    }
}

struct HLSubscribe: Encodable {
    struct Subscription: Encodable {
        var type: String
        var coin: String
    }
    var method = "subscribe"
    var subscription: Subscription
}

struct HLLevel: Decodable {
    var px: LenientDouble
    var sz: LenientDouble
}

/// One Hyperliquid message by its `channel`; channels not read here (`subscriptionResponse`, `pong`) are ignored.
enum HLStreamMessage: Decodable {
    struct Bbo: Decodable {
        var coin: String
        var time: LenientDouble
        var bbo: [HLLevel?]
    }

    struct Trade: Decodable {
        var coin: String
        var side: String
        var px: LenientDouble
        var sz: LenientDouble
        var time: LenientDouble
        /// [buyer, seller] addresses (the position scanner's discovery reads them).
        var users: [String]?
    }

    case ignored, error(String), bbo(Bbo), trades([Trade])

    enum CodingKeys: String, CodingKey { case channel, data }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .channel) {
        case "bbo": self = .bbo(try c.decode(Bbo.self, forKey: .data))
        case "trades": self = .trades(try c.decode([Trade].self, forKey: .data))
        case "error": self = .error((try? c.decode(String.self, forKey: .data)) ?? "error without a text")
        default: self = .ignored
        }
    }
}
