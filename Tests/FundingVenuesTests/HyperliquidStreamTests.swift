import Foundation
import Testing
@testable import FundingVenues

/// Frames: `Tests/Fixtures/hyperliquid/stream-trades.jsonl` holds the docs' only example frame (the subscription
/// answer for `trades` on SOL). No documented example of a `bbo` or `trades` push was found, so the data frames
/// below are built from the documented types (`WsBbo`, `WsLevel`, `WsTrade`) with made-up values; they are not
/// venue examples (`Tests/Fixtures/hyperliquid/SOURCE.md`, "Stream frames").
@Suite struct HyperliquidStreamTests {
    let venue = HyperliquidAdapter()

    @Test func everyFixtureLineParses() throws {
        let lines = try StreamFixtures.lines("hyperliquid", "stream-trades.jsonl")
        #expect(lines.count == 1)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // subscriptionResponse
    }

    @Test func bboFromTheDocumentedType() throws {
        let frame = #"{"channel":"bbo","data":{"coin":"BTC","time":1700000000123,"bbo":[{"px":"64437.0","sz":"1.4491","n":2},{"px":"64438.0","sz":"0.541","n":3}]}}"#
        let events = try venue.parseStreamMessage(Array(frame.utf8))
        guard case .topOfBook(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one top of book, got \(events)"); return
        }
        // coin BTC; bid px "64437.0" sz "1.4491", ask px "64438.0" sz "0.541"; time 1700000000123 ms
        #expect(t.dexSymbol == "BTC")
        #expect(near(t.bid, 64437.0) && near(t.bidSize, 1.4491))
        #expect(near(t.ask, 64438.0) && near(t.askSize, 0.541))
        #expect(near(t.time.timeIntervalSince1970, 1_700_000_000.123, 1e-6))
        #expect(t.sequence == nil)
    }

    @Test func anEmptyBookSideIsNil() throws {
        let frame = #"{"channel":"bbo","data":{"coin":"xyz:TSLA","time":1700000000000,"bbo":[{"px":"251.2","sz":"3","n":1},null]}}"#
        let events = try venue.parseStreamMessage(Array(frame.utf8))
        guard case .topOfBook(let t) = try #require(events.first) else { Issue.record("\(events)"); return }
        // HIP-3 coin kept as the snapshot adapter's dexSymbol; the ask side is null
        #expect(t.dexSymbol == "xyz:TSLA")
        #expect(near(t.bid, 251.2) && near(t.bidSize, 3))
        #expect(t.ask == nil && t.askSize == nil)
    }

    @Test func tradesFromTheDocumentedType() throws {
        let frame = #"{"channel":"trades","data":[{"coin":"SOL","side":"A","px":"142.51","sz":"12.5","hash":"0x00","time":1700000000456,"tid":7,"users":["0x01","0x02"]},{"coin":"SOL","side":"B","px":"142.52","sz":"0.5","hash":"0x00","time":1700000000457,"tid":8,"users":["0x03","0x04"]}]}"#
        let trades = try venue.parseStreamMessage(Array(frame.utf8)).compactMap { e -> PublicTrade? in
            if case .trade(let t) = e { return t } else { return nil }
        }
        // side A = ask = the seller took; B = bid = the buyer took ("Notation": side is the aggressing side)
        #expect(trades.count == 2)
        #expect(trades[0].dexSymbol == "SOL" && trades[0].takerSide == .sell)
        #expect(near(trades[0].price, 142.51) && near(trades[0].size, 12.5))
        #expect(near(trades[0].time.timeIntervalSince1970, 1_700_000_000.456, 1e-6))
        // `users` = [buyer, seller]: the accounts the position scanner may discover.
        #expect(trades[0].participants == ["0x01", "0x02"] && trades[1].participants == ["0x03", "0x04"])
        #expect(trades[1].takerSide == .buy && near(trades[1].price, 142.52) && near(trades[1].size, 0.5))
    }

    @Test func pongIsNoEvent() throws {
        #expect(try venue.parseStreamMessage(Array(#"{"channel":"pong"}"#.utf8)).isEmpty)
    }

    @Test func subscribeIsTheDocumentedFormOneCoinPerMessage() throws {
        // The docs' example request: { "method": "subscribe", "subscription": { "type": "trades", "coin": "SOL" } }
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["SOL"])
        #expect(trades.count == 1)
        #expect(try StreamFixtures.json(trades[0])
                == StreamFixtures.json(#"{ "method": "subscribe", "subscription": { "type": "trades", "coin": "SOL" } }"#))
        let bbo = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTC"])
        #expect(try StreamFixtures.json(bbo[0])
                == StreamFixtures.json(#"{"method":"subscribe","subscription":{"type":"bbo","coin":"BTC"}}"#))
        // 25 coins with a limit of 1 per message: 25 messages, in order
        let coins = (1...25).map { "C\($0)" }
        let batches = try venue.subscribeMessages(.topOfBook, dexSymbols: coins)
        #expect(venue.streamLimits.symbolsPerMessage == 1)
        #expect(batches.count == 25)
        #expect(try StreamFixtures.json(batches[24])
                == StreamFixtures.json(#"{"method":"subscribe","subscription":{"type":"bbo","coin":"C25"}}"#))
    }

    @Test func pingAndEndpoint() async throws {
        #expect(try StreamFixtures.json(try #require(venue.pingMessage(now: Date()))) == StreamFixtures.json(#"{"method":"ping"}"#))
        let endpoint = try await venue.streamEndpoint(client: RecordingPostClient(answer: []), restBaseURL: "https://api.hyperliquid.xyz")
        #expect(endpoint.url == "wss://api.hyperliquid.xyz/ws")
        #expect(venue.capabilities.contains(.topOfBookStream) && venue.capabilities.contains(.tradeStream))
    }

    @Test func malformedFramesThrow() {
        for frame in [
            #"{"channel":"bbo","data":{"coin":"BTC","time":1700000000123,"bbo":[{"px":"64437.0","sz""#,  // truncated
            #"{"channel":"bbo","data":{"coin":"BTC","time":1700000000123,"bbo":[{"px":"abc","sz":"1","n":1},null]}}"#,
            #"{"channel":"bbo","data":{"coin":"BTC","time":1700000000123,"bbo":[null]}}"#,  // one side only
            #"{"channel":"trades","data":[{"coin":"SOL","side":"A","px":"142.51","time":1700000000456}]}"#,  // no sz
            "pong",
        ] {
            #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(frame.utf8)) }
        }
    }

    @Test func anErrorAnswerIsRejected() {
        // Shape read from client libraries (no documented example): {"channel":"error","data":"<text>"}
        let frame = #"{"channel":"error","data":"Invalid subscription {\"type\":\"bbo\",\"coin\":\"NOPE\"}"}"#
        #expect(throws: StreamMessageError.rejected(#"Invalid subscription {"type":"bbo","coin":"NOPE"}"#)) {
            try venue.parseStreamMessage(Array(frame.utf8))
        }
    }
}
