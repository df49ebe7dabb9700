import Foundation

/// Bitget v2 public stream for perpetual futures (https://www.bitget.com/api-doc/common/websocket-intro; the
/// futures "Tickers Channel" / "Trades Channel" pages; example frames as carried by `JKorf/Bitget.Net`, see
/// `Tests/Fixtures/bitget/SOURCE.md`):
/// - URL `wss://ws.bitget.com/v2/ws/public`. Each subscription names its product type (`instType`):
///   `USDT-FUTURES`, `USDC-FUTURES` (`…PERP`) or `COIN-FUTURES` (`BTCUSD`), read from the market name as the
///   REST history requests do, so one connection serves all three.
/// - Top of book: channel `ticker`; every push (`action: snapshot`) is the whole ticker: `bidPr` / `askPr`
///   per coin, `bidSz` / `askSz` in **base coin** (Bitget futures quantities), `lastPr` and `markPrice` → a
///   `.price` event, row `ts` (ms) → `time`. No sequence number.
/// - Trades: channel `trade`; rows `price`, `size` (base coin), `side` (`buy` / `sell`, the taker's side),
///   `ts` (ms); the market is the push's `arg.instId`.
/// - Keep-alive: "Set a timer of 30 seconds … send a String 'ping'. Expect a 'pong'". Silence timeout 60 s (two
///   ping intervals, so a pong always lands inside it; not a documented figure).
/// - Limits: "A single connection can subscribe up to 1000 Streams", 240 subscribe requests per hour and 10
///   messages per second per connection; the Chinese edition (bitget.live/zh-CN/api-doc/common/websocket-intro)
///   "strongly recommends" no more than 50 channels per connection, so 50 markets per connection. 20 per
///   subscribe message is a conservative choice (the docs set no per-message figure).
/// - Answers: `{"event":"subscribe",…}` acknowledges; `{"event":"error","code":…,"msg":…}` is a refused
///   request.
extension BitgetAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }
    /// Trade sizes are in the units the price is quoted per (see above), so trades feed the trade flow.
    public var tradeSizes: TradeSizeUnit { .priceUnits }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 50, symbolsPerMessage: 20, pingInterval: .seconds(30),
                     silenceTimeout: .seconds(60))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://ws.bitget.com/v2/ws/public")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let name = channel == .topOfBook ? "ticker" : "trade"
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).map { batch in
            try StreamSupport.json(OpArgsStream.Request(args: batch.map {
                .init(instType: Self.productType(of: $0), channel: name, instId: $0)
            }))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        OpArgsStream.ping
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        guard let arg = try OpArgsStream.pushArg(message) else { return [] }  // pong, acknowledgements
        switch arg.channel {
        case "ticker":
            return try StreamSupport.decode(StreamPayload<[StreamTicker]>.self, message).data.flatMap { t -> [StreamEvent] in
                let time = try StreamSupport.time(t.ts, .milliseconds, field: "ts")
                return [
                    .topOfBook(TopOfBook(dexSymbol: t.instId, time: time, bid: t.bidPr.number, bidSize: t.bidSz.number,
                                         ask: t.askPr.number, askSize: t.askSz.number)),
                    .price(PriceTick(dexSymbol: t.instId, time: time, last: t.lastPr.number, mark: t.markPrice.number)),
                ]
            }
        case "trade":
            guard let symbol = arg.instId else { throw StreamPayloadError.missing("arg.instId") }
            return try StreamSupport.decode(StreamPayload<[StreamTrade]>.self, message).data.map { t in
                .trade(PublicTrade(
                    dexSymbol: symbol, time: try StreamSupport.time(t.ts, .milliseconds, field: "ts"),
                    price: try StreamSupport.number(t.price, field: "price"),
                    size: try StreamSupport.number(t.size, field: "size"),
                    takerSide: PublicTrade.Side(rawValue: t.side ?? "")))
            }
        default:
            return []  // a channel this adapter never subscribes to
        }
    }

    private struct StreamTicker: Decodable {
        var instId: String
        var lastPr: LenientDouble?
        var bidPr: LenientDouble?
        var askPr: LenientDouble?
        var bidSz: LenientDouble?
        var askSz: LenientDouble?
        var markPrice: LenientDouble?
        var ts: LenientDouble?
    }

    private struct StreamTrade: Decodable {
        var ts: LenientDouble?
        var price: LenientDouble?
        var size: LenientDouble?
        var side: String?
    }
}
