import Foundation
import FundingCore
import FundingIngest
import FundingVenues
import Testing

/// Trade flow in the `PriceBook`: taker trades summed per market and minute, replays not counted twice.
@Suite struct TradeFlowBookTests {
    /// 2027-01-15T08:00:00Z, a whole minute.
    static let minute = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 60))

    static func trade(_ seconds: Double, _ price: Double, _ size: Double, _ side: PublicTrade.Side?,
                      symbol: String = "BTCUSDT") -> StreamEvent {
        .trade(PublicTrade(dexSymbol: symbol, time: minute.addingTimeInterval(seconds), price: price, size: size,
                           takerSide: side))
    }

    @Test("sums taker buys and sells per minute; the first message only starts the count; replays and sideless trades are left out")
    func sumsPerMinute() {
        let book = PriceBook()
        // The first message (a venue's replay of recent trades on subscribing) sets where counting starts.
        book.apply(dex: "binance", events: [Self.trade(1, 100, 9, .buy)], receivedAt: Self.minute, countTrades: true)
        #expect(book.drainTradeFlow().isEmpty)
        // Minute 0: buys 2 @ 100 and 1 @ 101 (two trades in one message at the same time), a sell 0.5 @ 99.
        book.apply(dex: "binance", events: [Self.trade(5, 100, 2, .buy), Self.trade(5, 101, 1, .buy)],
                   receivedAt: Self.minute, countTrades: true)
        book.apply(dex: "binance", events: [Self.trade(30, 99, 0.5, .sell), Self.trade(31, 99, 7, nil)],
                   receivedAt: Self.minute, countTrades: true)
        // A reconnect replays trades already counted (at or before second 31): not counted again.
        book.apply(dex: "binance", events: [Self.trade(5, 100, 2, .buy), Self.trade(31, 99, 3, .sell)],
                   receivedAt: Self.minute, countTrades: true)
        // Minute 1: a sell 4 @ 98.
        book.apply(dex: "binance", events: [Self.trade(61, 98, 4, .sell)], receivedAt: Self.minute, countTrades: true)
        let flows = book.drainTradeFlow().sorted { $0.minute < $1.minute }
        #expect(flows.count == 2)
        #expect(flows[0].minute == Self.minute && flows[1].minute == Self.minute.addingTimeInterval(60))
        #expect(flows[0].buySize == 3 && flows[0].buyNotional == 2 * 100 + 1 * 101 && flows[0].buyTrades == 2)
        #expect(flows[0].sellSize == 0.5 && flows[0].sellNotional == 49.5 && flows[0].sellTrades == 1)
        #expect(flows[1].sellSize == 4 && flows[1].sellNotional == 392 && flows[1].buyTrades == 0)
        #expect(book.drainTradeFlow().isEmpty)
        // Every trade still set the last price.
        #expect(book.latest(dex: "binance", dexSymbol: "BTCUSDT")?.last == 98)
    }

    @Test("a venue whose sizes are venue contracts counts nothing; a failed write's flow comes back added to the new")
    func notCountedAndRestored() {
        let book = PriceBook()
        book.apply(dex: "okx", events: [Self.trade(1, 100, 1, .buy, symbol: "BTC-USDT-SWAP")], receivedAt: Self.minute)
        book.apply(dex: "okx", events: [Self.trade(2, 100, 1, .buy, symbol: "BTC-USDT-SWAP")], receivedAt: Self.minute)
        #expect(book.drainTradeFlow().isEmpty)
        #expect(book.latest(dex: "okx", dexSymbol: "BTC-USDT-SWAP")?.last == 100)

        book.apply(dex: "bybit", events: [Self.trade(1, 10, 1, .buy)], receivedAt: Self.minute, countTrades: true)
        book.apply(dex: "bybit", events: [Self.trade(2, 10, 1, .buy)], receivedAt: Self.minute, countTrades: true)
        let failed = book.drainTradeFlow()
        book.apply(dex: "bybit", events: [Self.trade(3, 12, 2, .buy)], receivedAt: Self.minute, countTrades: true)
        book.restoreTradeFlow(failed)
        let again = book.drainTradeFlow()
        #expect(again.count == 1)
        #expect(again.first?.buySize == 3 && again.first?.buyNotional == 34 && again.first?.buyTrades == 2)
    }

    @Test("a trade of at least the discovery notional hands its accounts out once; smaller ones and a book without a floor none")
    func discovery() {
        func trade(_ price: Double, _ size: Double, _ users: [String]) -> StreamEvent {
            .trade(PublicTrade(dexSymbol: "BTC", time: Self.minute, price: price, size: size, takerSide: .buy,
                               participants: users))
        }
        let book = PriceBook(discoverAbove: 100_000)
        // 100,000 x 1 reaches the floor; 99,999 x 1 does not.
        book.apply(dex: "hyperliquid", events: [trade(100_000, 1, ["0xa", "0xb"]), trade(99_999, 1, ["0xc", "0xd"])],
                   receivedAt: Self.minute)
        #expect(book.drainDiscovered() == ["0xa", "0xb"])
        #expect(book.drainDiscovered().isEmpty)
        let off = PriceBook()
        off.apply(dex: "hyperliquid", events: [trade(1e9, 1, ["0xa", "0xb"])], receivedAt: Self.minute)
        #expect(off.drainDiscovered().isEmpty)
    }

    @Test("the venues whose trade sizes are price units are the ones documented so")
    func venueDeclarations() {
        let counted = Venues.all.compactMap { $0 as? any LiveStreamSource }.filter { $0.tradeSizes == .priceUnits }
            .map { type(of: $0).descriptor.name }.sorted()
        #expect(counted == ["binance", "bitget", "bybit", "hyperliquid", "phemex"])
    }
}
