import Foundation

/// Deribit public streams over JSON-RPC on `wss://www.deribit.com/ws/api/v2` (Deribit API v2 docs,
/// docs.deribit.com: "Notifications", `public/subscribe`, `public/test`, channels `quote.{instrument_name}` and
/// `trades.{instrument_name}.{interval}`).
///
/// - Subscribe: `{"jsonrpc":"2.0","id":…,"method":"public/subscribe","params":{"channels":["quote.BTC-PERPETUAL"]}}`
///   with many channels per request; trades on `trades.<instrument>.100ms` (the `raw` interval needs an
///   authorised connection). Instruments are the snapshot adapter's `dexSymbol` (`BTC-PERPETUAL`). The answer
///   (`result`: the channels subscribed) and `public/test`'s answer are read as no events.
/// - Notifications: `{"method":"subscription","params":{"channel":…,"data":…}}`.
///   `quote` data: `best_bid_price`, `best_bid_amount`, `best_ask_price`, `best_ask_amount`, `timestamp` (ms).
///   `trades` data: an array of `{price, amount, direction, timestamp, trade_seq, …}`; `direction` is the
///   taker's side. Prices in the quote currency per contract as on REST (USD for the inverse perpetuals, USDC for
///   the linear ones). **Sizes are `amount` as the venue sends it**: USD on the inverse perpetuals (a multiple of
///   the 10 USD contract), base coin on the linear `_USDC-PERPETUAL` ones, the same unit as REST `open_interest`
///   (`trades` also send `contracts`, not used). No sequence on `quote`; no last or mark price on it.
/// - Keep-alive: `public/set_heartbeat` is not enabled (its `test_request` wants an answer this contract cannot
///   send); `{"jsonrpc":"2.0","id":…,"method":"public/test","params":{}}` is sent every 15 s instead, so a quiet
///   instrument still gets an answer; 45 s without any message is dead.
/// - Errors: a JSON-RPC answer with `error` `{code, message}` → `rejected`.
/// - Limits: the docs state no limit on channels per `public/subscribe` or per connection; 50 per message and
///   100 per connection are conservative choices, not documented values.
extension DeribitAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 100, symbolsPerMessage: 50, pingInterval: .seconds(15),
                     silenceTimeout: .seconds(45))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://www.deribit.com/ws/api/v2")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let (name, firstId): ((String) -> String, Int) = channel == .topOfBook
            ? ({ "quote.\($0)" }, 1_000) : ({ "trades.\($0).100ms" }, 2_000)
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).enumerated().map { i, batch in
            try StreamSupport.stableJSON(DeribitRequest(
                id: firstId + i, method: "public/subscribe", params: ["channels": batch.map(name)]))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        try? StreamSupport.stableJSON(DeribitRequest(
            id: Int((now.timeIntervalSince1970 * 1000).rounded()), method: "public/test", params: [:]))
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        switch try StreamSupport.decode(DeribitStreamMessage.self, message) {
        case .ignored:
            return []
        case .error(let error):
            throw StreamMessageError.rejected("error \(error.code): \(error.message)")
        case .quote(let q):
            return [.topOfBook(TopOfBook(
                dexSymbol: q.instrument_name, time: try StreamSupport.required(q.timestamp.date(.milliseconds), "timestamp"),
                bid: q.best_bid_price.number, bidSize: q.best_bid_amount.number,
                ask: q.best_ask_price.number, askSize: q.best_ask_amount.number))]
        case .trades(let trades):
            return try trades.map { t in
                .trade(PublicTrade(
                    dexSymbol: t.instrument_name,
                    time: try StreamSupport.required(t.timestamp.date(.milliseconds), "timestamp"),
                    price: try StreamSupport.required(t.price.value, "price"),
                    size: try StreamSupport.required(t.amount.value, "amount"),
                    takerSide: t.direction == "buy" ? .buy : t.direction == "sell" ? .sell : nil))
            }
        }
    }
}

struct DeribitRequest: Encodable {
    var jsonrpc = "2.0"
    var id: Int
    var method: String
    var params: [String: [String]]
}

/// One Deribit message: an answer (`result` or `error`, with an `id`) or a `subscription` notification.
enum DeribitStreamMessage: Decodable {
    struct Quote: Decodable {
        var instrument_name: String
        var timestamp: LenientDouble
        var best_bid_price, best_bid_amount, best_ask_price, best_ask_amount: LenientDouble?
    }

    struct Trade: Decodable {
        var instrument_name: String
        var timestamp: LenientDouble
        var price: LenientDouble
        var amount: LenientDouble
        var direction: String
    }

    struct Params: Decodable {
        var channel: String
    }

    case ignored, error(DeribitAdapter.RPCError), quote(Quote), trades([Trade])

    enum CodingKeys: String, CodingKey { case method, params, error }
    enum ParamsKeys: String, CodingKey { case channel, data }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let error = try c.decodeIfPresent(DeribitAdapter.RPCError.self, forKey: .error) {
            self = .error(error)
            return
        }
        guard try c.decodeIfPresent(String.self, forKey: .method) == "subscription" else {
            self = .ignored  // a subscribe or public/test answer, or a heartbeat
            return
        }
        let params = try c.nestedContainer(keyedBy: ParamsKeys.self, forKey: .params)
        let channel = try params.decode(String.self, forKey: .channel)
        if channel.hasPrefix("quote.") {
            self = .quote(try params.decode(Quote.self, forKey: .data))
        } else if channel.hasPrefix("trades.") {
            self = .trades(try params.decode([Trade].self, forKey: .data))
        } else {
            self = .ignored
        }
    }
}
