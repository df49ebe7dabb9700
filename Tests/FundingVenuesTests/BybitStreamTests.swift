import Foundation
import Testing
@testable import FundingVenues

/// Bybit linear stream against the docs' example frames (`Tests/Fixtures/bybit/SOURCE.md`, "Stream frames").
/// The docs publish no `orderbook.1` push (only an `orderbook.50` example with elided levels), so the top-of-book
/// parse is checked on a frame written here from the documented fields, not on a fixture.
@Suite struct BybitStreamTests {
    let venue = BybitAdapter()

    @Test func topOfBookFixtureIsAcknowledgementsOnly() throws {
        let lines = try StreamFixtures.lines("bybit", "stream-top_of_book.jsonl")
        #expect(lines.count == 2)
        for line in lines { #expect(try venue.parseStreamMessage(line) == []) }  // subscribe ack, pong
    }

    @Test func levelOneBookFromTheDocumentedFields() throws {
        // Built here from docs/v5/websocket/public/orderbook.mdx's fields (topic, ts, data.s/b/a/u/seq, cts).
        let frame = #"{"topic":"orderbook.1.BTCUSDT","ts":1672304484978,"type":"snapshot","data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724},"cts":1672304484976}"#
        // bid 16493.50 × 0.006, ask 16611.00 × 0.029; ts 1672304484978 ms = 1672304484.978 s; seq 7961638724
        #expect(try venue.parseStreamMessage(Array(frame.utf8)) == [.topOfBook(TopOfBook(
            dexSymbol: "BTCUSDT", time: Date(timeIntervalSince1970: 1_672_304_484.978),
            bid: 16493.50, bidSize: 0.006, ask: 16611.00, askSize: 0.029, sequence: 7_961_638_724))])
        // An empty side is an empty book side.
        let oneSided = frame.replacingOccurrences(of: #"[["16611.00","0.029"]]"#, with: "[]")
        let book = try #require(try venue.parseStreamMessage(Array(oneSided.utf8)).first)
        #expect(book == .topOfBook(TopOfBook(
            dexSymbol: "BTCUSDT", time: Date(timeIntervalSince1970: 1_672_304_484.978),
            bid: 16493.50, bidSize: 0.006, ask: nil, askSize: nil, sequence: 7_961_638_724)))
    }

    @Test func tradesFixture() throws {
        let lines = try StreamFixtures.lines("bybit", "stream-trades.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack
        // T 1672304486865 ms = 1672304486.865 s; p "16578.50", v "0.001", S "Buy" (taker buy)
        #expect(try venue.parseStreamMessage(lines[1]) == [.trade(PublicTrade(
            dexSymbol: "BTCUSDT", time: Date(timeIntervalSince1970: 1_672_304_486.865),
            price: 16578.50, size: 0.001, takerSide: .buy))])
    }

    @Test func subscribeMessagesAreTheDocumentedForm() throws {
        // Docs ("How to Subscribe to Topics"), without the optional req_id.
        let book = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTCUSDT", "ETHUSDT"])
        #expect(try book.map(JSONValue.init) == [try JSONValue(#"{"op":"subscribe","args":["orderbook.1.BTCUSDT","orderbook.1.ETHUSDT"]}"#)])
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTCUSDT"])
        #expect(try trades.map(JSONValue.init) == [try JSONValue(#"{"op":"subscribe","args":["publicTrade.BTCUSDT"]}"#)])
        #expect(venue.pingMessage(now: Date()).map { try? JSONValue($0) } == (try JSONValue(#"{"op":"ping"}"#)))
    }

    @Test func subscribeBatchesAtTheLimit() throws {
        #expect(venue.streamLimits.symbolsPerMessage == 10)
        let batches = try StreamFixtures.batches(venue, .topOfBook, count: 25) { message in
            try JSONValue(message)["args"]!.strings.map { String($0.dropFirst("orderbook.1.".count)) }
        }
        #expect(batches.map(\.count) == [10, 10, 5])
    }

    @Test func malformedFramesThrow() throws {
        let trade = try StreamFixtures.lines("bybit", "stream-trades.jsonl")[1]
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(StreamFixtures.truncated(trade)) }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(StreamFixtures.replacing(#""p":"16578.50""#, with: #""p":"abc""#, in: trade))
        }
        let book = #"{"topic":"orderbook.1.BTCUSDT","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["x","0.006"]],"a":[],"seq":1}}"#
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(book.utf8)) }
    }

    @Test func aRefusedRequestIsRejected() throws {
        // No failure example is published; built from the documented answer fields (success, ret_msg, op).
        let refusal = #"{"success":false,"ret_msg":"test refusal text","conn_id":"3cd84cb1","req_id":"","op":"subscribe"}"#
        #expect(throws: StreamMessageError.rejected("test refusal text")) {
            try venue.parseStreamMessage(Array(refusal.utf8))
        }
    }
}
