import Foundation
import Testing
@testable import FundingVenues

/// Frames: the Phemex docs' examples (`Tests/Fixtures/phemex/SOURCE.md`, "Stream frames"): subscribe and ping
/// answers, the 24 h pack in its older (12 columns) and current (14 columns, with `bidRp` / `askRp`; the docs'
/// sample lacks the commas between a row's values, restored) form, and a trade snapshot and increment.
@Suite struct PhemexStreamTests {
    let venue = PhemexAdapter()

    func tops(_ events: [StreamEvent]) -> [TopOfBook] {
        events.compactMap { e -> TopOfBook? in
            if case .topOfBook(let t) = e { return t } else { return nil }
        }
    }

    func ticks(_ events: [StreamEvent]) -> [PriceTick] {
        events.compactMap { e -> PriceTick? in
            if case .price(let p) = e { return p } else { return nil }
        }
    }

    @Test func everyTopOfBookLineParses() throws {
        let lines = try StreamFixtures.lines("phemex", "stream-top_of_book.jsonl")
        #expect(lines.count == 4)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // subscribe answer
        #expect(try venue.parseStreamMessage(lines[3]).isEmpty)  // pong
        // timestamp 1666862556850547000 ns = 1666862556.850547 s for every row of both packs
        let time = 1_666_862_556.850_547

        // older columns: no bidRp / askRp, so price ticks only
        let old = try venue.parseStreamMessage(lines[1])
        #expect(tops(old).isEmpty)
        let oldTicks = ticks(old)
        // ETHUSDT lastRp "1547.52" markRp "1548.44513153"; BTCUSDT lastRp "20626.3" markRp "20643.52572781"
        #expect(oldTicks.map(\.dexSymbol) == ["ETHUSDT", "BTCUSDT"])
        #expect(near(oldTicks[0].last, 1547.52) && near(oldTicks[0].mark, 1548.44513153))
        #expect(near(oldTicks[1].last, 20626.3) && near(oldTicks[1].mark, 20643.52572781))
        #expect(oldTicks.allSatisfy { near($0.time.timeIntervalSince1970, time, 1e-5) })

        // current columns: bid and ask (no sizes in the pack) and the price tick
        let new = try venue.parseStreamMessage(lines[2])
        let newTops = tops(new), newTicks = ticks(new)
        // ETHUSDT bidRp "2672.91" askRp "2672.92", lastRp "2672.37" markRp "2672.68";
        // BTCUSDT bidRp "62799.9" askRp "62800", lastRp "62799.9" markRp "62806.9"
        #expect(newTops.map(\.dexSymbol) == ["ETHUSDT", "BTCUSDT"])
        #expect(near(newTops[0].bid, 2672.91) && near(newTops[0].ask, 2672.92))
        #expect(near(newTops[1].bid, 62799.9) && near(newTops[1].ask, 62800))
        #expect(newTops.allSatisfy { $0.bidSize == nil && $0.askSize == nil && $0.sequence == nil })
        #expect(newTops.allSatisfy { near($0.time.timeIntervalSince1970, time, 1e-5) })
        #expect(near(newTicks[0].last, 2672.37) && near(newTicks[0].mark, 2672.68))
        #expect(near(newTicks[1].last, 62799.9) && near(newTicks[1].mark, 62806.9))
    }

    @Test func everyTradeLineParses() throws {
        let lines = try StreamFixtures.lines("phemex", "stream-trades.jsonl")
        #expect(lines.count == 3)
        #expect(try venue.parseStreamMessage(lines[0]).isEmpty)  // subscribe answer
        #expect(try venue.parseStreamMessage(lines[1]).isEmpty)  // snapshot of earlier trades: not counted
        let events = try venue.parseStreamMessage(lines[2])
        guard case .trade(let t) = try #require(events.first), events.count == 1 else {
            Issue.record("expected one trade, got \(events)"); return
        }
        // BTCUSDT [1666856076819029800 ns, "Sell", "20700.3", "0.649"]: 1666856076.8190298 s, taker sold 0.649 BTC
        #expect(t.dexSymbol == "BTCUSDT" && t.takerSide == .sell)
        #expect(near(t.price, 20700.3) && near(t.size, 0.649))
        #expect(near(t.time.timeIntervalSince1970, 1_666_856_076.819_029_8, 1e-5))
    }

    @Test func theTableSideNamesAreReadToo() throws {
        // the docs' table names the side `bid` / `ask`; its sample writes `Buy` / `Sell`
        let frame = #"{"sequence":1,"symbol":"ETHUSDT","trades_p":[[1666856076819029800,"bid","1500.5","2"]],"type":"incremental"}"#
        guard case .trade(let t) = try #require(try venue.parseStreamMessage(Array(frame.utf8)).first) else {
            Issue.record("no trade"); return
        }
        #expect(t.takerSide == .buy)
    }

    @Test func subscribeIsTheDocumentedForm() throws {
        // The docs' samples: {"id": 1234, "method": "trade_p.subscribe", "params": ["BTCUSDT"]} and
        // {"method": "perp_market24h_pack_p.subscribe", "params": [], "id": 1234}; ids are the client's choice
        let trades = try venue.subscribeMessages(.trades, dexSymbols: ["BTCUSDT"])
        #expect(try StreamFixtures.json(trades[0], without: "id") == StreamFixtures.json(
            #"{"id": 1234, "method": "trade_p.subscribe", "params": ["BTCUSDT"]}"#, without: "id"))
        let pack = try venue.subscribeMessages(.topOfBook, dexSymbols: ["BTCUSDT", "ETHUSDT"])
        #expect(pack.count == 1)  // one subscription covers every symbol
        #expect(try StreamFixtures.json(pack[0], without: "id") == StreamFixtures.json(
            #"{"method": "perp_market24h_pack_p.subscribe", "params": [], "id": 1234}"#, without: "id"))
        #expect(try venue.subscribeMessages(.topOfBook, dexSymbols: []).isEmpty)
        // 25 symbols with a limit of 1 per message: 25 messages with distinct ids
        let batches = try venue.subscribeMessages(.trades, dexSymbols: (1...25).map { "S\($0)USDT" })
        #expect(venue.streamLimits.symbolsPerMessage == 1 && venue.streamLimits.symbolsPerConnection == 20)
        #expect(batches.count == 25)
        #expect(Set(try batches.map { (try StreamFixtures.json($0) as! NSDictionary)["id"] as! Int }).count == 25)
    }

    @Test func pingIsServerPing() throws {
        let ping = try #require(venue.pingMessage(now: Date(timeIntervalSince1970: 1_700_000_000)))
        #expect(try StreamFixtures.json(ping, without: "id") == StreamFixtures.json(
            #"{"id": 0, "method": "server.ping", "params": []}"#, without: "id"))
    }

    @Test func malformedFramesThrow() {
        for frame in [
            #"{"sequence":77702250,"symbol":"BTCUSDT","trades_p":[[1666856076819029800,"Sell","20700.3""#,
            #"{"sequence":77702250,"symbol":"BTCUSDT","trades_p":[[1666856076819029800,"Sell","price","0.649"]],"type":"incremental"}"#,
            #"{"data":[["BTCUSDT","62799.9","62800"]],"fields":["symbol","bidRp","askRp"],"method":"perp_market24h_pack_p.update","timestamp":1666862556850547000,"type":"snapshot"}"#.replacingOccurrences(of: "62799.9", with: "bid"),
            #"{"data":[["BTCUSDT","62799.9"]],"fields":["symbol","bidRp","askRp"],"method":"perp_market24h_pack_p.update","timestamp":1666862556850547000,"type":"snapshot"}"#,  // short row
            #"{"data":[["BTCUSDT","62799.9","62800"]],"fields":["symbol","bidRp","askRp"],"method":"perp_market24h_pack_p.update","type":"snapshot"}"#,  // no timestamp
        ] {
            #expect(throws: (any Error).self) { try venue.parseStreamMessage(Array(frame.utf8)) }
        }
    }

    @Test func anErrorAnswerIsRejected() {
        // No documented example; the {code, message} shape is read from client libraries, values made up
        let frame = #"{"error":{"code":6001,"message":"invalid argument"},"id":1234,"result":null}"#
        #expect(throws: StreamMessageError.rejected("error 6001: invalid argument")) {
            try venue.parseStreamMessage(Array(frame.utf8))
        }
    }
}
