import Foundation

/// Gate USDT-settled perpetual futures stream (Gate Futures WebSocket v4 docs, the page served at
/// https://www.gate.com/docs/developers/futures/ws/en; example frames in `Tests/Fixtures/gate/SOURCE.md`):
/// - URL `wss://fx-ws.gateio.ws/v4/ws/usdt` ("USDT Contract, Real Trading"). BTC-settled contracts
///   (`BTC_USD`) stream on `/v4/ws/btc`, a second endpoint the contract cannot name, so they are not streamed
///   here.
/// - Top of book: `futures.book_ticker` ("Push best bid and ask in real-time"); `result` `b` / `a` best bid /
///   ask per coin ("If no bids, it's empty string" → nil, and its size, then 0, → nil too), `B` / `A` their
///   sizes in **contracts** (a contract is `quanto_multiplier` base units), `t` (ms) → `time`, `u` (order book
///   update id) → `sequence`. No last or mark price on this channel.
/// - Trades: `futures.trades`; each row `price`, `size` in contracts, "Positive size means taker is buyer，
///   negative seller", `create_time_ms` (ms).
/// - Requests carry `time` (Unix seconds, required by the docs' request format). `subscribeMessages` has no
///   clock argument, so its messages stamp the wall clock at the call.
/// - Keep-alive: the server sends protocol-level pings; the docs also offer an application-level
///   `{"time":…,"channel":"futures.ping"}` (answered by `futures.pong`), sent here every 10 s as in the docs'
///   demo application. Silence timeout 30 s (not a documented figure).
/// - Limits: the docs state no limit on contracts per request or per connection; 20 per message and 100 per
///   connection are conservative choices.
/// - Answers: a non-null `error` (`{"code":2,"message":"…"}`; codes 1 invalid argument struct, 2 invalid
///   argument, 3 service error, 4 authentication fail) is a refused request; `event: subscribe` with a null
///   error acknowledges.
extension GateAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 100, symbolsPerMessage: 20, pingInterval: .seconds(10),
                     silenceTimeout: .seconds(30))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://fx-ws.gateio.ws/v4/ws/usdt")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let name = channel == .topOfBook ? "futures.book_ticker" : "futures.trades"
        let time = Int(Date().timeIntervalSince1970)
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).map { batch in
            try StreamSupport.json(Request(time: time, channel: name, event: "subscribe", payload: batch))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        try? StreamSupport.json(Request(time: Int(now.timeIntervalSince1970), channel: "futures.ping"))
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        let frame = try StreamSupport.decode(StreamFrame.self, message)
        if let error = frame.error {
            throw StreamMessageError.rejected("code \(error.code.map(String.init) ?? "?"): \(error.message ?? "")")
        }
        guard frame.event == "update" || frame.event == "all" else { return [] }  // acks, pongs
        switch frame.channel {
        case "futures.book_ticker":
            let t = try StreamSupport.decode(Push<BookTicker>.self, message).result
            return [.topOfBook(TopOfBook(
                dexSymbol: t.s, time: try StreamSupport.time(t.t, .milliseconds, field: "t"),
                bid: t.b.number, bidSize: t.b.number == nil ? nil : t.B.number,
                ask: t.a.number, askSize: t.a.number == nil ? nil : t.A.number, sequence: t.u.number.map { Int64($0) }))]
        case "futures.trades":
            return try StreamSupport.decode(Push<[StreamTrade]>.self, message).result.map { t in
                let size = try StreamSupport.number(t.size, field: "size")
                return .trade(PublicTrade(
                    dexSymbol: t.contract, time: try StreamSupport.time(t.create_time_ms, .milliseconds, field: "create_time_ms"),
                    price: try StreamSupport.number(t.price, field: "price"), size: abs(size),
                    takerSide: size > 0 ? .buy : size < 0 ? .sell : nil))
            }
        default:
            return []  // a channel this adapter never subscribes to
        }
    }

    private struct Request: Encodable {
        var time: Int
        var channel: String
        var event: String?
        var payload: [String]?
    }

    /// Every answer: `channel`, `event` (`subscribe`, `update`, …), `error` (null unless refused); `result` is
    /// read by channel.
    private struct StreamFrame: Decodable {
        var channel: String?
        var event: String?
        var error: VenueError?
    }

    private struct VenueError: Decodable {
        var code: Int?
        var message: String?
    }

    private struct Push<T: Decodable>: Decodable {
        var result: T
    }

    private struct BookTicker: Decodable {
        var t: LenientDouble?
        var u: LenientDouble?  // an integer in the example, "String" in the field table
        var s: String
        var b: LenientDouble?
        var B: LenientDouble?
        var a: LenientDouble?
        var A: LenientDouble?
    }

    private struct StreamTrade: Decodable {
        var contract: String
        var size: LenientDouble?
        var price: LenientDouble?
        var create_time_ms: LenientDouble?
    }
}
