import Foundation
import Testing
@testable import FundingVenues

/// OKX tickers / trades stream against the example frames in `Tests/Fixtures/okx/SOURCE.md` ("Stream frames"):
/// OKX's docs examples as carried by JKorf/OKX.Net. They are the docs' **spot** examples (`BTC-USDT`); a swap
/// push has the same fields with a `-SWAP` instrument and sizes in contracts.
@Suite struct OKXStreamTests {
    let venue = OKXAdapter()

    @Test func tickersFixture() throws {
        let lines = try StreamFixtures.lines("okx", "stream-top_of_book.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack
        // bidPx "8888.88" × bidSz "5", askPx "9999.99" × askSz "11", last "9999.99";
        // ts "1597026383085" ms = 1597026383.085 s
        let time = Date(timeIntervalSince1970: 1_597_026_383.085)
        #expect(try venue.parseStreamMessage(lines[1]) == [
            .topOfBook(TopOfBook(dexSymbol: "BTC-USDT", time: time, bid: 8888.88, bidSize: 5, ask: 9999.99, askSize: 11)),
            .price(PriceTick(dexSymbol: "BTC-USDT", time: time, last: 9999.99, mark: nil)),
        ])
        #expect(try venue.parseStreamMessage(Array("pong".utf8)) == [])
    }

    @Test func tradesFixture() throws {
        let lines = try StreamFixtures.lines("okx", "stream-trades.jsonl")
        #expect(lines.count == 2)
        #expect(try venue.parseStreamMessage(lines[0]) == [])  // subscribe ack
        // px "42219.9", sz "0.12060306", side "buy" (taker); ts "1630048897897" ms = 1630048897.897 s
        #expect(try venue.parseStreamMessage(lines[1]) == [.trade(PublicTrade(
            dexSymbol: "BTC-USDT", time: Date(timeIntervalSince1970: 1_630_048_897.897),
            price: 42219.9, size: 0.12060306, takerSide: .buy))])
    }

    @Test func subscribeMessagesAreTheDocumentedForm() throws {
        // The request line of JKorf/OKX.Net's Ticker.txt / Trades.txt, with a swap instrument.
        let book = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTC-USDT-SWAP"])
        #expect(try book.map(JSONValue.init) == [try JSONValue(#"{"op":"subscribe","args":[{"channel":"tickers","instId":"BTC-USDT-SWAP"}]}"#)])
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTC-USDT-SWAP", "ETH-USDT-SWAP"])
        #expect(try trades.map(JSONValue.init) == [try JSONValue(#"{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT-SWAP"},{"channel":"trades","instId":"ETH-USDT-SWAP"}]}"#)])
        #expect(venue.pingMessage(now: Date()) == Array("ping".utf8))
    }

    @Test func subscribeBatchesAtTheLimit() throws {
        let limit = venue.streamLimits.symbolsPerMessage
        let batches = try StreamFixtures.batches(venue, .trades, count: 2 * limit + 5) { message in
            guard case .array(let args) = try JSONValue(message)["args"] else { return [] }
            return args.flatMap { $0["instId"]?.strings ?? [] }
        }
        #expect(batches.map(\.count) == [limit, limit, 5])
    }

    @Test func malformedFramesThrow() throws {
        let ticker = try StreamFixtures.lines("okx", "stream-top_of_book.jsonl")[1]
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(StreamFixtures.truncated(ticker)) }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(StreamFixtures.replacing(#""bidPx":"8888.88""#, with: #""bidPx":"abc""#, in: ticker))
        }
    }

    @Test func anErrorEventIsRejected() throws {
        // Built from the documented error answer fields (event "error", code, msg, connId).
        let error = #"{"event":"error","code":"60012","msg":"Invalid request","connId":"a4d3ae55"}"#
        #expect(throws: StreamMessageError.rejected("code 60012: Invalid request")) {
            try venue.parseStreamMessage(Array(error.utf8))
        }
    }
}
