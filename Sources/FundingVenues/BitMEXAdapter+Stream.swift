import Foundation

/// BitMEX public streams on `wss://ws.bitmex.com/realtime` (BitMEX "WebSocket API", www.bitmex.com/app/wsAPI;
/// BitMEX/api-connectors `official-ws`).
///
/// - Subscribe: `{"op":"subscribe","args":["quote:XBTUSD","instrument:XBTUSD"]}` for the top of book (the `quote`
///   table, plus `instrument` for mark and last price) and `{"op":"subscribe","args":["trade:XBTUSD"]}` for
///   trades. Symbols are the snapshot adapter's `dexSymbol` (`XBTUSD`). Answered by
///   `{"success":true,"subscribe":"trade:XBTUSD",…}`; the welcome message (`info`, `version`, `limit`) is read as
///   no events too.
/// - Data: `{"table":…,"action":"partial"|"insert"|"update"|"delete","data":[rows]}`.
///   `quote` rows: `bidPrice`, `bidSize`, `askPrice`, `askSize`, `timestamp` (ISO-8601) → `TopOfBook`.
///   `instrument` rows (`partial` and the `update`s carrying only changed fields): `markPrice` and / or
///   `lastPrice` → `PriceTick` (a row with neither, such as an open-interest update, gives nothing).
///   `trade` rows: `side` (`Buy` / `Sell`, the aggressor), `price`, `size`, `timestamp`.
///   Prices per contract in the quote currency as on REST (`markPrice`). **Sizes in contracts** (XBTUSD: 1 USD
///   contracts). No sequence number. `delete` actions give no events.
/// - Keep-alive (wsAPI "Heartbeats"): send the text `ping` when nothing came for 5 s, the answer is the text
///   `pong`. Ping every 5 s; 15 s without any message is dead.
/// - Errors: `{"status":400,"error":"<text>",…}` → `rejected`. The shape is the wsAPI's error answer; no stored
///   copy of an example was found.
/// - Limits: the wsAPI states no limit of topics per message or per connection; 20 symbols per message (40
///   topics for the top of book) and 100 per connection are conservative choices, not documented values.
extension BitMEXAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 100, symbolsPerMessage: 20, pingInterval: .seconds(5),
                     silenceTimeout: .seconds(15))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://ws.bitmex.com/realtime")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let tables = channel == .topOfBook ? ["quote", "instrument"] : ["trade"]
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).map { batch in
            try StreamSupport.stableJSON(BitMEXCommand(args: batch.flatMap { symbol in tables.map { "\($0):\(symbol)" } }))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? { Array("ping".utf8) }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        if message == Array("pong".utf8) { return [] }
        let m = try StreamSupport.decode(BitMEXStreamMessage.self, message)
        if let error = m.error { throw StreamMessageError.rejected(error) }
        guard let table = m.table, m.action != "delete" else { return [] }  // welcome, subscribe answers
        let rows = try StreamSupport.required(m.data, "data")
        func time(_ row: BitMEXStreamMessage.Row) throws -> Date {
            try StreamSupport.required(VenueTime.iso8601(row.timestamp), "timestamp")
        }
        switch table {
        case "quote":
            return try rows.map { r in
                .topOfBook(TopOfBook(dexSymbol: r.symbol, time: try time(r), bid: r.bidPrice.number,
                                     bidSize: r.bidSize.number, ask: r.askPrice.number, askSize: r.askSize.number))
            }
        case "instrument":
            return try rows.filter { $0.markPrice.number != nil || $0.lastPrice.number != nil }.map { r in
                .price(PriceTick(dexSymbol: r.symbol, time: try time(r), last: r.lastPrice.number, mark: r.markPrice.number))
            }
        case "trade":
            return try rows.map { r in
                .trade(PublicTrade(
                    dexSymbol: r.symbol, time: try time(r), price: try StreamSupport.required(r.price.number, "price"),
                    size: try StreamSupport.required(r.size.number, "size"),
                    takerSide: r.side == "Buy" ? .buy : r.side == "Sell" ? .sell : nil))
            }
        default:
            return []
        }
    }
}

struct BitMEXCommand: Encodable {
    var op = "subscribe"
    var args: [String]
}

/// One BitMEX message: a table push (`table`, `action`, `data`), a subscribe answer or welcome (no `table`), or
/// an error answer (`error`).
struct BitMEXStreamMessage: Decodable {
    struct Row: Decodable {
        var symbol: String
        var timestamp: String?
        var bidPrice, bidSize, askPrice, askSize: LenientDouble?
        var markPrice, lastPrice: LenientDouble?
        var side: String?
        var price, size: LenientDouble?
    }

    var table: String?
    var action: String?
    var data: [Row]?
    var error: String?
}
