import Foundation
import FundingCore
import FundingIngest
import FundingStore
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

/// Answers KuCoin's public token request (`POST /api/v1/bullet-public`) from the recording; nothing else.
struct BulletPublicClient: HTTPFetching {
    func get(_ path: String, baseURL: String) async throws -> [UInt8] {
        throw HTTPFetchError.timeout(url: baseURL + path)
    }

    func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
        guard path == "/api/v1/bullet-public" else { throw HTTPFetchError.timeout(url: baseURL + path) }
        return Array(try Data(contentsOf: TestDatabase.repositoryRoot
            .appendingPathComponent("Tests/Fixtures/kucoin/bullet-public.json")))
    }
}

@Suite("Live streams: every venue's recorded frames through the service into the database")
struct StreamReplayAllVenuesTests {
    /// The fixture folder of each streaming venue.
    static func folder(_ dex: String) -> String { fixtureCatalog.folder(forDex: dex)!.lastPathComponent }

    @Test("each venue's frames, replayed over WebSocket, reach price_latest exactly as its parser reads them")
    func everyVenue() async throws {
        let streaming = Venues.all.compactMap { $0 as? any LiveStreamSource }
        #expect(streaming.count == 11)
        // What each venue's frames say, folded by the same book logic the service uses (the parsers' own values are
        // checked by hand in FundingVenuesTests/<Venue>StreamTests).
        let reference = PriceBook()
        var frames: [String: [String]] = [:]
        var markets: [String: [String]] = [:]
        for source in streaming {
            let dex = source.descriptor.name
            let own = PriceBook()
            for channel in FundingVenues.StreamChannel.allCases {
                let lines = (try? StreamReplayServer.frames(Self.folder(dex), channel.rawValue)) ?? []
                frames["/\(dex)/\(channel.rawValue)"] = lines
                for line in lines {
                    let events = (try? source.parseStreamMessage(Array(line.utf8))) ?? []
                    reference.apply(dex: dex, events: events, receivedAt: Date())
                    own.apply(dex: dex, events: events, receivedAt: Date())
                }
            }
            markets[dex] = own.drainChanged().map(\.dexSymbol)
        }
        let expected = reference.drainChanged()
        // Hyperliquid's documentation has no example data frame (its own tests build frames from the documented
        // types), so no recording of it can be replayed here.
        #expect(Set(expected.map(\.dex)) == Set(streaming.map(\.descriptor.name)).subtracting(["hyperliquid"]))
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let now = Date()
        let snapshots = expected.map {
            MarketSnapshot(dex: $0.dex, dexSymbol: $0.dexSymbol, symbol: "REPLAY\($0.dex.uppercased())", quote: "USD",
                           time: now, fundingRate: 0.0001, fundingIntervalHours: 8)
        }
        try await db.withClient(try db.writerURL) { client in
            _ = try await CycleWriter(client: client, logger: StreamFaultTests.logger).write(snapshots: snapshots, runs: [])
        }
        let recorded = frames
        let replay = StreamReplayServer { path, _ in .init(frames: recorded[path] ?? [], after: .hold) }
        let marketLists = markets
        try await replay.run { base in
            let book = PriceBook()
            let store = PostgresPriceStore(url: try db.writerURL, logger: StreamFaultTests.logger)
            var settings = PriceStreamService<BulletPublicClient>.Settings()
            settings.channels = [.topOfBook, .trades]
            let service = PriceStreamService(
                venues: streaming.map { StreamVenue(source: $0, restBaseURL: "http://127.0.0.1:9",
                                                    urlOverride: "\(base)/\($0.descriptor.name)") },
                book: book, markets: { marketLists[$0] ?? [] }, http: BulletPublicClient(), settings: settings,
                logger: StreamFaultTests.logger)
            let flush = PriceFlushService(book: book, store: store, interval: .milliseconds(100),
                                          logger: StreamFaultTests.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                group.addTask { try await flush.run() }
                defer { group.cancelAll() }
                // Until every market holds each field its frames carry: a venue's trade frames (the last price)
                // come on a connection of their own and may land a flush after its book.
                try await eventually("every venue's markets are in price_latest", within: .seconds(30)) {
                    let rows = try await db.with(try db.readerURL) { conn in
                        try await conn.jsonRows("SELECT dex, dex_symbol, bid, ask, last, mark FROM live_prices")
                    }
                    return rows.count == expected.count && expected.allSatisfy { price in
                        rows.contains { row in
                            row.string("dex") == price.dex && row.string("dex_symbol") == price.dexSymbol
                                && (row.double("last") != nil) == (price.last != nil)
                                && (row.double("mark") != nil) == (price.mark != nil)
                        }
                    }
                }
            }
        }
        let rows = try await db.with(try db.readerURL) { conn in
            try await conn.jsonRows("SELECT dex, dex_symbol, bid, ask, last, mark FROM live_prices")
        }
        for price in expected {
            let row = rows.first { $0.string("dex") == price.dex && $0.string("dex_symbol") == price.dexSymbol }
            #expect(row != nil, "\(price.dex) \(price.dexSymbol)")
            #expect(row?.double("bid") == price.bid && row?.double("ask") == price.ask, "\(price.dex) \(price.dexSymbol)")
            #expect(row?.double("mark") == price.mark, "\(price.dex) \(price.dexSymbol)")
            // The last price comes from whichever channel's frame arrived last (ticker or trade): present or not.
            #expect((row?.double("last") != nil) == (price.last != nil), "\(price.dex) \(price.dexSymbol)")
        }
        // Every venue was subscribed to in its own documented form (a message arrived on each channel it offers).
        for source in streaming where source.descriptor.name != "hyperliquid" {
            for channel in source.streamChannels {
                #expect(!replay.log.messages("/\(source.descriptor.name)/\(channel.rawValue)").isEmpty,
                        "\(source.descriptor.name) \(channel.rawValue)")
            }
        }
    }
}
