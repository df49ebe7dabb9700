import Foundation
import Testing
@testable import FundingVenues

/// MEXC contract stream against the docs' example frames (`Tests/Fixtures/mexc/SOURCE.md`, "Stream frames").
@Suite struct MEXCStreamTests {
    let venue = MEXCAdapter()

    @Test func tickerFixture() throws {
        let lines = try StreamFixtures.lines("mexc", "stream-top_of_book.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // pong
        // bid1 6865, ask1 6866.5 (no sizes on this channel); lastPrice 6865.5, fairPrice 6867.4;
        // data.timestamp 1587442022003 ms = 1587442022.003 s
        let time = Date(timeIntervalSince1970: 1_587_442_022.003)
        #expect(try venue.parseStreamMessage(lines[1]) == [
            .topOfBook(TopOfBook(dexSymbol: "BTC_USDT", time: time, bid: 6865, bidSize: nil, ask: 6866.5, askSize: nil)),
            .price(PriceTick(dexSymbol: "BTC_USDT", time: time, last: 6865.5, mark: 6867.4)),
        ])
    }

    @Test func dealFixture() throws {
        let lines = try StreamFixtures.lines("mexc", "stream-trades.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // rs.sub.deal success
        // p 6866.5, v 2096 contracts, T 1 (buy); t 1587442049632 ms = 1587442049.632 s
        let deal = PublicTrade(dexSymbol: "BTC_USDT", time: Date(timeIntervalSince1970: 1_587_442_049.632),
                               price: 6866.5, size: 2096, takerSide: .buy)
        #expect(try venue.parseStreamMessage(lines[1]) == [.trade(deal)])
        // The same deal in a `data` array (the form newer pushes use) reads the same.
        let array = StreamFixtures.replacing(#""data":{"M":1,"O":1,"T":1,"p":6866.5,"t":1587442049632,"v":2096}"#,
                                             with: #""data":[{"M":1,"O":1,"T":1,"p":6866.5,"t":1587442049632,"v":2096}]"#,
                                             in: lines[1])
        #expect(try venue.parseStreamMessage(array) == [.trade(deal)])
    }

    @Test func subscribeMessagesAreTheDocumentedForm() throws {
        // Docs: {"method":"sub.ticker","param":{"symbol":"BTC_USDT"}} and sub.deal; one market per message.
        let book = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTC_USDT", "ETH_USDT"])
        #expect(try book.map(JSONValue.init) == [
            try JSONValue(#"{"method":"sub.ticker","param":{"symbol":"BTC_USDT"}}"#),
            try JSONValue(#"{"method":"sub.ticker","param":{"symbol":"ETH_USDT"}}"#),
        ])
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTC_USDT"])
        #expect(try trades.map(JSONValue.init) == [try JSONValue(#"{"method":"sub.deal","param":{"symbol":"BTC_USDT"}}"#)])
        #expect(venue.pingMessage(now: Date()).map { try? JSONValue($0) } == (try JSONValue(#"{"method":"ping"}"#)))
    }

    @Test func subscribeBatchesAtTheLimit() throws {
        #expect(venue.streamLimits.symbolsPerMessage == 1)
        let batches = try StreamFixtures.batches(venue, .trades, count: 7) { message in
            try JSONValue(message)["param"]?["symbol"]?.strings ?? []
        }
        #expect(batches.count == 7)
    }

    @Test func malformedFramesThrow() throws {
        let ticker = try StreamFixtures.lines("mexc", "stream-top_of_book.jsonl")[1]
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(StreamFixtures.truncated(ticker)) }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(StreamFixtures.replacing(#""bid1":6865"#, with: #""bid1":"abc""#, in: ticker))
        }
    }

    @Test func anErrorAnswerIsRejected() throws {
        // The docs' "subscribe failed response" ("How is depth information maintained").
        let error = #"{"channel":"rs.error","data":"Contract doesn't exist!","ts":"1587442022003"}"#
        #expect(throws: StreamMessageError.rejected("Contract doesn't exist!")) {
            try venue.parseStreamMessage(Array(error.utf8))
        }
    }
}
