import Foundation
import FundingCore
import FundingIngest
import Logging
import PostgresNIO
import Testing

/// The streams' trade flow in the database: `trade_flow_apply_contracts()` through the flush's store, sizes in
/// contract units turned into symbol units with each market's multiplier, and the boards reading it.
@Suite("Trade flow from the streams (known answers)", .timeLimit(.minutes(3)))
struct TradeFlowStreamTests {
    @Test("a flush writes prices and trade flow: symbol units by the multiplier, USD as sent, unknown markets rejected; cvd reads it")
    func flushWritesTradeFlow() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await insertBoardMarkets(conn, [
                BoardMarket(dex: "binance", symbol: "BTC", samples: [BoardSample(ago: "30 seconds", mark: 100_000)]),
                BoardMarket(dex: "binance", symbol: "PEPE", samples: [BoardSample(ago: "30 seconds", mark: 0.01)],
                            venueSymbol: "1000PEPEUSDT"),
            ])
            // 1000PEPEUSDT: one contract unit is 1,000 PEPE (what the snapshot adapter writes for the 1000 prefix).
            try await conn.exec("UPDATE markets SET multiplier = 1000 WHERE dex_symbol = '1000PEPEUSDT'")
        }
        // Two minutes ago, so the 1h window holds it whatever second the test runs in.
        let now = Date()
        let minute = Date(timeIntervalSince1970: ((now.timeIntervalSince1970 - 120) / 60).rounded(.down) * 60)
        func flow(_ symbol: String, buy: Double, sell: Double, buyUSD: Double, sellUSD: Double, trades: (Int, Int))
            -> TradeFlow
        {
            var f = TradeFlow(dex: "binance", dexSymbol: symbol, minute: minute)
            f.buySize = buy; f.sellSize = sell; f.buyNotional = buyUSD; f.sellNotional = sellUSD
            f.buyTrades = trades.0; f.sellTrades = trades.1
            return f
        }
        let store = PostgresPriceStore(url: try db.writerURL, logger: Logger(label: "test"))
        // BTC: buys 3 BTC for 300,000 USD, sells 1 for 99,900. 1000PEPEUSDT: buys 500 contract units (= 500,000
        // PEPE) at 10 USD each = 5,000 USD, sells 200 units (200,000 PEPE) for 2,000 USD.
        let btc = flow("BTCUSDT", buy: 3, sell: 1, buyUSD: 300_000, sellUSD: 99_900, trades: (2, 1))
        let pepe = flow("1000PEPEUSDT", buy: 500, sell: 200, buyUSD: 5_000, sellUSD: 2_000, trades: (5, 3))
        let unknown = flow("NOPEUSDT", buy: 1, sell: 1, buyUSD: 1, sellUSD: 1, trades: (1, 1))
        let price = LivePrice(dex: "binance", dexSymbol: "BTCUSDT", time: now, receivedAt: now, bid: 99_990,
                              ask: 100_010)
        #expect(try await store.write([price], flows: [btc, pepe, unknown]) == 1)
        // A second flush with more of the same minute adds to it: 1 more BTC bought for 100,000.
        #expect(try await store.write([], flows: [flow("BTCUSDT", buy: 1, sell: 0, buyUSD: 100_000, sellUSD: 0,
                                                        trades: (1, 0))]) == 0)
        await store.close()

        try await db.with(try db.ownerURL) { conn in
            let rows = try await conn.jsonRows("""
                SELECT m.dex_symbol, t.bucket, t.buy_volume_base, t.sell_volume_base, t.buy_volume_usd,
                       t.sell_volume_usd, t.buy_trades, t.sell_trades
                FROM trade_flow_1m t JOIN markets m ON m.id = t.market_id ORDER BY m.dex_symbol
                """)
            #expect(rows.map { $0.string("dex_symbol") } == ["1000PEPEUSDT", "BTCUSDT"])
            // PEPE in symbol units: 500 x 1,000 and 200 x 1,000.
            #expect(rows[0].double("buy_volume_base") == 500_000 && rows[0].double("sell_volume_base") == 200_000)
            #expect(rows[0].double("buy_volume_usd") == 5_000 && rows[0].int("sell_trades") == 3)
            #expect(rows[1].double("buy_volume_base") == 4 && rows[1].double("buy_volume_usd") == 400_000)
            #expect(rows[1].int("buy_trades") == 3 && rows[1].double("sell_volume_usd") == 99_900)
            // CVD over 1h: BTC 400,000 - 99,900 = 300,100; PEPE 5,000 - 2,000 = 3,000. Taker buy ratio: BTC
            // 400,000 / 499,900, PEPE 5,000 / 7,000.
            let cvd = try await board(conn, "'cvd', '1h'")
            #expect(symbols(cvd) == ["BTC", "PEPE"])
            expectValues(values(cvd), [300_100, 3_000])
            let ratio = try await board(conn, "'taker_buy_ratio', '1h'")
            #expect(symbols(ratio) == ["BTC", "PEPE"])
            expectValues(values(ratio), [400_000.0 / 499_900, 5_000.0 / 7_000])
        }
    }
}
