import Foundation
import FundingAPI
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Testing

/// The funding dashboard's reads (schema/0099) through the API against PostgreSQL, with values worked by hand.
///
/// Markets (apr = rate / interval hours x 8760 x 100; for 8 h: rate x 109,500):
///   binance BTCUSDT  8 h, 0.0001 every sample            apr 10.95    vol 3M  oi 5M
///   binance BTCUSDC  8 h, 0.00007, 0.00006, 0.00005      apr 5.475    vol 1M  oi 2M
///   okx BTC-USDT-SWAP 8 h, 0.0002, 0.0003, 0.0004        apr 43.8     vol 2M  oi 4M
///   hyperliquid BTC  1 h, 0.00001                        apr 8.76     vol 1M  oi 1M  (USDC)
///   binance ETHUSDT  8 h, 0.0001                         apr 10.95    vol 1M  oi 1M
///   bybit SOLUSDT    one sample 2 hours old: stale under the default max_age of 900 s.
/// Samples 130, 70 and 10 minutes ago: three consecutive hourly buckets (60 minutes apart, so never one bucket).
/// The JSON object of a 200 answer to `uri` (any other status is recorded as an issue).
func ok(_ client: any TestClientProtocol, _ uri: String, sourceLocation: SourceLocation = #_sourceLocation)
    async throws -> [String: Any]
{
    let r = try await client.call(uri)
    #expect(r.status == .ok, "\(uri): \(r.text)", sourceLocation: sourceLocation)
    return try r.json
}

@Suite("Dashboard reads", .timeLimit(.minutes(5)))
struct DashboardTests {
    static func samples(_ rates: [Double], mark: Double, oi: Double, volume: Double) -> [BoardSample] {
        zip(["130 minutes", "70 minutes", "10 minutes"], rates).map {
            BoardSample(ago: $0.0, mark: mark, oi: oi, volume: volume, rate: $0.1)
        }
    }

    static let markets: [BoardMarket] = [
        BoardMarket(dex: "binance", symbol: "BTC", samples: samples([0.0001, 0.0001, 0.0001], mark: 100_000, oi: 5e6, volume: 3e6)),
        BoardMarket(dex: "binance", symbol: "BTC", quote: "USDC",
                    samples: samples([0.00007, 0.00006, 0.00005], mark: 100_000, oi: 2e6, volume: 1e6)),
        BoardMarket(dex: "okx", symbol: "BTC", samples: samples([0.0002, 0.0003, 0.0004], mark: 100_010, oi: 4e6, volume: 2e6),
                    venueSymbol: "BTC-USDT-SWAP"),
        BoardMarket(dex: "hyperliquid", symbol: "BTC", quote: "USDC", interval: 1,
                    samples: samples([0.00001, 0.00001, 0.00001], mark: 99_990, oi: 1e6, volume: 1e6), venueSymbol: "BTC"),
        BoardMarket(dex: "binance", symbol: "ETH", samples: samples([0.0001, 0.0001, 0.0001], mark: 3000, oi: 1e6, volume: 1e6)),
        BoardMarket(dex: "bybit", symbol: "SOL", samples: [BoardSample(ago: "2 hours", mark: 150)]),
    ]

    @Test("grid, contracts, countdown, statistics, top APR, assets, exchanges: worked by hand")
    func latest() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await insertBoardMarkets(conn, Self.markets)
            try await conn.exec("""
                UPDATE market_latest l SET next_funding_time = now() + CASE m.dex_symbol
                    WHEN 'BTC-USDT-SWAP' THEN interval '30 minutes' ELSE interval '2 hours' END
                FROM markets m WHERE m.id = l.market_id AND m.dex_symbol IN ('BTC-USDT-SWAP', 'BTCUSDT')
                """)
        }
        try await withRouter(db) { client, _ in
            let get = { (uri: String) in try await ok(client, uri) }
            let grid = try await get("/api/v1/funding-rates-grid")
            let assets = grid["assets"] as? [[String: Any]] ?? []
            // Summed volume: BTC 3 + 1 + 2 + 1 = 7M before ETH 1M; SOL is stale.
            #expect(assets.compactMap { $0["symbol"] as? String } == ["BTC", "ETH"])
            #expect(grid["dexes"] as? [String] == ["binance", "hyperliquid", "okx"])
            #expect(grid["contracts"] as? Int == 5)
            let btc = assets.first ?? [:]
            #expect(btc["contracts"] as? Int == 4)
            #expect(btc["dex_count"] as? Int == 3)
            #expect(close(double(btc["min_apr"]), 5.475))
            #expect(close(double(btc["max_apr"]), 43.8))
            #expect(close(double(btc["apr_spread"]), 38.325))
            #expect(close(double(btc["volume_24h_usd"]), 7e6))
            let binance = dig(btc, "venues", "binance") as? [[String: Any]] ?? []
            #expect(binance.compactMap { $0["dex_symbol"] as? String } == ["BTCUSDT", "BTCUSDC"])  // most volume first
            #expect(close(double(binance.first?["rate_8h"]), 0.0001))
            let hl = (dig(btc, "venues", "hyperliquid") as? [[String: Any]])?.first
            #expect(close(double(hl?["apr"]), 8.76))                // 0.00001 per hour x 876,000
            #expect(close(double(hl?["rate_8h"]), 0.00008))
            #expect(double(hl?["funding_interval_hours"]) == 1)

            // Search matches the venue's contract name too: only BTCUSDC names USDC.
            let usdc = try await get("/api/v1/funding-rates-grid?search=usdc")
            let only = (usdc["assets"] as? [[String: Any]])?.first
            #expect((usdc["assets"] as? [[String: Any]])?.count == 1)
            #expect((only?["venues"] as? [String: Any])?.keys.sorted() == ["binance"])
            #expect(try await get("/api/v1/funding-rates-grid?max_age=10800")["contracts"] as? Int == 6)
            #expect(try await get("/api/v1/funding-rates-grid?dexes=okx")["contracts"] as? Int == 1)
            #expect(try await get("/api/v1/funding-rates-grid?quote=usdc")["contracts"] as? Int == 2)
            let none = try await get("/api/v1/funding-rates-grid?search=nothing-like-this")
            #expect(none["contracts"] as? Int == 0 && none["count"] as? Int == 0)   // numbers, not null, when empty
            #expect((none["assets"] as? [Any])?.isEmpty == true)

            // Contracts of BTC, most volume first; the countdown is okx's (30 minutes ahead, the soonest).
            let contracts = try await get("/api/v1/current-funding/btc")
            #expect((contracts["contracts"] as? [[String: Any]])?.compactMap { $0["dex_symbol"] as? String }
                    == ["BTCUSDT", "BTC-USDT-SWAP", "BTCUSDC", "BTC"])
            let next = contracts["next_funding"] as? [String: Any]
            #expect(next?["dex"] as? String == "okx")
            let countdown = (next?["seconds_to_funding"] as? NSNumber)?.intValue ?? -1
            #expect((1700...1800).contains(countdown), "\(countdown)")
            #expect(try await get("/api/v1/contracts-by-asset/SOL")["count"] as? Int == 0)

            // Statistics over the five fresh contracts: mean apr (10.95 + 5.475 + 43.8 + 8.76 + 10.95) / 5.
            let stats = try await get("/api/v1/statistics/summary")
            #expect(stats["contracts"] as? Int == 5)
            #expect(stats["symbols"] as? Int == 2)
            #expect(stats["dexes"] as? Int == 3)
            #expect(close(double(stats["mean_apr"]), 15.987))
            #expect(close(double(stats["median_apr"]), 10.95))
            #expect(dig(stats, "highest_apr", "dex_symbol") as? String == "BTC-USDT-SWAP")
            #expect(dig(stats, "lowest_apr", "dex_symbol") as? String == "BTCUSDC")
            #expect(close(double(stats["open_interest_usd"]), 13e6))

            let top = try await get("/api/v1/top-apr/2")
            // 43.8, then the 10.95 tie broken by dex and contract name: binance BTCUSDT before ETHUSDT.
            #expect((top["contracts"] as? [[String: Any]])?.compactMap { $0["dex_symbol"] as? String }
                    == ["BTC-USDT-SWAP", "BTCUSDT"])

            let extremes = try await get("/api/v1/statistics/extreme-values?limit=1")
            #expect(dig((extremes["lowest_apr"] as? [[String: Any]])?.first, "dex_symbol") as? String == "BTCUSDC")

            let list = try await get("/api/v1/assets")
            let btcAsset = (list["assets"] as? [[String: Any]])?.first
            #expect(btcAsset?["dexes"] as? [String] == ["binance", "hyperliquid", "okx"])
            #expect(close(double(btcAsset?["mean_apr"]), (10.95 + 5.475 + 43.8 + 8.76) / 4))

            let exchanges = try await get("/api/v1/exchanges")
            let rows = exchanges["dexes"] as? [[String: Any]] ?? []
            #expect(rows.first { $0["dex"] as? String == "binance" }?["contracts"] as? Int == 3)
            #expect(rows.first { $0["dex"] as? String == "bybit" }?["contracts"] as? Int == 0)  // stale only
        }
    }

    @Test("history, sparkline, z-scores, opportunity detail with spread statistics, pages and search")
    func history() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await insertBoardMarkets(conn, Self.markets)
            // One settled payment of BTCUSDT a day ago: 0.0002 per 8 h, apr 21.9.
            try await conn.exec("""
                INSERT INTO funding_settlements (market_id, funding_time, funding_rate, funding_interval_hours)
                SELECT id, date_trunc('hour', now()) - interval '24 hours', 0.0002, 8 FROM markets
                WHERE dex_symbol = 'BTCUSDT'
                """)
            // Materialise the hourly and daily rollups (the cron jobs' work; only the newest bucket is real-time).
            try await conn.exec("CALL refresh_rollups()")
        }
        try await withRouter(db) { client, _ in
            let get = { (uri: String) in try await ok(client, uri) }
            let contract = try await get("/api/v1/historical-funding-by-contract/binance/btcusdt?days=2")
            #expect(contract["dex_symbol"] as? String == "BTCUSDT")
            let points = contract["points"] as? [[String: Any]] ?? []
            #expect(points.count == 3)
            #expect(points.allSatisfy { close(double($0["apr"]), 10.95) })
            let settled = contract["settlements"] as? [[String: Any]] ?? []
            #expect(settled.count == 1)
            #expect(close(double(settled.first?["apr"]), 21.9))
            let daily = try await get("/api/v1/historical-funding-by-contract/okx/BTC-USDT-SWAP?interval=1d")
            let days = daily["points"] as? [[String: Any]] ?? []
            // The three samples fall in one or two UTC days; the daily mean over all of them is 0.0003 when one.
            #expect((1...2).contains(days.count))
            if days.count == 1 { #expect(close(double(days.first?["funding_rate"]), 0.0003)) }

            let asset = try await get("/api/v1/historical-funding-by-asset/BTC")
            #expect((asset["contracts"] as? [[String: Any]])?.count == 4)

            let spark = try await get("/api/v1/funding-sparkline/BTC?hours=24")
            let okx = (spark["series"] as? [[String: Any]])?.first { $0["dex"] as? String == "okx" }
            let pairs = okx?["points"] as? [[Any]] ?? []
            #expect(pairs.compactMap { double($0.last) }.map { ($0 * 1000).rounded() / 1000 } == [21.9, 32.85, 43.8])

            // z: okx's samples 0.0002, 0.0003, 0.0004 have mean 0.0003 and sample stddev 0.0001; now 0.0004: +1.
            // BTCUSDC: 0.00007, 0.00006, 0.00005: mean 0.00006, stddev 0.00001; now 0.00005: -1. Constant rates
            // have no z-score.
            let z = try await get("/api/v1/contracts-with-zscores")
            let zs = z["contracts"] as? [[String: Any]] ?? []
            #expect(zs.compactMap { $0["dex_symbol"] as? String }.sorted() == ["BTC-USDT-SWAP", "BTCUSDC"])
            #expect(close(double(zs.first { $0["dex"] as? String == "okx" }?["zscore"]), 1, relative: 1e-6))
            #expect(zs.allSatisfy { $0["zone"] as? String == "normal" })
            #expect((try await get("/api/v1/contracts-with-zscores?min_abs_zscore=1.5")["contracts"] as? [Any])?.isEmpty == true)
            let summary = try await get("/api/v1/zscore-summary")
            #expect(summary["contracts"] as? Int == 2)
            #expect(summary["positive"] as? Int == 1)
            #expect(summary["negative"] as? Int == 1)
            #expect(dig(summary, "zones", "normal") as? Int == 2)
            #expect(close(double(summary["mean_abs_zscore"]), 1, relative: 1e-6))

            // Long binance (BTCUSDT, the most traded), short okx. Hourly spreads short apr - long apr:
            // (0.0002 - 0.0001) x 109,500 = 10.95, then 21.9, then 32.85: mean and median 21.9, stddev 10.95.
            let detail = try await get("/api/v1/arbitrage/opportunity-detail/BTC/binance/okx")
            #expect(dig(detail, "long", "dex_symbol") as? String == "BTCUSDT")
            #expect(close(double(detail["apr_spread"]), 32.85))
            let history = detail["history"] as? [[String: Any]] ?? []
            #expect(history.compactMap { double($0["apr_spread"]) }.map { ($0 * 1000).rounded() / 1000 } == [10.95, 21.9, 32.85])
            let s = detail["statistics"] as? [String: Any] ?? [:]
            #expect(s["samples"] as? Int == 3)
            #expect(close(double(s["mean"]), 21.9))
            #expect(close(double(s["median"]), 21.9))
            #expect(close(double(s["stddev"]), 10.95))
            #expect(close(double(s["min"]), 10.95))
            #expect(close(double(s["positive_share"]), 1))
            #expect(dig(detail, "opportunity", "short_dex_symbol") as? String == "BTC-USDT-SWAP")
            // The named long contract: (0.0004 - 0.00005) x 109,500 = 38.325 now.
            let usdc = try await get("/api/v1/arbitrage/opportunity-detail/BTC/binance/okx?long_contract=btcusdc")
            #expect(close(double(usdc["apr_spread"]), 38.325))
            let none = try await client.call("/api/v1/arbitrage/opportunity-detail/BTC/binance/bybit")
            #expect(none.status == .notFound, "\(none.text)")

            // Pages: every BTC pair across its four fresh markets, best annualized_apy first; page 2 of size 1 is
            // the second of page 1 of size 2.
            let all = try await get("/api/v1/arbitrage/opportunities?page_size=2")
            let total = all["total"] as? Int ?? 0
            #expect(total > 2)
            #expect(all["total_pages"] as? Int == (total + 1) / 2)
            let second = try await get("/api/v1/arbitrage/opportunities?page=2&page_size=1")
            let firstPage = all["opportunities"] as? [[String: Any]] ?? []
            let secondPage = second["opportunities"] as? [[String: Any]] ?? []
            #expect(secondPage.first?["long_dex_symbol"] as? String == firstPage.last?["long_dex_symbol"] as? String)
            #expect(secondPage.first?["short_dex_symbol"] as? String == firstPage.last?["short_dex_symbol"] as? String)
            #expect(try await get("/api/v1/arbitrage/opportunities?search=eth")["total"] as? Int == 0)

            let search = try await get("/api/v1/arbitrage/assets/search?q=t")
            // BTC and ETH both contain T; neither starts with it: by name.
            let found = search["assets"] as? [[String: Any]] ?? []
            #expect(found.compactMap { $0["symbol"] as? String } == ["BTC", "ETH"])
            #expect(found.first?["opportunities"] as? Int == total)
            #expect(found.last?["opportunities"] as? Int == 0)
        }
    }
}
