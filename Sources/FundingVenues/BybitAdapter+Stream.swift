import Foundation

/// Bybit v5 public **linear** stream (USDT and USDC perpetuals), from the Bybit v5 docs (`bybit-exchange/docs`,
/// commit 072c197d, `docs/v5/websocket/wss-authentication.mdx` "Connect", `public/orderbook.mdx`,
/// `public/trade.mdx`):
/// - URL `wss://stream.bybit.com/v5/public/linear` ("USDT, USDC perpetual & USDT Futures"). Inverse contracts
///   (`BTCUSD`) stream on `/v5/public/inverse`, a second endpoint the contract cannot name, so they are not
///   streamed here.
/// - Top of book: `orderbook.1.{symbol}`. Level 1 of linear contracts is "snapshot message only" and is pushed
///   again every 3 s without a change, so each message is the whole top of book. `b[0]` / `a[0]` are
///   [price, size]; an empty side is an empty book side (nil). Size in **base coin** (Bybit linear quantities;
///   contract units on `1000…` names). `time` = `ts` (ms, "the system generates the data"). `sequence` =
///   `seq` (cross sequence: smaller is earlier) rather than `u`, which restarts at 1 after a service restart.
///   This channel carries no last or mark price, so no `.price` events.
/// - Trades: `publicTrade.{symbol}`; each row `T` (ms fill time), `p`, `v` (size, base coin), `S` (taker side,
///   `Buy` / `Sell`).
/// - Limits: "No args limit for Futures", but the `args` of one connection may not exceed 21,000 characters;
///   200 symbols per connection (about 7,000 characters of topics) and 10 per message (the Spot limit, taken as
///   the conservative figure; the docs set none for futures). Ping `{"op":"ping"}` every 20 s ("we recommend
///   that you send the ping heartbeat packet every 20 seconds"). Silence timeout 30 s (level 1 is re-pushed
///   every 3 s; not a documented figure).
/// - Answers: `{"success":true,"op":"subscribe"|"ping",...}` are acknowledgements and pongs; `success: false`
///   is a refused request (`ret_msg`). The docs show no example of a failure answer: this follows the
///   documented response fields.
extension BybitAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }
    /// Trade sizes are in the units the price is quoted per (see above), so trades feed the trade flow.
    public var tradeSizes: TradeSizeUnit { .priceUnits }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 200, symbolsPerMessage: 10, pingInterval: .seconds(20),
                     silenceTimeout: .seconds(30))
    }

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        StreamEndpoint(url: "wss://stream.bybit.com/v5/public/linear")
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let prefix = channel == .topOfBook ? "orderbook.1." : "publicTrade."
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).map { batch in
            try StreamSupport.json(Request(op: "subscribe", args: batch.map { prefix + $0 }))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        Array(#"{"op":"ping"}"#.utf8)
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        let frame = try StreamSupport.decode(StreamFrame.self, message)
        if let success = frame.success {
            if success { return [] }
            throw StreamMessageError.rejected(frame.ret_msg ?? "success: false")
        }
        guard let topic = frame.topic else { throw StreamPayloadError.missing("topic") }
        if topic.hasPrefix("orderbook.1.") {
            let book = try StreamSupport.decode(StreamPayload<StreamBook>.self, message).data
            return [.topOfBook(TopOfBook(
                dexSymbol: book.s, time: try StreamSupport.time(frame.ts, .milliseconds, field: "ts"),
                bid: book.b.first?.first?.value, bidSize: book.b.first?.dropFirst().first?.value,
                ask: book.a.first?.first?.value, askSize: book.a.first?.dropFirst().first?.value,
                sequence: book.seq))]
        }
        if topic.hasPrefix("publicTrade.") {
            return try StreamSupport.decode(StreamPayload<[StreamTrade]>.self, message).data.map { t in
                .trade(PublicTrade(
                    dexSymbol: t.s, time: try StreamSupport.time(t.T, .milliseconds, field: "T"),
                    price: try StreamSupport.number(t.p, field: "p"), size: try StreamSupport.number(t.v, field: "v"),
                    takerSide: t.S == "Buy" ? .buy : t.S == "Sell" ? .sell : nil))
            }
        }
        return []  // a topic this adapter never subscribes to
    }

    private struct Request: Encodable {
        var op: String
        var args: [String]
    }

    /// Every answer: an acknowledgement / pong (`success`, `ret_msg`, `op`) or a push (`topic`, `ts`; its `data` is read by topic).
    private struct StreamFrame: Decodable {
        var success: Bool?
        var ret_msg: String?
        var topic: String?
        var ts: LenientDouble?
    }

    private struct StreamBook: Decodable {
        var s: String
        var b: [[LenientDouble]]
        var a: [[LenientDouble]]
        var seq: Int64?
    }

    private struct StreamTrade: Decodable {
        var T: LenientDouble?
        var s: String
        var S: String?
        var v: LenientDouble?
        var p: LenientDouble?
    }
}
