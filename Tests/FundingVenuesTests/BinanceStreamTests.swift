import Foundation
import Testing
@testable import FundingVenues

/// Binance USDⓈ-M stream frames: the documented examples in `Tests/Fixtures/binance-usdm/stream-*.jsonl`.
@Suite struct BinanceStreamTests {
    let venue = BinanceAdapter()

    static func lines(_ file: String) throws -> [[UInt8]] {
        try String(decoding: Fixtures.data("binance-usdm", file), as: UTF8.self)
            .split(separator: "\n").map { Array($0.utf8) }
    }

    @Test func bookTickerFrames() throws {
        let lines = try Self.lines("stream-top_of_book.jsonl")
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // {"result":null,"id":1}
        let events = try venue.parseStreamMessage(lines[1])
        guard case .topOfBook(let top) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one top of book, got \(events)")
            return
        }
        #expect(top.dexSymbol == "BNBUSDT")
        #expect(top.bid == 25.3519)       // "b":"25.35190000"
        #expect(top.bidSize == 31.21)     // "B":"31.21000000"
        #expect(top.ask == 25.3652)       // "a":"25.36520000"
        #expect(top.askSize == 40.66)     // "A":"40.66000000"
        #expect(top.sequence == 400_900_217)  // "u"
        // "T":1568014460891 ms (transaction time, preferred to "E")
        #expect(top.time == Date(timeIntervalSince1970: 1_568_014_460.891))
    }

    @Test func aggTradeFrames() throws {
        let lines = try Self.lines("stream-trades.jsonl")
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)
        let events = try venue.parseStreamMessage(lines[1])
        guard case .trade(let trade) = try #require(events.first) else {
            Issue.record("expected a trade, got \(events)")
            return
        }
        #expect(trade.dexSymbol == "BTCUSDT")
        #expect(trade.price == 0.001)   // "p":"0.001"
        #expect(trade.size == 100)      // "q":"100"
        #expect(trade.takerSide == .sell)  // "m":true: the buyer was the maker, so the seller took
        #expect(trade.time == Date(timeIntervalSince1970: 123_456.785))  // "T":123456785 ms
    }

    @Test func combinedStreamWrapperIsUnwrapped() throws {
        let line = try Self.lines("stream-top_of_book.jsonl")[1]
        let wrapped = Array(#"{"stream":"bnbusdt@bookTicker","data":"#.utf8) + line + Array("}".utf8)
        #expect(try venue.parseStreamMessage(wrapped) == venue.parseStreamMessage(line))
    }

    @Test func subscribeMessagesBatchFiftyStreams() throws {
        let symbols = (1...120).map { "S\($0)USDT" }
        let messages = try venue.subscribeMessages(.topOfBook, dexSymbols: symbols)
        #expect(messages.count == 3)  // 50 + 50 + 20
        let first = try #require(try JSONSerialization.jsonObject(with: Data(messages[0])) as? [String: Any])
        #expect(first["method"] as? String == "SUBSCRIBE")
        #expect((first["params"] as? [String])?.first == "s1usdt@bookTicker")
        #expect((first["params"] as? [String])?.count == 50)
        #expect(first["id"] as? Int == 1)
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTCUSDT"])
        #expect(String(decoding: trades[0], as: UTF8.self) == #"{"id":1,"method":"SUBSCRIBE","params":["btcusdt@aggTrade"]}"#)
    }

    @Test func channelsAreRoutedToTheirEndpoints() async throws {
        let book = try await venue.streamEndpoint(for: .topOfBook, client: Fixtures.client("binance"), restBaseURL: "")
        let trades = try await venue.streamEndpoint(for: .trades, client: Fixtures.client("binance"), restBaseURL: "")
        #expect(book.url == "wss://fstream.binance.com/public/ws")
        #expect(trades.url == "wss://fstream.binance.com/market/ws")
    }

    @Test func errorsAndMalformedFrames() throws {
        #expect(throws: StreamMessageError.rejected("code 2: Invalid request: unknown variable")) {
            try venue.parseStreamMessage(Array(#"{"code":2,"msg":"Invalid request: unknown variable","id":1}"#.utf8))
        }
        #expect(throws: StreamMessageError.self) {
            try venue.parseStreamMessage(Array(#"{"error":{"code":0,"msg":"Unknown property"},"id":1}"#.utf8))
        }
        #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(#"{"e":"bookTicker","s":"BTC"#.utf8)) }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(Array(#"{"e":"bookTicker","s":"BTCUSDT","b":"abc","a":"1","T":1}"#.utf8))
        }
        #expect(throws: (any Error).self) {
            try venue.parseStreamMessage(Array(#"{"e":"bookTicker","s":"BTCUSDT","T":1}"#.utf8))
        }
    }
}
