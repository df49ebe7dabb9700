import Foundation
import FundingCore
import FundingIngest
import FundingVenues
import Logging
import Synchronization
import Testing

@Suite struct PriceBookTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func top(_ symbol: String, bid: Double?, ask: Double?, sequence: Int64? = nil, at t: Double = 0) -> StreamEvent {
        .topOfBook(TopOfBook(dexSymbol: symbol, time: t0.addingTimeInterval(t), bid: bid, bidSize: 1, ask: ask,
                             askSize: 2, sequence: sequence))
    }

    @Test func mergesEventsPerMarketAndDrainsOnlyChangedOnes() {
        let book = PriceBook()
        book.apply(dex: "binance", events: [Self.top("BTCUSDT", bid: 100, ask: 101)], receivedAt: Self.t0)
        book.apply(dex: "binance", events: [.price(PriceTick(dexSymbol: "BTCUSDT", time: Self.t0, last: nil, mark: 100.5))],
                   receivedAt: Self.t0)
        book.apply(dex: "okx", events: [Self.top("BTC-USDT-SWAP", bid: 99, ask: 100)], receivedAt: Self.t0)
        let first = book.drainChanged().sorted { $0.dex < $1.dex }
        #expect(first.count == 2)
        #expect(first[0].bid == 100 && first[0].ask == 101 && first[0].mark == 100.5)
        #expect(book.drainChanged().isEmpty)
        // A trade sets the last price; the book's bid and ask stay.
        book.apply(dex: "binance", events: [.trade(PublicTrade(dexSymbol: "BTCUSDT", time: Self.t0, price: 100.7,
                                                                size: 1, takerSide: .buy))], receivedAt: Self.t0)
        let second = book.drainChanged()
        #expect(second.count == 1 && second[0].last == 100.7 && second[0].bid == 100)
    }

    @Test func anOlderSequenceIsIgnored() {
        let book = PriceBook()
        book.apply(dex: "binance", events: [Self.top("BTCUSDT", bid: 100, ask: 101, sequence: 10)], receivedAt: Self.t0)
        book.apply(dex: "binance", events: [Self.top("BTCUSDT", bid: 90, ask: 91, sequence: 9)], receivedAt: Self.t0)
        #expect(book.latest(dex: "binance", dexSymbol: "BTCUSDT")?.bid == 100)
        book.apply(dex: "binance", events: [Self.top("BTCUSDT", bid: 102, ask: 103, sequence: 11)], receivedAt: Self.t0)
        #expect(book.latest(dex: "binance", dexSymbol: "BTCUSDT")?.bid == 102)
    }

    /// A store that fails while `failing` is set and records what it wrote.
    final class FlakyStore: PriceStore {
        let failing = Atomic<Bool>(true)
        let written = Mutex<[[LivePrice]]>([])
        struct Down: Error {}
        func write(_ prices: [LivePrice], flows: [TradeFlow]) async throws -> Int {
            if failing.load(ordering: .relaxed) { throw Down() }
            written.withLock { $0.append(prices) }
            return prices.count
        }
    }

    @Test func aFailedFlushKeepsItsMarketsPendingAndTheNextWritesTheirNewestState() async {
        let book = PriceBook()
        let store = FlakyStore()
        let flush = PriceFlushService(book: book, store: store, interval: .seconds(1), logger: Logger(label: "t"))
        book.apply(dex: "binance", events: [Self.top("BTCUSDT", bid: 100, ask: 101)], receivedAt: Self.t0)
        #expect(await flush.flush() == 0)  // the database is down
        #expect(book.pendingCount == 1)
        // Newer prices arrive during the outage.
        book.apply(dex: "binance", events: [Self.top("BTCUSDT", bid: 105, ask: 106)], receivedAt: Self.t0 + 1)
        store.failing.store(false, ordering: .relaxed)
        #expect(await flush.flush() == 1)
        let written = store.written.withLock { $0 }
        #expect(written.count == 1 && written[0][0].bid == 105 && written[0][0].receivedAt == Self.t0 + 1)
        #expect(await flush.flush() == 0)  // nothing changed since
    }
}
