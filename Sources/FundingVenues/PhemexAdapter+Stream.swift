import Foundation

/// Phemex USDT-M perpetual public streams on `wss://ws.phemex.com` (phemex-docs/phemex-docs.github.io,
/// `source/includes/_generic.md` "General API information": the public WebSocket, "further URI or querystring not
/// allowed"; `source/includes/_contract.md` "USDⓈ-M Perpetual Websocket API"). Coin-margined perpetuals
/// (`BTCUSD`, scaled `Ep` fields) are not streamed: their channels (`trade.subscribe`, `market24h`) carry scaled
/// integers whose scale (`priceScale`) is in `/public/products`, which a stream message does not carry.
///
/// - Top of book: `{"id":…,"method":"perp_market24h_pack_p.subscribe","params":[]}` subscribes **every** USDT-M
///   perpetual at once (no per-symbol form is documented with a message format), pushed every second as
///   `perp_market24h_pack_p.update`: `fields` names the columns and each `data` row is one symbol's values,
///   real (`Rp`) strings. Each row gives `TopOfBook` from `bidRp` / `askRp` (the current docs' column list; the
///   pack has **no sizes**, so `bidSize` / `askSize` stay nil) and `PriceTick` from `lastRp` / `markRp`; a row
///   without `bidRp` and `askRp` (the older docs' column list) gives the price tick only. `timestamp` is in
///   **nanoseconds**. So one subscribe message is sent whatever the symbols, and every connection of this channel
///   receives every symbol.
/// - Trades: `{"id":…,"method":"trade_p.subscribe","params":["BTCUSDT"]}`, one symbol per request (the documented
///   form). Pushes `{"trades_p":[[timestamp ns, side, price, qty], …],"sequence":…,"symbol":…,"type":…}`; side is
///   the taker's (`Buy` / `Sell` in the docs' sample, `bid` / `ask` in its table: both are read). `qty` is in
///   **base units** (`Rq`, the USDT-M quantity). The `snapshot` sent on subscribing holds up to 200 **earlier**
///   trades and gives no events, so a reconnect does not count them twice.
/// - Answers: `{"error":null,"id":…,"result":{"status":"success"}}` (subscribe) and `{"error":null,"id":…,
///   "result":"pong"}` (ping) give no events; a non-null `error` → `rejected`. No example of an error answer is
///   documented; its `{code, message}` fields are read from client libraries.
/// - Keep-alive ("Heartbeat"): `{"id":…,"method":"server.ping","params":[]}` at least every 30 s, recommended
///   every 5 s, and reconnect after 3 intervals without a message: ping every 5 s, 15 s of silence is dead.
/// - Limits ("API Rate Limits"): 20 subscriptions per connection, 5 concurrent connections per client, 20
///   requests per second per connection.
extension PhemexAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }
    /// Trade sizes are in the units the price is quoted per (see above), so trades feed the trade flow.
    public var tradeSizes: TradeSizeUnit { .priceUnits }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 20, symbolsPerMessage: 1, pingInterval: .seconds(5),
                     silenceTimeout: .seconds(15))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://ws.phemex.com")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        guard !dexSymbols.isEmpty else { return [] }
        if channel == .topOfBook {
            return [try StreamSupport.stableJSON(PhemexRequest(id: 1_000, method: "perp_market24h_pack_p.subscribe", params: []))]
        }
        return try dexSymbols.enumerated().map { i, symbol in
            try StreamSupport.stableJSON(PhemexRequest(id: 2_000 + i, method: "trade_p.subscribe", params: [symbol]))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        try? StreamSupport.stableJSON(PhemexRequest(id: Int((now.timeIntervalSince1970 * 1000).rounded()), method: "server.ping", params: []))
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        let m = try StreamSupport.decode(PhemexStreamMessage.self, message)
        if let error = m.error {
            throw StreamMessageError.rejected("error \(error.code.map { "\($0)" } ?? "?"): \(error.message ?? "")")
        }
        if m.method == "perp_market24h_pack_p.update" {
            return try Self.pack(m)
        }
        guard let trades = m.trades_p ?? m.trades else { return [] }  // subscribe and ping answers
        guard m.type != "snapshot" else { return [] }
        let symbol = try StreamSupport.required(m.symbol, "symbol")
        return try trades.map { t -> StreamEvent in
            let side = t.side.lowercased()
            return .trade(PublicTrade(
                dexSymbol: symbol, time: try StreamSupport.required(t.timestamp.date(.nanoseconds), "timestamp"),
                price: try StreamSupport.required(t.price.value, "price"), size: try StreamSupport.required(t.qty.value, "qty"),
                takerSide: side == "buy" || side == "bid" ? .buy : side == "sell" || side == "ask" ? .sell : nil))
        }
    }

    /// The events of one `perp_market24h_pack_p.update`, its columns found by `fields`.
    static func pack(_ m: PhemexStreamMessage) throws -> [StreamEvent] {
        let fields = try StreamSupport.required(m.fields, "fields")
        let rows = try StreamSupport.required(m.data, "data")
        let time = try StreamSupport.required(m.timestamp?.date(.nanoseconds), "timestamp")
        let column = { (name: String) in fields.firstIndex(of: name) }
        let symbolColumn = try StreamSupport.required(column("symbol"), "the symbol column")
        return try rows.flatMap { row -> [StreamEvent] in
            guard row.count == fields.count else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: [], debugDescription: "a row of \(row.count) values for \(fields.count) fields"))
            }
            let symbol = try StreamSupport.required(row[symbolColumn], "symbol")
            func number(_ name: String) throws -> Double? {
                guard let i = column(name), let text = row[i] else { return nil }
                guard let value = Double(text) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(name) \"\(text)\" is not a number"))
                }
                return value
            }
            var events: [StreamEvent] = []
            let (bid, ask) = (try number("bidRp"), try number("askRp"))
            if bid != nil || ask != nil {
                events.append(.topOfBook(TopOfBook(dexSymbol: symbol, time: time, bid: bid, bidSize: nil, ask: ask, askSize: nil)))
            }
            let (last, mark) = (try number("lastRp"), try number("markRp"))
            if last != nil || mark != nil {
                events.append(.price(PriceTick(dexSymbol: symbol, time: time, last: last, mark: mark)))
            }
            return events
        }
    }
}

struct PhemexRequest: Encodable {
    var id: Int
    var method: String
    var params: [String]
}

/// One Phemex message: an answer (`error`, `id`, `result`), a pack update (`method`, `fields`, `data`), or a trade
/// push (`trades_p`, `symbol`, `type`).
struct PhemexStreamMessage: Decodable {
    struct Failure: Decodable {
        var code: Int?
        var message: String?
    }

    /// `[timestamp, side, price, qty]`.
    struct TradeRow: Decodable {
        var timestamp: LenientDouble
        var side: String
        var price: LenientDouble
        var qty: LenientDouble

        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            timestamp = try c.decode(LenientDouble.self)
            side = try c.decode(String.self)
            price = try c.decode(LenientDouble.self)
            qty = try c.decode(LenientDouble.self)
        }
    }

    var error: Failure?
    var method: String?
    var fields: [String]?
    var data: [[String?]]?
    var timestamp: LenientDouble?
    var trades_p: [TradeRow]?
    var trades: [TradeRow]?
    var symbol: String?
    var type: String?
}
