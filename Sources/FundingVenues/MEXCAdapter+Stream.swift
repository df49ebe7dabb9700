import Foundation

/// MEXC perpetual contract stream, from MEXC's contract API docs (`mexcdevelop/apidocs`, branch
/// `contract_v1_en`, commit 84922b14, `source/index.html.md`, "WebSocket API"; the same text as
/// https://mexcdevelop.github.io/apidocs/contract_v1_en/#websocket-api):
/// - URL `wss://contract.mexc.com/edge` ("Native WS connection address"; changelog 2024-01-31).
/// - Top of book: `sub.ticker` → `push.ticker`, "send once a second": `bid1` / `ask1` per coin (as the REST
///   adapter; MEXC sends **no sizes** on this channel, so they are nil), `lastPrice` and `fairPrice` (the mark)
///   → a `.price` event, `data.timestamp` (ms) → `time`. No sequence number.
/// - Trades: `sub.deal` → `push.deal`; `p` price, `v` volume in **contracts** (`contractSize` base units each),
///   `T` direction (1 buy, 2 sell: the taker's side), `t` (ms). The docs' example has `data` as one object;
///   an array of deals is read too.
/// - One market per subscribe message (the request names one `symbol`).
/// - Keep-alive: `{"method":"ping"}`, answered by `{"channel":"pong",…}`; "If no ping is received within 1
///   minute, the connection will be disconnected. It is recommended to send a ping for 10-20 seconds": 15 s.
///   Silence timeout 30 s (tickers push every second).
/// - Limits: the contract docs state no subscription limit per connection; 30 markets per connection is a
///   conservative choice (the figure MEXC's spot stream documents).
/// - Answers: `{"channel":"rs.sub.ticker","data":"success",…}` acknowledges; `{"channel":"rs.error","data":
///   "Contract doesn't exist!",…}` is a refused request.
extension MEXCAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 30, symbolsPerMessage: 1, pingInterval: .seconds(15),
                     silenceTimeout: .seconds(30))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://contract.mexc.com/edge")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let method = channel == .topOfBook ? "sub.ticker" : "sub.deal"
        return try dexSymbols.map { try StreamSupport.json(Request(method: method, param: Param(symbol: $0))) }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        Array(#"{"method":"ping"}"#.utf8)
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        let frame = try StreamSupport.decode(StreamFrame.self, message)
        switch frame.channel {
        case "rs.error":
            throw StreamMessageError.rejected((try? StreamSupport.decode(StreamPayload<String>.self, message).data) ?? "rs.error")
        case "push.ticker":
            let t = try StreamSupport.decode(StreamPayload<StreamTicker>.self, message).data
            let time = try StreamSupport.time(t.timestamp, .milliseconds, field: "timestamp")
            return [
                .topOfBook(TopOfBook(dexSymbol: t.symbol, time: time, bid: t.bid1.number, bidSize: nil,
                                     ask: t.ask1.number, askSize: nil)),
                .price(PriceTick(dexSymbol: t.symbol, time: time, last: t.lastPrice.number, mark: t.fairPrice.number)),
            ]
        case "push.deal":
            guard let symbol = frame.symbol else { throw StreamPayloadError.missing("symbol") }
            return try StreamSupport.decode(StreamPayload<OneOrMany<Deal>>.self, message).data.rows.map { d in
                .trade(PublicTrade(
                    dexSymbol: symbol, time: try StreamSupport.time(d.t, .milliseconds, field: "t"),
                    price: try StreamSupport.number(d.p, field: "p"), size: try StreamSupport.number(d.v, field: "v"),
                    takerSide: d.T == 1 ? .buy : d.T == 2 ? .sell : nil))
            }
        case nil:
            throw StreamPayloadError.missing("channel")
        default:
            return []  // pong, rs.sub.* acknowledgements, channels never subscribed to
        }
    }

    private struct Request: Encodable {
        var method: String
        var param: Param
    }

    private struct Param: Encodable {
        var symbol: String
    }

    /// Every answer: `channel` (`pong`, `rs.sub.…`, `rs.error`, `push.…`), `symbol` on pushes; `data` is read by
    /// channel.
    private struct StreamFrame: Decodable {
        var channel: String?
        var symbol: String?
    }

    private struct StreamTicker: Decodable {
        var symbol: String
        var bid1: LenientDouble?
        var ask1: LenientDouble?
        var lastPrice: LenientDouble?
        var fairPrice: LenientDouble?
        var timestamp: LenientDouble?
    }

    private struct Deal: Decodable {
        var p: LenientDouble?
        var v: LenientDouble?
        var T: Int?
        var t: LenientDouble?
    }
}
