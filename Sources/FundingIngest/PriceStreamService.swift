import Foundation
import FundingCore
import FundingVenues
import HummingbirdWSClient
import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import Synchronization

/// One venue's streams as the service runs them.
public struct StreamVenue: Sendable {
    public var source: any LiveStreamSource
    /// The REST base the venue's endpoint is derived from (KuCoin's token request goes there).
    public var restBaseURL: String
    /// A WebSocket base URL that replaces the venue's own (tests, the demo, a proxy); each channel connects to
    /// `urlOverride/<channel>` (`.../top_of_book`, `.../trades`).
    public var urlOverride: String?

    public init(source: any LiveStreamSource, restBaseURL: String, urlOverride: String? = nil) {
        self.source = source
        self.restBaseURL = restBaseURL
        self.urlOverride = urlOverride
    }

    public var dex: String { source.descriptor.name }
}

/// Keeps every streaming venue's connections open and folds their messages into the `PriceBook`.
///
/// Per venue: the markets to subscribe come from the database (`stream_markets`, the snapshot collector's markets),
/// split over connections of at most `symbolsPerConnection`; each connection subscribes in messages of at most
/// `symbolsPerMessage`, sends the venue's ping every `pingInterval`, and is closed and reopened (with exponential
/// backoff and jitter) when it fails, when the venue closes it, or when no message arrived for `silenceTimeout`.
/// A malformed message or a venue's error answer costs that message only (counted and logged). The market list is
/// re-read every `marketRefresh`; connections restart when it changed.
public struct PriceStreamService<Fetcher: HTTPFetching>: Service {
    public struct Settings: Sendable {
        /// The channels to subscribe (those the venue offers).
        public var channels: Set<StreamChannel> = [.topOfBook]
        public var reconnect = RetryPolicy(maxAttempts: .max, baseDelay: .seconds(1), maxDelay: .seconds(30))
        /// A connection that lasted this long resets the backoff.
        public var healthyAfter: Duration = .seconds(60)
        /// Connect and WebSocket upgrade together.
        public var handshakeTimeout: Duration = .seconds(15)
        public var marketRefresh: Duration = .seconds(600)
        /// Wait before re-reading an empty or failed market list.
        public var marketRetry: Duration = .seconds(30)
        /// Replaces every venue's documented silence timeout (tests; an operator on a quiet market set).
        public var silenceTimeout: Duration?
        /// Largest message accepted (a larger one closes the connection, which then reconnects).
        public var maxMessageSize: Int = 1 << 22
        public init() {}
    }

    let venues: [StreamVenue]
    let book: PriceBook
    let markets: @Sendable (String) async throws -> [String]
    let http: Fetcher
    let settings: Settings
    let logger: Logger

    /// `markets(dex)` returns the venue symbols to subscribe (the service gives it a deadline).
    public init(venues: [StreamVenue], book: PriceBook, markets: @escaping @Sendable (String) async throws -> [String],
                http: Fetcher, settings: Settings = Settings(), logger: Logger) {
        self.venues = venues
        self.book = book
        self.markets = markets
        self.http = http
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for venue in venues {
                    group.addTask { await runVenue(venue) }
                }
            }
        }
    }

    /// Reads the venue's markets and runs its connections until the list changes or the task is cancelled.
    func runVenue(_ venue: StreamVenue) async {
        var venueLogger = self.logger
        venueLogger[metadataKey: "dex"] = "\(venue.dex)"
        let logger = venueLogger
        while !Task.isCancelled {
            let symbols: [String]
            do {
                symbols = try await withDeadline(.seconds(10), "stream markets of \(venue.dex)") {
                    try await markets(venue.dex)
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("stream markets not read; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: settings.marketRetry)
                continue
            }
            guard !symbols.isEmpty else {
                logger.info("no markets to stream yet (the snapshot collector creates them); waiting")
                try? await Task.sleep(for: settings.marketRetry)
                continue
            }
            let limits = venue.source.streamLimits
            let chunks = stride(from: 0, to: symbols.count, by: max(1, limits.symbolsPerConnection)).map {
                Array(symbols[$0..<min(symbols.count, $0 + max(1, limits.symbolsPerConnection))])
            }
            let channels = settings.channels.intersection(venue.source.streamChannels).sorted { $0.rawValue < $1.rawValue }
            logger.info("streaming", metadata: ["markets": "\(symbols.count)", "connections": "\(chunks.count * channels.count)"])
            await withTaskGroup(of: Void.self) { group in
                for channel in channels {
                    for (i, chunk) in chunks.enumerated() {
                        group.addTask {
                            await runConnection(venue, channel: channel, symbols: chunk, index: i, logger: logger)
                        }
                    }
                }
                // The refresher: returns when the market list changed, which restarts the connections.
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: settings.marketRefresh)
                        if Task.isCancelled { return }
                        if let fresh = try? await withDeadline(.seconds(10), "stream markets", body: {
                            try await markets(venue.dex)
                        }), !fresh.isEmpty, fresh != symbols {
                            logger.info("market list changed; resubscribing", metadata: ["markets": "\(fresh.count)"])
                            return
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// One connection's life: connect, subscribe, read; on any end, back off and start again.
    func runConnection(_ venue: StreamVenue, channel: StreamChannel, symbols: [String], index: Int,
                       logger venueLogger: Logger) async {
        var logger = venueLogger
        logger[metadataKey: "connection"] = "\(channel.rawValue)/\(index)"
        var attempt = 0
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let started = clock.now
            do {
                try await session(venue, channel: channel, symbols: symbols, logger: logger)
                logger.info("stream closed by the venue; reconnecting")
            } catch {
                if Task.isCancelled { return }
                logger.warning("stream failed; reconnecting", metadata: ["error": "\(error)"])
            }
            Counter(label: "fundingd_stream_reconnects_total", dimensions: [("dex", venue.dex)]).increment()
            attempt = clock.now - started >= settings.healthyAfter ? 1 : attempt + 1
            try? await Task.sleep(for: settings.reconnect.delay(afterAttempt: attempt))
        }
    }

    /// One WebSocket session; returns when the venue closes it, throws on failure, silence or a handshake timeout.
    func session(_ venue: StreamVenue, channel: StreamChannel, symbols: [String], logger: Logger) async throws {
        let endpoint = try await withDeadline(settings.handshakeTimeout, "stream endpoint of \(venue.dex)") { [http] in
            try await venue.source.streamEndpoint(for: channel, client: http, restBaseURL: venue.restBaseURL)
        }
        let url = venue.urlOverride.map { "\($0)/\(channel.rawValue)" } ?? endpoint.url
        let source = venue.source
        var venueLimits = source.streamLimits
        if let silence = settings.silenceTimeout { venueLimits.silenceTimeout = silence }
        let limits = venueLimits
        let pingInterval = endpoint.pingInterval ?? limits.pingInterval
        let subscribe = try stride(from: 0, to: symbols.count, by: max(1, limits.symbolsPerMessage)).flatMap {
            try source.subscribeMessages(channel, dexSymbols: Array(
                symbols[$0..<min(symbols.count, $0 + max(1, limits.symbolsPerMessage))]))
        }
        let state = SessionState()
        let book = self.book
        let dex = venue.dex
        let maxMessageSize = settings.maxMessageSize
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: maxMessageSize, closeTimeout: .seconds(2), autoPing: .disabled)

        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                    inbound, outbound, _ in
                    state.opened.store(true, ordering: .relaxed)
                    for message in subscribe {
                        try await outbound.write(.text(String(decoding: message, as: UTF8.self)))
                    }
                    state.lastMessage.withLock { $0 = .now }
                    // Read in a child task so the watchdog can end the session by cancelling it (cancellation
                    // finishes the inbound sequence); only that task ever touches the stream.
                    nonisolated(unsafe) let inbound = inbound
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        // Keep-alive and the silence watchdog.
                        tasks.addTask {
                            var nextPing = ContinuousClock.now + pingInterval
                            let tick = min(pingInterval, limits.silenceTimeout / 4, .seconds(1))
                            while true {
                                try await Task.sleep(for: tick)
                                let now = ContinuousClock.now
                                if now >= nextPing {
                                    nextPing = now + pingInterval
                                    if let ping = source.pingMessage(now: Date()) {
                                        try await outbound.write(.text(String(decoding: ping, as: UTF8.self)))
                                    }
                                }
                                if now - state.lastMessage.withLock({ $0 }) > limits.silenceTimeout {
                                    Counter(label: "fundingd_stream_silent_total", dimensions: [("dex", dex)]).increment()
                                    throw StreamSilent(dex: dex, limit: limits.silenceTimeout)
                                }
                            }
                        }
                        tasks.addTask {
                            for try await message in inbound.messages(maxSize: maxMessageSize) {
                                let receivedAt = Date()
                                state.lastMessage.withLock { $0 = .now }
                                let bytes: [UInt8] = switch message {
                                case .text(let text): Array(text.utf8)
                                case .binary(let buffer): Array(buffer: buffer)
                                }
                                Self.handle(bytes, source: source, dex: dex, book: book, receivedAt: receivedAt,
                                            logger: logger)
                            }
                        }
                        // Whichever ends first ends the session: the venue closed, or the watchdog fired.
                        try await tasks.next()
                        tasks.cancelAll()
                    }
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: settings.handshakeTimeout)
                if !state.opened.load(ordering: .relaxed) { throw StreamHandshakeTimeout(url: url, limit: settings.handshakeTimeout) }
                return false
            }
            for try await sessionEnded in group where sessionEnded {
                group.cancelAll()
                return
            }
        }
    }

    /// Parses one message into the book; a failure costs this message only.
    static func handle(_ bytes: [UInt8], source: any LiveStreamSource, dex: String, book: PriceBook, receivedAt: Date,
                       logger: Logger) {
        do {
            let events = try source.parseStreamMessage(bytes)
            let applied = book.apply(dex: dex, events: events, receivedAt: receivedAt,
                                     countTrades: source.tradeSizes == .priceUnits)
            if applied > 0 {
                Counter(label: "fundingd_stream_events_total", dimensions: [("dex", dex)]).increment(by: applied)
            }
        } catch let error as StreamMessageError {
            Counter(label: "fundingd_stream_messages_rejected_total", dimensions: [("dex", dex), ("reason", "venue_error")])
                .increment()
            logger.warning("venue answered with an error", metadata: ["error": "\(error)"])
        } catch {
            Counter(label: "fundingd_stream_messages_rejected_total", dimensions: [("dex", dex), ("reason", "malformed")])
                .increment()
            logger.debug("malformed stream message skipped", metadata: [
                "error": "\(error)", "message": "\(String(decoding: bytes.prefix(200), as: UTF8.self))",
            ])
        }
    }
}

/// What a session's tasks share: whether the WebSocket opened, and when the last message arrived.
final class SessionState: Sendable {
    let opened = Atomic<Bool>(false)
    let lastMessage = Mutex(ContinuousClock.now)
}

/// No message arrived for the venue's silence timeout: the connection is taken as dead.
public struct StreamSilent: Error, CustomStringConvertible {
    public var dex: String
    public var limit: Duration
    public var description: String { "\(dex): no message for \(limit); reconnecting" }
}

/// The connection or its WebSocket upgrade took too long.
public struct StreamHandshakeTimeout: Error, CustomStringConvertible {
    public var url: String
    public var limit: Duration
    public var description: String { "\(url): no WebSocket session within \(limit)" }
}
