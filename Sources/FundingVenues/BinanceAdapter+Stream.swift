import Foundation

/// Binance USDⓈ-M streams (developers.binance.com, "Websocket Market Streams" and "Important WebSocket Change
/// Notice"; the legacy unrouted URLs were retired on 2026-04-23):
/// - top of book: `<symbol>@bookTicker` on `wss://fstream.binance.com/public/ws` (the high-frequency endpoint);
///   `b`/`a` best bid/ask per contract unit, `B`/`A` sizes in base-asset units of the contract (1000-PEPE lots on
///   `1000PEPEUSDT`), `u` the order-book update id (sequence), `T` transaction time, `E` event time (ms).
/// - trades: `<symbol>@aggTrade` on `wss://fstream.binance.com/market/ws`; `p` price, `q` quantity (base units),
///   `T` trade time; `m` = the buyer is the maker, so the taker sold.
/// - Subscribing: `{"method":"SUBSCRIBE","params":[...],"id":n}` (stream names lowercase), answered
///   `{"result":null,"id":n}`; errors come as `{"code":n,"msg":"..."}` (optionally with `id`, or under `error`).
/// - Limits: 200 streams per connection, 10 incoming messages per second (so subscriptions go in few messages of
///   50 streams); a connection lives at most 24 h. Keep-alive: the server sends a WebSocket ping every 3 minutes
///   and the client answers it (the WebSocket client does), so there is no application ping. Silence: a quiet
///   market sends nothing on `bookTicker`, so a 200-symbol connection is only taken as dead after 60 s.
/// - Combined-stream frames (`{"stream":...,"data":{...}}`, from `/stream`) are unwrapped as well.
extension BinanceAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }
    /// Trade sizes are in the units the price is quoted per (see above), so trades feed the trade flow.
    public var tradeSizes: TradeSizeUnit { .priceUnits }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 200, symbolsPerMessage: 50, pingInterval: .seconds(180),
                     silenceTimeout: .seconds(60))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://fstream.binance.com/public/ws")
    }

    public func streamEndpoint(for channel: StreamChannel, client: some HTTPFetching, restBaseURL: String)
        async throws -> StreamEndpoint
    {
        switch channel {
        case .topOfBook: StreamEndpoint(url: "wss://fstream.binance.com/public/ws")
        case .trades: StreamEndpoint(url: "wss://fstream.binance.com/market/ws")
        }
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let suffix = channel == .topOfBook ? "@bookTicker" : "@aggTrade"
        return try stride(from: 0, to: dexSymbols.count, by: 50).enumerated().map { n, start in
            let params = dexSymbols[start..<min(dexSymbols.count, start + 50)].map { $0.lowercased() + suffix }
            let request = BinanceSubscribe(method: "SUBSCRIBE", params: params, id: n + 1)
            return try StreamSupport.stableJSON(request)
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? { nil }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        let frame = try JSONDecoder().decode(BinanceStreamFrame.self, from: Data(message))
        if let error = frame.error ?? frame.errorMessage { throw StreamMessageError.rejected(error) }
        guard let event = frame.data ?? frame.event else { return [] }  // {"result":null,"id":1}
        switch event.e {
        case "bookTicker":
            guard let symbol = event.s, event.b.number != nil || event.a.number != nil else {
                throw VenuePayloadError(dex: Self.dex, endpoint: "bookTicker", reason: "no symbol, bid or ask")
            }
            let ms = event.T ?? event.E
            return [.topOfBook(TopOfBook(
                dexSymbol: symbol, time: Date(timeIntervalSince1970: Double(ms ?? 0) / 1000),
                bid: event.b.number, bidSize: event.B.number, ask: event.a.number, askSize: event.A.number,
                sequence: event.u))]
        case "aggTrade":
            guard let symbol = event.s, let price = event.p.number, let size = event.q.number,
                  let ms = event.T ?? event.E, let buyerIsMaker = event.m else {
                throw VenuePayloadError(dex: Self.dex, endpoint: "aggTrade", reason: "missing s, p, q, T or m")
            }
            return [.trade(PublicTrade(dexSymbol: symbol, time: Date(timeIntervalSince1970: Double(ms) / 1000),
                                       price: price, size: size, takerSide: buyerIsMaker ? .sell : .buy))]
        default:
            return []
        }
    }
}

struct BinanceSubscribe: Encodable {
    var method: String
    var params: [String]
    var id: Int
}

/// A raw event, a combined-stream wrapper, a subscription answer or an error.
struct BinanceStreamFrame: Decodable {
    struct Event: Decodable {
        var e: String
        var s: String?
        var u: Int64?
        var E: Int64?
        var T: Int64?
        var b: LenientDouble?
        var B: LenientDouble?
        var a: LenientDouble?
        var A: LenientDouble?
        var p: LenientDouble?
        var q: LenientDouble?
        var m: Bool?
    }

    var data: Event?
    var event: Event?
    var error: String?
    var errorMessage: String?

    enum CodingKeys: String, CodingKey { case data, error, code, msg, e }
    struct ErrorBody: Decodable { var code: Int?; var msg: String? }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decodeIfPresent(Event.self, forKey: .data)
        event = c.contains(.e) ? try Event(from: decoder) : nil
        if let body = try? c.decodeIfPresent(ErrorBody.self, forKey: .error) {
            error = "code \(body.code ?? 0): \(body.msg ?? "")"
        }
        if let code = try c.decodeIfPresent(Int.self, forKey: .code) {
            errorMessage = "code \(code): \(try c.decodeIfPresent(String.self, forKey: .msg) ?? "")"
        }
    }
}
