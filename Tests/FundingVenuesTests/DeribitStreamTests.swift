import Foundation
import Testing
@testable import FundingVenues

/// Frames: nautilus_trader's Deribit test data (`Tests/Fixtures/deribit/SOURCE.md`, "Stream frames"): a
/// `public/test` answer, a `quote.BTC-PERPETUAL` notification, a `public/subscribe` answer, a
/// `trades.BTC-PERPETUAL.100ms` notification and an error answer.
@Suite struct DeribitStreamTests {
    let venue = DeribitAdapter()

    @Test func everyTopOfBookLineParses() throws {
        let lines = try StreamFixtures.lines("deribit", "stream-top_of_book.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // public/test answer
        let events = try venue.parseStreamMessage(lines[1])
        guard case .topOfBook(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one top of book, got \(events)"); return
        }
        // best_bid_price 92288.0 × best_bid_amount 133440.0 USD, best_ask_price 92288.5 × best_ask_amount 99470.0 USD;
        // timestamp 1765541767174 ms = 1765541767.174 s
        #expect(t.dexSymbol == "BTC-PERPETUAL")
        #expect(near(t.bid, 92288.0) && near(t.bidSize, 133_440))
        #expect(near(t.ask, 92288.5) && near(t.askSize, 99_470))
        #expect(near(t.time.timeIntervalSince1970, 1_765_541_767.174, 1e-6))
        #expect(t.sequence == nil)
    }

    @Test func everyTradeLineParses() throws {
        let lines = try StreamFixtures.lines("deribit", "stream-trades.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // public/subscribe answer
        let trades = try venue.parseStreamMessage(lines[1]).compactMap { e -> PublicTrade? in
            if case .trade(let t) = e { return t } else { return nil }
        }
        // two sells at 1765531356452 ms = 1765531356.452 s: 92294.5 × amount 10.0 USD, 92288.5 × amount 750.0 USD
        #expect(trades.count == 2)
        #expect(trades.allSatisfy { $0.dexSymbol == "BTC-PERPETUAL" && $0.takerSide == .sell })
        #expect(trades.allSatisfy { near($0.time.timeIntervalSince1970, 1_765_531_356.452, 1e-6) })
        #expect(near(trades[0].price, 92294.5) && near(trades[0].size, 10))
        #expect(near(trades[1].price, 92288.5) && near(trades[1].size, 750))
    }

    @Test func anErrorAnswerIsRejected() throws {
        let frame = Array(try Fixtures.data("deribit", "stream-error.json"))
        // error {"code":10028,"message":"too_many_requests"}
        #expect(throws: StreamMessageError.rejected("error 10028: too_many_requests")) {
            try venue.parseStreamMessage(frame)
        }
    }

    @Test func subscribeIsTheDocumentedFormInBatches() throws {
        // The docs' example (quote.(instrument_name)):
        // { "jsonrpc": "2.0", "method": "public/subscribe", "id": 42, "params": { "channels": [ "quote.BTC-PERPETUAL" ] } }
        let quote = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTC-PERPETUAL"])
        #expect(quote.count == 1)
        #expect(try StreamFixtures.json(quote[0], without: "id") == StreamFixtures.json(
            #"{ "jsonrpc": "2.0", "method": "public/subscribe", "id": 42, "params": { "channels": [ "quote.BTC-PERPETUAL" ] } }"#,
            without: "id"))
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTC-PERPETUAL", "ETH_USDC-PERPETUAL"])
        #expect(try StreamFixtures.json(trades[0], without: "id") == StreamFixtures.json(
            #"{"jsonrpc":"2.0","method":"public/subscribe","params":{"channels":["trades.BTC-PERPETUAL.100ms","trades.ETH_USDC-PERPETUAL.100ms"]}}"#))
        // 120 instruments with a limit of 50 per message: 3 messages of 50, 50 and 20 channels, distinct ids
        let batches = try venue.subscribeMessages(.topOfBook, dexSymbols: (1...120).map { "I\($0)-PERPETUAL" })
        #expect(venue.streamLimits.symbolsPerMessage == 50)
        let bodies = try batches.map { try StreamFixtures.json($0) as! NSDictionary }
        #expect(bodies.map { (($0["params"] as! NSDictionary)["channels"] as! [String]).count } == [50, 50, 20])
        #expect(Set(bodies.map { $0["id"] as! Int }).count == 3)
    }

    @Test func pingIsPublicTest() throws {
        let ping = try #require(venue.pingMessage(now: Date(timeIntervalSince1970: 1_700_000_000)))
        #expect(try StreamFixtures.json(ping) == StreamFixtures.json(
            #"{"jsonrpc":"2.0","id":1700000000000,"method":"public/test","params":{}}"#))
    }

    @Test func malformedFramesThrow() {
        for frame in [
            #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.BTC-PERPETUAL","data":{"timestamp":17655"#,
            #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"quote.BTC-PERPETUAL","data":{"timestamp":1765541767174,"instrument_name":"BTC-PERPETUAL","best_ask_price":92288.5,"best_bid_price":"ninety","best_ask_amount":99470.0,"best_bid_amount":133440.0}}}"#,
            #"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.100ms","data":[{"timestamp":1765531356452,"price":92294.5,"direction":"sell","instrument_name":"BTC-PERPETUAL"}]}}"#,  // no amount
        ] {
            #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(frame.utf8)) }
        }
    }
}
