import Foundation
import FundingCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// One WebSocket connection: reads `{"action": "subscribe" | "unsubscribe" | "ping", "filters": {...}}` messages,
/// answers invalid ones with an error frame, and writes what the hub enqueues. A client whose queue overflows (in
/// frames or bytes) is disconnected (close code 1008); one that does not take a frame within the write deadline
/// (`webSocketWriteTimeout`: its socket stays full) is disconnected without further writes.
struct StreamSession: Sendable {
    let channel: StreamChannel
    let deps: APIDependencies
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let id = UUID()
        let (frames, continuation) = AsyncStream.makeStream(
            of: String.self, bufferingPolicy: .bufferingOldest(deps.hub.queueSize))
        let outbox = StreamOutbox(continuation: continuation, maxBytes: deps.settings.webSocketQueueBytes)
        let writeTimeout = deps.settings.webSocketWriteTimeout
        var sessionLogger = self.logger
        sessionLogger[metadataKey: "client"] = "\(id)"
        sessionLogger[metadataKey: "channel"] = "\(channel.rawValue)"
        let logger = sessionLogger
        logger.debug("websocket connected")

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await entry in frames {
                    outbox.dequeued(entry)
                    // One queue entry may hold several messages (document-style streams): a frame each.
                    for frame in entry.split(separator: StreamHub.messageSeparator) {
                        do {
                            try await withDeadline(writeTimeout, "websocket write") {
                                try await Self.writeMessage(frame, to: outbound)
                            }
                        } catch is DeadlineExceeded {
                            logger.warning("websocket client dropped: write deadline passed",
                                           metadata: ["deadline": "\(writeTimeout)"])
                            await deps.hub.droppedSlow(id)
                            return
                        } catch {
                            return
                        }
                    }
                }
                if outbox.didOverflow {
                    // Its socket is probably full too: the close frame gets a short deadline.
                    try? await withDeadline(min(writeTimeout, .seconds(2)), "websocket close") {
                        try await outbound.close(.policyViolation, reason: "send queue full: client too slow")
                    }
                }
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        await handle(message, id: id, outbox: outbox)
                    }
                } catch {
                    logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                }
            }
            // Whichever ends first (client closed, or the queue overflowed) ends the session.
            await group.next()
            group.cancelAll()
            outbox.close()
        }
        await deps.hub.unsubscribe(id)
        await deps.priceHub.unsubscribe(id)
        await deps.leaderboardHub.unsubscribe(id)
        logger.debug("websocket disconnected", metadata: ["dropped_slow": "\(outbox.didOverflow)"])
    }

    /// The largest frame the server sends: the Swift WebSocket client's default frame limit (16 KiB). A larger
    /// message (an all-venue snapshot is several hundred KiB) goes out as one text message in several frames, which
    /// every client reassembles; as one frame it would be refused by clients that keep the usual limit.
    static let maxOutboundFrame = 1 << 14

    /// Writes `text` as one text message, fragmented into frames of at most `maxOutboundFrame` bytes (UTF-8 may be
    /// split between frames: only the whole message must be valid).
    static func writeMessage(_ text: Substring, to outbound: WebSocketOutboundWriter) async throws {
        guard text.utf8.count > maxOutboundFrame else {
            try await outbound.write(.text(String(text)))
            return
        }
        var buffer = ByteBuffer(string: String(text))
        try await outbound.withTextMessageWriter { writer in
            while let slice = buffer.readSlice(length: min(maxOutboundFrame, buffer.readableBytes)),
                  slice.readableBytes > 0 {
                try await writer(slice)
            }
        }
    }

    func handle(_ message: WebSocketMessage, id: UUID, outbox: StreamOutbox) async {
        // A client dropped as slow gets nothing more done for it while its session winds down.
        guard !outbox.isClosed else { return }
        guard case .text(let text) = message else {
            outbox.send(StreamHub.errorFrame(code: "invalid_message", message: "binary frames are not supported"))
            return
        }
        do {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw APIError(.badRequest, code: "invalid_message", message: "expected a JSON object")
            }
            if let bad = object.keys.filter({ !Self.messageKeys.contains($0) }).sorted().first {
                throw APIError.invalidParameter(QueryReader.printable(bad), "unknown message field; messages take "
                                                + Self.messageKeys.sorted().joined(separator: ", "))
            }
            switch object["action"] as? String {
            case "subscribe":
                let documentMessages = try Self.checkChannels(object["channels"], channel: channel)
                let filters = try Self.filterValues(object["filters"])
                let reader = QueryReader(values: filters)
                switch channel {
                case .fundingRates:
                    let known: Set<String> = ["symbols", "symbol", "dexes", "dex", "quote"]
                    if let bad = reader.unknown(known).first { throw APIError.invalidParameter(bad, "unknown filter") }
                    var filter = try await RateFilter.parse(reader, catalog: deps.catalog)
                    filter.documentMessages = documentMessages
                    try await deps.hub.subscribeRates(id, filter: filter, outbox: outbox)
                case .opportunities:
                    if let bad = reader.unknown(OpportunityQuery.parameterNames).first {
                        throw APIError.invalidParameter(bad, "unknown filter")
                    }
                    var values = filters
                    if values["limit"] == nil { values["limit"] = ["100"] }
                    var query = try await OpportunityQuery.parse(QueryReader(values: values), catalog: deps.catalog)
                    query.documentMessages = documentMessages
                    try await deps.hub.subscribeOpportunities(id, query: query, outbox: outbox)
                case .prices:
                    if let bad = reader.unknown(Set(LivePriceQuery.parameterNames)).first {
                        throw APIError.invalidParameter(bad, "unknown filter")
                    }
                    let query = try await LivePriceQuery.parse(reader, catalog: deps.catalog)
                    try await deps.priceHub.subscribePrices(id, query: query, outbox: outbox)
                case .priceSpreads:
                    var names = Set(PriceSpreadQuery.parameterNames)
                    names.insert("best")
                    if let bad = reader.unknown(names).first { throw APIError.invalidParameter(bad, "unknown filter") }
                    let best = try reader.bool("best", default: false)
                    let query = try await PriceSpreadQuery.parse(reader, catalog: deps.catalog, best: best)
                    try await deps.priceHub.subscribeSpreads(id, query: query, outbox: outbox)
                case .leaderboards:
                    try await deps.leaderboardHub.subscribe(id, filters: reader, outbox: outbox)
                }
            case "unsubscribe":
                await deps.hub.unsubscribe(id)
                await deps.priceHub.unsubscribe(id)
                await deps.leaderboardHub.unsubscribe(id)
                outbox.send(#"{"type":"unsubscribed","channel":"\#(channel.rawValue)"}"#)
            case "ping":
                outbox.send(#"{"type":"pong"}"#)
            default:
                throw APIError(.badRequest, code: "invalid_message",
                               message: "action must be subscribe, unsubscribe or ping")
            }
        } catch let error as APIError {
            outbox.send(StreamHub.errorFrame(code: error.code, message: error.message))
        } catch is CancellationError {
            return   // the session is ending
        } catch {
            logger.error("websocket message failed", metadata: ["error": "\(error)"])
            outbox.send(StreamHub.errorFrame(code: "internal_error", message: "internal error"))
        }
    }

    /// The top-level fields of a client message.
    static let messageKeys: Set<String> = ["action", "filters", "channels"]

    /// The design document's `channels` of a subscribe message: absent (the service's batched frames) or a list
    /// naming this endpoint's stream (`funding_rates` / `opportunities`; the path's spelling also works), which
    /// selects the document's per-row messages. Another stream's name is an error: each endpoint serves one.
    static func checkChannels(_ raw: Any?, channel: StreamChannel) throws -> Bool {
        guard let raw, !(raw is NSNull) else { return false }
        let names = [channel.rawValue, channel.rawValue.replacingOccurrences(of: "-", with: "_")]
        guard let list = raw as? [Any], !list.isEmpty else {
            throw APIError.invalidParameter("channels", "must be a non-empty array, e.g. [\"\(names[1])\"]")
        }
        for item in list {
            guard let name = item as? String, names.contains(name) else {
                throw APIError.invalidParameter("channels", """
                    this endpoint streams only \(names[1]); connect to the other WebSocket path for other channels
                    """)
            }
        }
        return true
    }

    /// `filters` as parameter values: arrays joined with commas, numbers and booleans as text, nulls dropped.
    static func filterValues(_ raw: Any?) throws -> [String: [String]] {
        guard let raw, !(raw is NSNull) else { return [:] }
        guard let object = raw as? [String: Any] else {
            throw APIError(.badRequest, code: "invalid_message", message: "filters must be an object")
        }
        var out: [String: [String]] = [:]
        for (key, value) in object {
            if let s = try text(value, key: key) { out[key] = [s] }
        }
        return out
    }

    static func text(_ value: Any, key: String) throws -> String? {
        switch value {
        case is NSNull: return nil
        case let s as String: return s
        case let b as Bool where !(value is Int) && !(value is Double): return b ? "true" : "false"
        // Booleans that arrive as NSNumber print as 1 / 0, which boolean filters accept too.
        case let n as NSNumber: return n.stringValue
        case let a as [Any]:
            return try a.map { item -> String in
                guard let s = try text(item, key: key), !(item is [Any]) else {
                    throw APIError.invalidParameter(key, "array items must be strings or numbers")
                }
                return s
            }.joined(separator: ",")
        default:
            throw APIError.invalidParameter(key, "must be a string, number, boolean or array")
        }
    }
}
