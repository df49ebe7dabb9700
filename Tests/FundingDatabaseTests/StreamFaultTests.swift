import Foundation
import FundingCore
import FundingIngest
import FundingVenues
import Logging
import Testing

/// The stream service against a replay server that misbehaves the way venues do. No database: the markets come from
/// a closure and the outcome is read from the `PriceBook`.
@Suite("Live streams: faults (replay server)")
struct StreamFaultTests {
    static let logger = Logger(label: "stream-fault-test")
    static let book = try! StreamReplayServer.frames("binance-usdm", "top_of_book")

    /// Runs the Binance stream service against `replay` until `body` returns.
    static func streaming(_ replay: StreamReplayServer, silence: Duration? = nil, maxMessageSize: Int = 1 << 22,
                          _ body: @Sendable (PriceBook) async throws -> Void) async throws {
        try await replay.run { base in
            let book = PriceBook()
            var settings = PriceStreamService<FixtureHTTPClient>.Settings()
            settings.reconnect = .init(maxAttempts: .max, baseDelay: .milliseconds(50), maxDelay: .milliseconds(200))
            settings.silenceTimeout = silence
            settings.maxMessageSize = maxMessageSize
            let service = PriceStreamService(
                venues: [StreamVenue(source: BinanceAdapter(), restBaseURL: "", urlOverride: "\(base)/binance")],
                book: book, markets: { _ in ["BNBUSDT"] },
                http: FixtureHTTPClient(catalog: fixtureCatalog, dex: "binance"), settings: settings,
                logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                defer { group.cancelAll() }
                try await body(book)
            }
        }
    }

    @Test("a venue that drops the connection mid-stream: reconnect and subscribe again")
    func reconnectsAndResubscribes() async throws {
        let replay = StreamReplayServer { _, n in .init(frames: n == 0 ? Array(Self.book.prefix(1)) : Self.book,
                                                         after: n == 0 ? .close : .hold) }
        try await Self.streaming(replay) { book in
            try await eventually("a second connection delivers the book") {
                book.latest(dex: "binance", dexSymbol: "BNBUSDT")?.ask == 25.3652
            }
        }
        #expect(replay.log.connections("/binance/top_of_book") >= 2)
        let subscriptions = replay.log.messages("/binance/top_of_book").filter { $0.contains("SUBSCRIBE") }
        #expect(subscriptions.count >= 2)
        #expect(Set(subscriptions).count == 1)  // the same subscription each time
    }

    @Test("a stalled stream (connected, silent) is taken as dead after the silence timeout and reopened")
    func stalledStreamReconnects() async throws {
        let replay = StreamReplayServer { _, _ in .init(frames: Self.book, after: .hold) }
        try await Self.streaming(replay, silence: .milliseconds(400)) { _ in
            try await eventually("a reconnect after the stream went silent") {
                replay.log.connections("/binance/top_of_book") >= 2
            }
        }
    }

    @Test("a malformed frame and a venue error cost that frame only; an oversized frame ends the connection, which reconnects")
    func malformedAndOversizedFrames() async throws {
        let update = #"{"e":"bookTicker","u":400900218,"E":1568014460900,"T":1568014460899,"s":"BNBUSDT","b":"25.40000000","B":"1.00000000","a":"25.41000000","A":"2.00000000"}"#
        let oversized = #"{"e":"bookTicker","s":"BNBUSDT","pad":""# + String(repeating: "x", count: 8192) + #""}"#
        let replay = StreamReplayServer { _, n in
            n == 0
                ? .init(frames: [#"{"code":2,"msg":"Invalid request: unknown variable","id":1}"#, "not json {",
                                 #"{"e":"bookTicker","s":"BNBUSDT","b":"NaN?","a":"1","T":1}"#, update, oversized],
                        after: .hold)
                : .init(frames: Self.book, after: .hold)
        }
        try await Self.streaming(replay, maxMessageSize: 4096) { book in
            try await eventually("the valid update after the bad frames is applied") {
                book.latest(dex: "binance", dexSymbol: "BNBUSDT")?.ask == 25.41
            }
            try await eventually("the oversized frame closes the connection and the service reconnects") {
                replay.log.connections("/binance/top_of_book") >= 2
            }
            // The replayed book after the reconnect is older by sequence (400900217 < 400900218): not applied.
            try await Task.sleep(for: .milliseconds(300))
            #expect(book.latest(dex: "binance", dexSymbol: "BNBUSDT")?.ask == 25.41)
        }
    }

    @Test("cancellation (SIGTERM's graceful shutdown) ends the service while a connection is open or being retried")
    func cancellationEndsPromptly() async throws {
        let replay = StreamReplayServer { _, _ in .init(frames: Self.book, after: .hold) }
        try await replay.run { base in
            let service = PriceStreamService(
                venues: [StreamVenue(source: BinanceAdapter(), restBaseURL: "", urlOverride: "\(base)/binance"),
                         // A port nobody listens on: this connection is in its backoff loop.
                         StreamVenue(source: BinanceAdapter(), restBaseURL: "", urlOverride: "ws://127.0.0.1:9/x")],
                book: PriceBook(), markets: { _ in ["BNBUSDT"] },
                http: FixtureHTTPClient(catalog: fixtureCatalog, dex: "binance"), logger: Self.logger)
            let task = Task { try await service.run() }
            try await eventually("connected") { replay.log.connections("/binance/top_of_book") >= 1 }
            task.cancel()
            // A bound on a hang, not a speed check: the service must end at all once cancelled.
            _ = try await withDeadline(.seconds(10), "stream service after cancellation") { try await task.value }
        }
    }
}
