import Foundation
import Testing
@testable import FundingVenues

/// Frames: the KuCoin Futures docs' examples (`Tests/Fixtures/kucoin/SOURCE.md`, "Stream frames"): welcome, ack,
/// pong, a `tickerV2` push and an `execution` (`match`) push, and the `bullet-public` answer.
@Suite struct KuCoinStreamTests {
    let venue = KuCoinAdapter()

    @Test func everyTopOfBookLineParses() throws {
        let lines = try StreamFixtures.lines("kucoin", "stream-top_of_book.jsonl")
        #expect(lines.count == 4)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // welcome
        #expect(try venue.parseStreamMessage(lines[1]).isEmpty)  // ack
        #expect(try venue.parseStreamMessage(lines[3]).isEmpty)  // pong
        let events = try venue.parseStreamMessage(lines[2])
        guard case .topOfBook(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one top of book, got \(events)"); return
        }
        // XBTUSDM: bestBidPrice 3200.00 × bestBidSize 795 lots, bestAskPrice 3600.00 × bestAskSize 284 lots;
        // ts 1553846081210004941 ns = 1553846081.210004941 s; the docs' example has no sequence
        #expect(t.dexSymbol == "XBTUSDM")
        #expect(near(t.bid, 3200) && near(t.bidSize, 795))
        #expect(near(t.ask, 3600) && near(t.askSize, 284))
        #expect(near(t.time.timeIntervalSince1970, 1_553_846_081.210_004_941, 1e-5))
        #expect(t.sequence == nil)
    }

    @Test func everyTradeLineParses() throws {
        let lines = try StreamFixtures.lines("kucoin", "stream-trades.jsonl")
        #expect(lines.count == 3)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // welcome
        #expect(try venue.parseStreamMessage(lines[1]).isEmpty)  // ack
        let events = try venue.parseStreamMessage(lines[2])
        guard case .trade(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one trade, got \(events)"); return
        }
        // side "buy" (the taker), price 3200.00, matchSize 1 lot (size 1 is the unfilled rest);
        // time 1553846281766256031 ns = 1553846281.766256031 s
        #expect(t.dexSymbol == "XBTUSDM" && t.takerSide == .buy)
        #expect(near(t.price, 3200) && near(t.size, 1))
        #expect(near(t.time.timeIntervalSince1970, 1_553_846_281.766_256_031, 1e-5))
    }

    @Test func newerExecutionNamesSizeAndTs() throws {
        // The newer field names (ccxt reads `size` and `ts`); built from that schema, not a venue example.
        let frame = #"{"topic":"/contractMarket/execution:XBTUSDTM","type":"message","subject":"match","data":{"symbol":"XBTUSDTM","sequence":1,"side":"sell","size":7,"price":"91000.5","tradeId":"1","ts":1731898619520000000}}"#
        guard case .trade(let t) = try #require(try venue.parseStreamMessage(Array(frame.utf8)).first) else {
            Issue.record("no trade"); return
        }
        // size 7 lots, price "91000.5", side sell, ts 1731898619520000000 ns = 1731898619.52 s
        #expect(t.takerSide == .sell && near(t.size, 7) && near(t.price, 91000.5))
        #expect(near(t.time.timeIntervalSince1970, 1_731_898_619.52, 1e-5))
    }

    @Test func aSequenceIsKept() throws {
        // tickerV2 as sent live carries `sequence` (schema as in ccxt's comment; values made up)
        let frame = #"{"topic":"/contractMarket/tickerV2:XBTUSDTM","type":"message","subject":"tickerV2","sn":1700700374286,"data":{"symbol":"XBTUSDTM","sequence":1700700374286,"bestBidSize":1320,"bestBidPrice":"65941.4","bestAskPrice":"65941.5","bestAskSize":275,"ts":1712170829821000000}}"#
        guard case .topOfBook(let t) = try #require(try venue.parseStreamMessage(Array(frame.utf8)).first) else {
            Issue.record("no top of book"); return
        }
        #expect(t.sequence == 1_700_700_374_286)
        #expect(near(t.bid, 65941.4) && near(t.ask, 65941.5))
    }

    @Test func subscribeIsTheDocumentedFormInBatches() throws {
        // The docs' example: {"id": 1545910660740, "type": "subscribe", "topic": "/contractMarket/tickerV2:XBTUSDM",
        // "response": true}; the id is the client's choice, so it is compared apart.
        let one = try venue.subscribeMessages(.topOfBook, dexSymbols: ["XBTUSDM"])
        #expect(one.count == 1)
        #expect(try StreamFixtures.json(one[0], without: "id") == StreamFixtures.json(
            #"{"id": 1545910660740, "type": "subscribe", "topic": "/contractMarket/tickerV2:XBTUSDM", "response": true}"#,
            without: "id"))
        #expect((try StreamFixtures.json(one[0]) as! NSDictionary)["id"] is NSNumber)
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["XBTUSDM"])
        #expect(try StreamFixtures.json(trades[0], without: "id") == StreamFixtures.json(
            #"{"id": 1545910660741, "type": "subscribe", "topic": "/contractMarket/execution:XBTUSDM", "response": true}"#,
            without: "id"))
        // 120 symbols with a limit of 50 per message: 3 messages of 50, 50 and 20 comma-joined symbols
        let symbols = (1...120).map { "S\($0)USDTM" }
        let batches = try venue.subscribeMessages(.topOfBook, dexSymbols: symbols)
        #expect(venue.streamLimits.symbolsPerMessage == 50)
        #expect(batches.count == 3)
        let topics = try batches.map { (try StreamFixtures.json($0) as! NSDictionary)["topic"] as! String }
        #expect(topics.map { $0.dropFirst("/contractMarket/tickerV2:".count).split(separator: ",").count } == [50, 50, 20])
        #expect(topics[2] == "/contractMarket/tickerV2:" + symbols[100...].joined(separator: ","))
        let ids = try batches.map { (try StreamFixtures.json($0) as! NSDictionary)["id"] as! Int }
        #expect(Set(ids).count == 3)
    }

    @Test func endpointFromTheBulletAnswer() async throws {
        let client = RecordingPostClient(answer: Array(try Fixtures.data("kucoin", "bullet-public.json")))
        let endpoint = try await venue.streamEndpoint(client: client, restBaseURL: "https://api-futures.kucoin.com")
        let requests = await client.requests
        #expect(requests.map(\.path) == ["/api/v1/bullet-public"])
        #expect(requests.map(\.baseURL) == ["https://api-futures.kucoin.com"])
        // endpoint "wss://push.kucoin.com/endpoint", the docs' token, a fresh connectId; pingInterval 50000 ms
        let prefix = "wss://push.kucoin.com/endpoint?token=vYNlCtbz4XNJ1QncwWilJnBtmmfe4geLQDUA62kKJsDChc6I4bRDQc73JfIrlFaVYIAE0Gv2--MROnLAgjVsWkcDq_MuG7qV7EktfCEIphiqnlfpQn4Ybg==.IoORVxR2LmKV7_maOR9xOg==&connectId="
        #expect(endpoint.url.hasPrefix(prefix))
        #expect(endpoint.url.count > prefix.count)
        #expect(endpoint.pingInterval == .milliseconds(50_000))
    }

    @Test func aFailedBulletAnswerThrows() async {
        let client = RecordingPostClient(answer: Array(#"{"code":"400100","msg":"Parameter Error"}"#.utf8))
        await #expect(throws: VenuePayloadError.self) {
            try await venue.streamEndpoint(client: client, restBaseURL: "https://api-futures.kucoin.com")
        }
    }

    @Test func pingCarriesAnId() throws {
        let ping = try #require(venue.pingMessage(now: Date(timeIntervalSince1970: 1_545_910_590.801)))
        // the docs' example: {"id":"1545910590801","type":"ping"}
        #expect(try StreamFixtures.json(ping) == StreamFixtures.json(#"{"id":"1545910590801","type":"ping"}"#))
    }

    @Test func malformedFramesThrow() {
        for frame in [
            #"{"subject":"tickerV2","topic":"/contractMarket/tickerV2:XBTUSDM","data":{"symbol":"XBTUSDM","bestBid"#,
            #"{"subject":"tickerV2","topic":"/contractMarket/tickerV2:XBTUSDM","data":{"symbol":"XBTUSDM","bestBidSize":795,"bestBidPrice":"abc","bestAskPrice":3600.00,"bestAskSize":284,"ts":1553846081210004941}}"#,
            #"{"subject":"tickerV2","topic":"/contractMarket/tickerV2:XBTUSDM","data":{"symbol":"XBTUSDM","bestBidPrice":3200}}"#,  // no ts
            #"{"subject":"match","topic":"/contractMarket/execution:XBTUSDM","data":{"symbol":"XBTUSDM","side":"buy","price":3200.00,"time":1553846281766256031}}"#,  // no size
        ] {
            #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(frame.utf8)) }
        }
    }

    @Test func anErrorAnswerIsRejected() {
        // Shape read from ccxt (the docs mention error messages without an example)
        let frame = #"{"id":"1545910660740","type":"error","code":404,"data":"topic /contractMarket/tickerV2:NOPE is not found"}"#
        #expect(throws: StreamMessageError.rejected("code 404: topic /contractMarket/tickerV2:NOPE is not found")) {
            try venue.parseStreamMessage(Array(frame.utf8))
        }
    }
}
