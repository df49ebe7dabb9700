import Foundation
import Testing
@testable import FundingVenues

/// Bitget futures ticker / trade stream against the example frames in `Tests/Fixtures/bitget/SOURCE.md`
/// ("Stream frames"): Bitget's v2 docs examples as carried by JKorf/Bitget.Net.
@Suite struct BitgetStreamTests {
    let venue = BitgetAdapter()

    @Test func tickerFixture() throws {
        let lines = try StreamFixtures.lines("bitget", "stream-top_of_book.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack
        // bidPr "27000" × bidSz "2.71", askPr "27000.5" × askSz "8.76"; lastPr "27000.5", markPrice "27000.0";
        // row ts "1695715383021" ms = 1695715383.021 s
        let time = Date(timeIntervalSince1970: 1_695_715_383.021)
        #expect(try venue.parseStreamMessage(lines[1]) == [
            .topOfBook(TopOfBook(dexSymbol: "BTCUSDT", time: time, bid: 27000, bidSize: 2.71, ask: 27000.5, askSize: 8.76)),
            .price(PriceTick(dexSymbol: "BTCUSDT", time: time, last: 27000.5, mark: 27000.0)),
        ])
        #expect(try venue.parseStreamMessage(Array("pong".utf8)) == [])
    }

    @Test func tradesFixture() throws {
        let lines = try StreamFixtures.lines("bitget", "stream-trades.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack
        // two rows: ts "1695716760565" = 1695716760.565 s, 27000.5 × 0.001 buy; ts "1695716759514" = 1695716759.514 s,
        // 27000.0 × 0.001 sell; the market is arg.instId BTCUSDT
        #expect(try venue.parseStreamMessage(lines[1]) == [
            .trade(PublicTrade(dexSymbol: "BTCUSDT", time: Date(timeIntervalSince1970: 1_695_716_760.565),
                               price: 27000.5, size: 0.001, takerSide: .buy)),
            .trade(PublicTrade(dexSymbol: "BTCUSDT", time: Date(timeIntervalSince1970: 1_695_716_759.514),
                               price: 27000.0, size: 0.001, takerSide: .sell)),
        ])
    }

    @Test func subscribeMessagesAreTheDocumentedForm() throws {
        // The request line of JKorf/Bitget.Net's Ticker.txt; the product type follows the market name.
        let book = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTCUSDT", "BTCPERP", "BTCUSD"])
        #expect(try book.map(JSONValue.init) == [try JSONValue(#"{"op":"subscribe","args":[{"instType":"USDT-FUTURES","channel":"ticker","instId":"BTCUSDT"},{"instType":"USDC-FUTURES","channel":"ticker","instId":"BTCPERP"},{"instType":"COIN-FUTURES","channel":"ticker","instId":"BTCUSD"}]}"#)])
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTCUSDT"])
        #expect(try trades.map(JSONValue.init) == [try JSONValue(#"{"op":"subscribe","args":[{"instType":"USDT-FUTURES","channel":"trade","instId":"BTCUSDT"}]}"#)])
        #expect(venue.pingMessage(now: Date()) == Array("ping".utf8))
    }

    @Test func subscribeBatchesAtTheLimit() throws {
        let limit = venue.streamLimits.symbolsPerMessage
        let batches = try StreamFixtures.batches(venue, .topOfBook, count: 2 * limit + 5) { message in
            guard case .array(let args) = try JSONValue(message)["args"] else { return [] }
            return args.flatMap { $0["instId"]?.strings ?? [] }
        }
        #expect(batches.map(\.count) == [limit, limit, 5])
    }

    @Test func malformedFramesThrow() throws {
        let ticker = try StreamFixtures.lines("bitget", "stream-top_of_book.jsonl")[1]
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(StreamFixtures.truncated(ticker)) }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(StreamFixtures.replacing(#""bidPr":"27000""#, with: #""bidPr":"abc""#, in: ticker))
        }
    }

    @Test func anErrorEventIsRejected() throws {
        // Built from the documented error answer fields (event "error", code, msg).
        let error = #"{"event":"error","code":30001,"msg":"instType:USDT-FUTURES,channel:ticker,instId:NOPEUSDT doesn't exist"}"#
        #expect(throws: StreamMessageError.rejected("code 30001: instType:USDT-FUTURES,channel:ticker,instId:NOPEUSDT doesn't exist")) {
            try venue.parseStreamMessage(Array(error.utf8))
        }
    }
}
