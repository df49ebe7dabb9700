import Foundation
import FundingCore
import FundingStore
import PostgresNIO
import Testing

@Suite("ingest_stage_joined: one text per column stages what ingest_stage's arrays do", .timeLimit(.minutes(2)))
struct IngestStageJoinedTests {
    @Test("the same snapshots written with arrays and joined give the same rows, absent optionals and a one-row batch included; a short column is an error")
    func sameRows() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let t = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
        @Sendable func snapshots(_ dex: String) -> [MarketSnapshot] {
            [MarketSnapshot(dex: dex, dexSymbol: "BTC-X", symbol: "BTC", quote: "USDT", margin: .inverse, multiplier: 0.5,
                            time: t, fundingRate: 1.25e-05, fundingIntervalHours: 8, predictedRate: -0.0003,
                            nextFundingTime: t.addingTimeInterval(3_600), markPrice: 93_951.8, indexPrice: 93_902.89680851,
                            openInterestBase: 12.5, openInterestUSD: 1.2e9, volume24hUSD: 3.3e10, bestBid: 93_950.1,
                            bestAsk: 93_953, collectionLatencyMs: 42),
             MarketSnapshot(dex: dex, dexSymbol: "ETH-X", symbol: "ETH", quote: "USDT", time: t.addingTimeInterval(-1),
                            fundingRate: 1e-4 / 3, fundingIntervalHours: 1)]
        }
        try await db.withClient(try db.writerURL) { client in
            let writer = CycleWriter(client: client, logger: TestDatabase.logger)
            let arrays = try await writer.write(snapshots: snapshots("binance"), runs: [])
            let joined = try await writer.write(snapshots: snapshots("okx"), runs: [], joined: true)
            #expect(arrays.rowsInserted == 2 && joined.rowsInserted == 2)
            // One row whose optionals are all absent: each of those columns is one empty text.
            let one = [MarketSnapshot(dex: "bybit", dexSymbol: "SOL-X", symbol: "SOL", quote: "USDT", time: t,
                                      fundingRate: 0.0001, fundingIntervalHours: 8)]
            let single = try await writer.write(snapshots: one, runs: [], joined: true)
            #expect(single.rowsInserted == 1)
        }
        try await db.with(try db.ownerURL) { conn in
            let differing = try await conn.scalar("""
                WITH r AS (
                    SELECT d.name AS dex, m.dex_symbol, m.margin, m.multiplier, f.time, f.funding_rate,
                           f.funding_interval_hours, f.predicted_rate, f.next_funding_time, f.mark_price, f.index_price,
                           f.open_interest_base, f.open_interest_usd, f.volume_24h_usd, f.best_bid, f.best_ask,
                           f.collection_latency_ms
                    FROM funding_rates f JOIN markets m ON m.id = f.market_id JOIN dexes d ON d.id = m.dex_id)
                SELECT count(*)::int FROM (SELECT * FROM r WHERE dex = 'binance') a
                FULL JOIN (SELECT * FROM r WHERE dex = 'okx') b ON a.dex_symbol = b.dex_symbol
                WHERE (a.margin, a.multiplier, a.time, a.funding_rate, a.funding_interval_hours, a.predicted_rate,
                       a.next_funding_time, a.mark_price, a.index_price, a.open_interest_base, a.open_interest_usd,
                       a.volume_24h_usd, a.best_bid, a.best_ask, a.collection_latency_ms)
                      IS DISTINCT FROM
                      (b.margin, b.multiplier, b.time, b.funding_rate, b.funding_interval_hours, b.predicted_rate,
                       b.next_funding_time, b.mark_price, b.index_price, b.open_interest_base, b.open_interest_usd,
                       b.volume_24h_usd, b.best_bid, b.best_ask, b.collection_latency_ms)
                """, as: Int.self)
            #expect(differing == 0)
            // Exact to the bit: 1e-4 / 3 has no short decimal.
            let exact = try await conn.scalar("SELECT count(*)::int FROM funding_rates WHERE funding_rate = 1e-4::float8 / 3",
                                              as: Int.self)
            #expect(exact == 2)
            let sol = try await conn.scalar("""
                SELECT (f.predicted_rate IS NULL AND f.next_funding_time IS NULL AND f.mark_price IS NULL
                        AND f.collection_latency_ms IS NULL)
                FROM funding_rates f JOIN markets m ON m.id = f.market_id WHERE m.dex_symbol = 'SOL-X'
                """, as: Bool.self)
            #expect(sol)
        }
        try await db.with(try db.writerURL) { conn in
            await #expect(throws: PSQLError.self) {
                try await conn.exec("""
                    SELECT ingest_stage_joined('binance' || E'\\n' || 'binance', 'A' || E'\\n' || 'B', 'A' || E'\\n' || 'B',
                        'USDT' || E'\\n' || 'USDT', 'linear' || E'\\n' || 'linear', '1' || E'\\n' || '1', '1' || E'\\n' || '2',
                        '0.0001', '8' || E'\\n' || '8', E'\\n', E'\\n', E'\\n', E'\\n', E'\\n', E'\\n', E'\\n', E'\\n', E'\\n', E'\\n')
                    """)
            }
        }
    }
}
