import Foundation

/// KuCoin Futures public streams (Kucoin/kucoin-futures-api-docs, `source/localizable/index.en.html.md`,
/// sections "Websocket" and "Public Channels").
///
/// - Endpoint: `POST /api/v1/bullet-public` on the REST base answers a public `token` and `instanceServers`;
///   the URL is `instanceServers[0].endpoint?token=<token>&connectId=<a new id>` and the server's
///   `pingInterval` (ms, 50000 in the docs' example) overrides the default ping interval.
/// - Subscribe: `{"id":…,"type":"subscribe","topic":"/contractMarket/tickerV2:<symbol>","response":true}` (best bid
///   and ask) and `/contractMarket/execution:<symbol>` (trades). The docs say "some topics" take several symbols
///   separated by `,` without naming them; ccxt (`ts/src/pro/kucoinfutures.ts`) joins symbols that way for both
///   topics. Symbols are the snapshot adapter's `dexSymbol` (`XBTUSDTM`). Acknowledged by
///   `{"id":…,"type":"ack"}`; `welcome` and `pong` are read as no events.
/// - `tickerV2` data: `bestBidPrice` / `bestAskPrice` per contract as on REST, `bestBidSize` / `bestAskSize` in
///   **lots (contracts)**, `ts` in **nanoseconds**; `sequence` (sent live, not in the docs' example) becomes
///   `TopOfBook.sequence`. No last or mark price on this topic.
/// - `execution` (subject `match`) data: `side` is the taker's side, `price`, `matchSize` the filled lots and
///   `time` in nanoseconds (the docs' example). Newer answers name the filled lots `size` and the time `ts`
///   (ccxt reads `size` and `ts`); `matchSize` is taken when present (in the docs' example `size` is the unfilled
///   rest), else `size`, and `time`, else `ts`.
/// - Keep-alive: `{"id":"<ms>","type":"ping"}`, answered by `pong`; the server drops a connection without a ping
///   for 60 s. Default ping every 30 s (the token's `pingInterval` overrides it); 75 s without any message is
///   dead.
/// - Errors: `{"type":"error","code":…,"data":"<text>"}` → `rejected`. The docs mention error messages (their id
///   is the connectId) but show none; this shape is read from ccxt.
/// - Limits ("Request Rate Limit", Websocket): 100 topics per connection, 100 uplink messages per 10 s,
///   50 connections per user. A comma-joined topic is counted here as one topic per symbol, so 100 symbols per
///   connection; the docs give no limit per topic, so 50 symbols per message is a conservative choice.
extension KuCoinAdapter: LiveStreamSource {
    public var streamChannels: Set<StreamChannel> { [.topOfBook, .trades] }

    public var streamLimits: StreamLimits {
        StreamLimits(symbolsPerConnection: 100, symbolsPerMessage: 50, pingInterval: .seconds(30),
                     silenceTimeout: .seconds(75))
    }

    static let bulletPath = "/api/v1/bullet-public"

    public func streamEndpoint(client: some HTTPFetching, restBaseURL: String) async throws -> StreamEndpoint {
        let answer = try await client.post(Self.bulletPath, json: [], baseURL: restBaseURL)
        return try Self.parseBullet(answer, connectId: UUID().uuidString)
    }

    /// The stream endpoint from a `bullet-public` answer.
    static func parseBullet(_ data: some DataProtocol, connectId: String) throws -> StreamEndpoint {
        let bullet = try decodeEnvelope(BulletEnvelope.self, from: data, dex: dex, endpoint: bulletPath)
        guard let server = bullet.instanceServers.first else {
            throw VenuePayloadError(dex: dex, endpoint: bulletPath, reason: "no instanceServers")
        }
        // `+`, `&` and `#` would change the query's meaning; the token's other characters pass as they are.
        let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "+&#"))
        let token = bullet.token.addingPercentEncoding(withAllowedCharacters: allowed) ?? bullet.token
        return StreamEndpoint(
            url: "\(server.endpoint)?token=\(token)&connectId=\(connectId)",
            pingInterval: server.pingInterval.number.flatMap { $0 > 0 ? Duration.milliseconds(Int64($0)) : nil })
    }

    public func subscribeMessages(_ channel: StreamChannel, dexSymbols: [String]) throws -> [[UInt8]] {
        let (prefix, firstId) = channel == .topOfBook ? ("/contractMarket/tickerV2:", 1_000) : ("/contractMarket/execution:", 2_000)
        return try StreamSupport.batches(dexSymbols, of: streamLimits.symbolsPerMessage).enumerated().map { i, batch in
            try StreamSupport.stableJSON(KuCoinSubscribe(id: firstId + i, topic: prefix + batch.joined(separator: ",")))
        }
    }

    public func pingMessage(now: Date) -> [UInt8]? {
        Array(#"{"id":"\#(Int64((now.timeIntervalSince1970 * 1000).rounded()))","type":"ping"}"#.utf8)
    }

    public func parseStreamMessage(_ message: [UInt8]) throws -> [StreamEvent] {
        let m = try StreamSupport.decode(KuCoinStreamMessage.self, message)
        if m.type == "error" {
            throw StreamMessageError.rejected("code \(m.code.map { "\($0)" } ?? "?"): \(m.errorText ?? "")")
        }
        switch m.subject {
        case "tickerV2":
            let t = try StreamSupport.required(m.ticker, "data")
            return [.topOfBook(TopOfBook(
                dexSymbol: t.symbol, time: try StreamSupport.required(t.ts.date(.nanoseconds), "ts"),
                bid: t.bestBidPrice.number, bidSize: t.bestBidSize.number,
                ask: t.bestAskPrice.number, askSize: t.bestAskSize.number,
                sequence: t.sequence.number.map { Int64($0) }))]
        case "match":
            let e = try StreamSupport.required(m.execution, "data")
            let side = e.side.lowercased()
            return [.trade(PublicTrade(
                dexSymbol: e.symbol,
                time: try StreamSupport.required((e.time ?? e.ts).date(.nanoseconds), "time"),
                price: try StreamSupport.required(e.price.value, "price"),
                size: try StreamSupport.required((e.matchSize ?? e.size).number, "matchSize"),
                takerSide: side == "buy" ? .buy : side == "sell" ? .sell : nil))]
        default:
            return []  // welcome, ack, pong, and subjects not read here
        }
    }
}

struct KuCoinSubscribe: Encodable {
    var id: Int
    var type = "subscribe"
    var topic: String
    var response = true
}

struct BulletEnvelope: VenueEnvelope {
    struct Server: Decodable {
        var endpoint: String
        var pingInterval: LenientDouble?
    }
    struct Bullet: Decodable {
        var token: String
        var instanceServers: [Server]
    }
    var code: String
    var msg: String?
    var data: Bullet?
    var failure: String? { code == "200000" ? nil : "code \(code): \(msg ?? "")" }
    var payload: Bullet? { data }
}

/// One KuCoin message: `type` (`welcome`, `ack`, `pong`, `message`, `error`) and, for data, `subject` and `data`.
struct KuCoinStreamMessage: Decodable {
    struct Ticker: Decodable {
        var symbol: String
        var sequence: LenientDouble?
        var bestBidPrice, bestBidSize, bestAskPrice, bestAskSize: LenientDouble?
        var ts: LenientDouble
    }

    struct Execution: Decodable {
        var symbol: String
        var side: String
        var price: LenientDouble
        var matchSize, size: LenientDouble?
        var time, ts: LenientDouble?
    }

    var type: String?
    var subject: String?
    var code: Int?
    var errorText: String?
    var ticker: Ticker?
    var execution: Execution?

    enum CodingKeys: String, CodingKey { case type, subject, code, data }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        code = try? c.decodeIfPresent(Int.self, forKey: .code)
        switch (type, subject) {
        case ("error", _): errorText = try? c.decodeIfPresent(String.self, forKey: .data)
        case (_, "tickerV2"): ticker = try c.decode(Ticker.self, forKey: .data)
        case (_, "match"): execution = try c.decode(Execution.self, forKey: .data)
        default: break
        }
    }
}
