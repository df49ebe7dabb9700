import Foundation
import Testing
@testable import FundingVenues

/// Gate futures stream against the docs' example frames (`Tests/Fixtures/gate/SOURCE.md`, "Stream frames"). The
/// examples name the BTC-settled `BTC_USD`; the USDT-settled pushes this adapter receives have the same shape.
@Suite struct GateStreamTests {
    let venue = GateAdapter()

    @Test func bookTickerFixture() throws {
        let lines = try StreamFixtures.lines("gate", "stream-top_of_book.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack, result.status success
        // b "54696.6" × B 37000, a "54696.7" × A 47061 (contracts); t 1615366379123 ms = 1615366379.123 s;
        // u 2517661076
        #expect(try venue.parseStreamMessage(lines[1]) == [.topOfBook(TopOfBook(
            dexSymbol: "BTC_USD", time: Date(timeIntervalSince1970: 1_615_366_379.123),
            bid: 54696.6, bidSize: 37000, ask: 54696.7, askSize: 47061, sequence: 2_517_661_076))])
        // "If a is empty string, it means empty asks" (its size is then 0).
        let noAsks = StreamFixtures.replacing(#""a":"54696.7","A":47061"#, with: #""a":"","A":0"#, in: lines[1])
        #expect(try venue.parseStreamMessage(noAsks) == [.topOfBook(TopOfBook(
            dexSymbol: "BTC_USD", time: Date(timeIntervalSince1970: 1_615_366_379.123),
            bid: 54696.6, bidSize: 37000, ask: nil, askSize: nil, sequence: 2_517_661_076))])
    }

    @Test func tradesFixture() throws {
        let lines = try StreamFixtures.lines("gate", "stream-trades.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack
        // size -108: 108 contracts, the taker sold; price "96.4"; create_time_ms 1545136464123 = 1545136464.123 s
        #expect(try venue.parseStreamMessage(lines[1]) == [.trade(PublicTrade(
            dexSymbol: "BTC_USD", time: Date(timeIntervalSince1970: 1_545_136_464.123),
            price: 96.4, size: 108, takerSide: .sell))])
    }

    @Test func pongIsIgnored() throws {
        // The docs' futures.pong answer ("Ping and Pong").
        let pong = #"{"time":1545404023,"time_ms":1545404023123,"channel":"futures.pong","event":"","result":null}"#
        #expect(try venue.parseStreamMessage(Array(pong.utf8)) == [])
    }

    @Test func subscribeMessagesAreTheDocumentedForm() throws {
        // {"time":…,"channel":"futures.book_ticker","event":"subscribe","payload":[…]}; `time` is the wall clock.
        let before = Date().timeIntervalSince1970.rounded(.down)
        let message = try #require(try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTC_USDT", "ETH_USDT"]).first)
        guard case .object(var members) = try JSONValue(message), case .number(let time)? = members["time"] else {
            Issue.record("not an object with a numeric time")
            return
        }
        #expect(time >= before && time <= Date().timeIntervalSince1970)
        members["time"] = nil
        #expect(JSONValue.object(members) == (try JSONValue(#"{"channel":"futures.book_ticker","event":"subscribe","payload":["BTC_USDT","ETH_USDT"]}"#)))
        let trades = try #require(try venue.subscribeMessages(.trades, dexSymbols: ["BTC_USDT"]).first)
        #expect(try JSONValue(trades)["channel"] == .string("futures.trades"))
        // Ping: {"time":<now, s>,"channel":"futures.ping"}
        let ping = try #require(venue.pingMessage(now: Date(timeIntervalSince1970: 1_545_404_023)))
        #expect(try JSONValue(ping) == (try JSONValue(#"{"time":1545404023,"channel":"futures.ping"}"#)))
    }

    @Test func subscribeBatchesAtTheLimit() throws {
        let limit = venue.streamLimits.symbolsPerMessage
        let batches = try StreamFixtures.batches(venue, .topOfBook, count: 2 * limit + 5) { try JSONValue($0)["payload"]!.strings }
        #expect(batches.map(\.count) == [limit, limit, 5])
    }

    @Test func malformedFramesThrow() throws {
        let book = try StreamFixtures.lines("gate", "stream-top_of_book.jsonl")[1]
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(StreamFixtures.truncated(book)) }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(StreamFixtures.replacing(#""b":"54696.6""#, with: #""b":"abc""#, in: book))
        }
    }

    @Test func anErrorAnswerIsRejected() throws {
        // The error object as published in Gate's futures.obu announcement (gate.com announcement 44946).
        let error = #"{ "error": { "code": 2, "message": "Alert sub ob.BTC_USDT.50" } }"#
        #expect(throws: StreamMessageError.rejected("code 2: Alert sub ob.BTC_USDT.50")) {
            try venue.parseStreamMessage(Array(error.utf8))
        }
    }
}
