import Foundation

/// OKX v5 public stream for perpetual swaps (`BTC-USDT-SWAP`, `BTC-USD-SWAP`), from the OKX v5 API docs
/// (https://www.okx.com/docs-v5/en/#overview-websocket and the public "Tickers channel" / "Trades channel"
/// sections; example frames as carried by `JKorf/OKX.Net`, see `Tests/Fixtures/okx/SOURCE.md`):
/// - URL `wss://ws.okx.com:8443/ws/v5/public`.
/// - Top of book: channel `tickers`. Every push is the instrument's whole ticker: `bidPx` / `askPx` per coin
///   (as the REST adapter), `bidSz` / `askSz` in **contracts** for swaps (the docs' "quantity" of a
///   derivative), `last` → a `.price` event (the channel has no mark price), `ts` (ms) → `time`. No sequence
///   number.
/// - Trades: channel `trades`; `px`, `sz` (contracts), `side` (the taker's side, `buy` / `sell`), `ts` (ms).
/// - Keep-alive: "The connection will break automatically if the subscription is not established or data has
///   not been pushed for more than 30 seconds"; the docs ask for the text `ping` when nothing arrived for N < 30
///   seconds, answered by `pong`. Sent every 20 s; silence timeout 30 s.
/// - Limits: the docs cap the total length of the channels in one request ("cannot exceed 64 KB") and the
///   subscribe / unsubscribe / login requests (480 per connection per hour), not the number of channels;
///   100 instruments per message and 300 per connection are conservative choices, not documented figures.
///   (Docs text quoted from the WebSocket overview, https://www.okx.com/docs-v5/en/#overview-websocket-overview,
///   as reproduced in skip-mev/connect `providers/websockets/okx/README.md`.)
/// - Answers: `{"event":"subscribe",...}` acknowledges; `{"event":"error","code":...,"msg":...}` is a refused
///   request.
extension OKXAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 300, symbolsPerMessage: 100, pingInterval: .seconds(20),
                     silenceTimeout: .seconds(30))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://ws.okx.com:8443/ws/v5/public")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let name = channel == .topOfBook ? "tickers" : "trades"
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).map { batch in
            try StreamSupport.json(OpArgsStream.Request(args: batch.map { .init(channel: name, instId: $0) }))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        OpArgsStream.ping
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        guard let arg = try OpArgsStream.pushArg(message) else { return [] }  // pong, acknowledgements
        switch arg.channel {
        case "tickers":
            return try StreamSupport.decode(StreamPayload<[StreamTicker]>.self, message).data.flatMap { t -> [StreamEvent] in
                let time = try StreamSupport.time(t.ts, .milliseconds, field: "ts")
                return [
                    .topOfBook(TopOfBook(dexSymbol: t.instId, time: time, bid: t.bidPx.number, bidSize: t.bidSz.number,
                                         ask: t.askPx.number, askSize: t.askSz.number)),
                    .price(PriceTick(dexSymbol: t.instId, time: time, last: t.last.number, mark: nil)),
                ]
            }
        case "trades":
            return try StreamSupport.decode(StreamPayload<[StreamTrade]>.self, message).data.map { t in
                .trade(PublicTrade(
                    dexSymbol: t.instId, time: try StreamSupport.time(t.ts, .milliseconds, field: "ts"),
                    price: try StreamSupport.number(t.px, field: "px"), size: try StreamSupport.number(t.sz, field: "sz"),
                    takerSide: PublicTrade.Side(rawValue: t.side ?? "")))
            }
        default:
            return []  // a channel this adapter never subscribes to
        }
    }

    private struct StreamTicker: Decodable {
        var instId: String
        var last: LenientDouble?
        var bidPx: LenientDouble?
        var bidSz: LenientDouble?
        var askPx: LenientDouble?
        var askSz: LenientDouble?
        var ts: LenientDouble?
    }

    private struct StreamTrade: Decodable {
        var instId: String
        var px: LenientDouble?
        var sz: LenientDouble?
        var side: String?
        var ts: LenientDouble?
    }
}
