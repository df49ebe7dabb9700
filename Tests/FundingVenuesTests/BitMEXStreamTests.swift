import Foundation
import Testing
@testable import FundingVenues

/// Frames: BitMEX's own connector test fixtures (`Tests/Fixtures/bitmex/SOURCE.md`, "Stream frames"): the welcome
/// message, a `trade:XBTUSD` subscribe answer and its `partial`. No example of a `quote` or `instrument` push was
/// found as a whole frame; the ones below wrap a quote row from nautilus_trader's test data (or made-up values)
/// in the documented table envelope and are not venue examples.
@Suite struct BitMEXStreamTests {
    let venue = BitMEXAdapter()

    @Test func everyFixtureLineParses() throws {
        let book = try StreamFixtures.lines("bitmex", "stream-top_of_book.jsonl")
        #expect(book.count == 1)
        #expect(try venue.parseStreamMessage(book[0]).isEmpty)  // welcome
        let lines = try StreamFixtures.lines("bitmex", "stream-trades.jsonl")
        #expect(lines.count == 3)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // welcome
        #expect(try venue.parseStreamMessage(lines[1]).isEmpty)  // subscribe answer
        let events = try venue.parseStreamMessage(lines[2])
        guard case .trade(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one trade, got \(events)"); return
        }
        // XBTUSD side "Sell", price 11584, size 8 contracts, timestamp 2020-10-12T17:24:24.848Z = 1602523464.848 s
        #expect(t.dexSymbol == "XBTUSD" && t.takerSide == .sell)
        #expect(near(t.price, 11584) && near(t.size, 8))
        #expect(near(t.time.timeIntervalSince1970, 1_602_523_464.848, 1e-6))
    }

    @Test func quoteRows() throws {
        // nautilus_trader's ws_quote.json row in a quote insert
        let frame = #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-11-22T22:44:25.085Z","symbol":"BCHUSDT","bidSize":103000,"bidPrice":487.55,"askPrice":488.25,"askSize":50000}]}"#
        let events = try venue.parseStreamMessage(Array(frame.utf8))
        guard case .topOfBook(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one top of book, got \(events)"); return
        }
        // bid 487.55 × 103000, ask 488.25 × 50000 contracts; 2024-11-22T22:44:25.085Z = 1732315465.085 s
        #expect(t.dexSymbol == "BCHUSDT")
        #expect(near(t.bid, 487.55) && near(t.bidSize, 103_000))
        #expect(near(t.ask, 488.25) && near(t.askSize, 50_000))
        #expect(near(t.time.timeIntervalSince1970, 1_732_315_465.085, 1e-6))
    }

    @Test func instrumentUpdatesGivePriceTicks() throws {
        // an instrument update carries only the changed fields (values made up)
        let frame = #"{"table":"instrument","action":"update","data":[{"symbol":"XBTUSD","markPrice":98570.12,"timestamp":"2024-11-24T08:15:40.000Z"},{"symbol":"XBTUSD","openInterest":123,"timestamp":"2024-11-24T08:15:40.000Z"},{"symbol":"ETHUSD","lastPrice":3300.5,"markPrice":3301.1,"timestamp":"2024-11-24T08:15:40.000Z"}]}"#
        let ticks = try venue.parseStreamMessage(Array(frame.utf8)).compactMap { e -> PriceTick? in
            if case .price(let p) = e { return p } else { return nil }
        }
        // the open-interest row gives nothing; 2024-11-24T08:15:40Z = 1732436140 s
        #expect(ticks.count == 2)
        #expect(ticks[0].dexSymbol == "XBTUSD" && near(ticks[0].mark, 98570.12) && ticks[0].last == nil)
        #expect(ticks[1].dexSymbol == "ETHUSD" && near(ticks[1].last, 3300.5) && near(ticks[1].mark, 3301.1))
        #expect(ticks[0].time == Date(timeIntervalSince1970: 1_732_436_140))
    }

    @Test func pongAndDeletesAreNoEvents() throws {
        #expect(try venue.parseStreamMessage(Array("pong".utf8)).isEmpty)
        let delete = #"{"table":"quote","action":"delete","data":[{"symbol":"XBTUSD"}]}"#
        #expect(try venue.parseStreamMessage(Array(delete.utf8)).isEmpty)
    }

    @Test func subscribeIsTheDocumentedFormInBatches() throws {
        // wsAPI: {"op": "subscribe", "args": [<SubscriptionTopic>]}; the connector fixture subscribes "trade:XBTUSD"
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["XBTUSD"])
        #expect(try StreamFixtures.json(trades[0]) == StreamFixtures.json(#"{"op": "subscribe", "args": ["trade:XBTUSD"]}"#))
        let book = try venue.subscribeMessages(.topOfBook, dexSymbols: ["XBTUSD"])
        #expect(try StreamFixtures.json(book[0])
                == StreamFixtures.json(#"{"op":"subscribe","args":["quote:XBTUSD","instrument:XBTUSD"]}"#))
        // 25 symbols with a limit of 20 per message: 2 messages, of 40 and 10 topics
        let batches = try venue.subscribeMessages(.topOfBook, dexSymbols: (1...25).map { "S\($0)USD" })
        #expect(venue.streamLimits.symbolsPerMessage == 20)
        #expect(try batches.map { ((try StreamFixtures.json($0) as! NSDictionary)["args"] as! [String]).count } == [40, 10])
    }

    @Test func pingIsTheTextPing() throws {
        #expect(venue.pingMessage(now: Date()) == Array("ping".utf8))
    }

    @Test func malformedFramesThrow() {
        for frame in [
            #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-11-22T22:44:25.085Z","symbol":"BCH"#,
            #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-11-22T22:44:25.085Z","symbol":"BCHUSDT","bidSize":103000,"bidPrice":"bid","askPrice":488.25,"askSize":50000}]}"#,
            #"{"table":"quote","action":"insert","data":[{"symbol":"BCHUSDT","bidSize":103000,"bidPrice":487.55}]}"#,  // no timestamp
            #"{"table":"trade","action":"insert","data":[{"timestamp":"2020-10-12T17:24:24.848Z","symbol":"XBTUSD","side":"Sell","size":8}]}"#,  // no price
            "ping",
        ] {
            #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(frame.utf8)) }
        }
    }

    @Test func anErrorAnswerIsRejected() {
        // The wsAPI's error answer shape; no stored example, values made up
        let frame = #"{"status":400,"error":"Unknown table: quotes","meta":{},"request":{"op":"subscribe","args":["quotes:XBTUSD"]}}"#
        #expect(throws: StreamMessageError.rejected("Unknown table: quotes")) {
            try venue.parseStreamMessage(Array(frame.utf8))
        }
    }
}
