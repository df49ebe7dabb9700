import Foundation
import FundingAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// The best BTC pair of the first eight venues' recordings under the API defaults: long edgex BTCUSDC
/// (−0.00011184 per 8 h), short paradex BTC-USD-PERP (0.00007688102642 per 8 h); taker fees edgex 0.00038,
/// paradex 0.0002.
let btcDivergence = 0.00007688102642 + 0.00011184

/// The first eight venues, whose recordings the figures above were worked out from.
let firstEightDexes = "binance,bybit,edgex,grvt,hyperliquid,lighter,okx,paradex"

/// The best BTC pair over every venue's recordings: long kraken PI_XBTUSD, −0.000365645733089833 per 1 h
/// (−3.995839963e-09 × mark 91,506.6009839176) = −0.002925165864718664 per 8 h; short phemex BTCUSD,
/// fundingRateEr 235950 / 10^8 = 0.0023595 per 8 h. Taker fees kraken 0.0005, phemex 0.0006.
let allVenuesBTCDivergence = 0.0023595 + 0.002925165864718664

@Suite("HTTP API on the analytics SQL (fixture data)")
struct APIAnalyticsRouteTests {
    @Test("GET /opportunities: defaults, filters, sort, limit, total_count and filters_applied")
    func opportunities() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            // The design document's default min_profit 0: only pairs that earn after taker fees.
            let profitable = try await client.call("/api/v1/opportunities")
            #expect(profitable.status == .ok)
            #expect(double(dig(try profitable.json, "filters_applied", "min_profit_percent")) == 0)
            let earning = (try profitable.json["opportunities"] as? [[String: Any]]) ?? []
            #expect(earning.allSatisfy { (double($0["net_profit"]) ?? -1) >= 0 })
            // Every venue: the widest BTC pair is kraken against phemex (docs-example recordings of different years).
            let all = try await client.call("/api/v1/opportunities?min_profit=-1")
            #expect(all.status == .ok)
            let a = try all.json
            let top = try #require((a["opportunities"] as? [[String: Any]])?.first)
            #expect(top["long_dex"] as? String == "kraken")
            #expect(top["short_dex"] as? String == "phemex")
            #expect(abs((double(top["divergence"]) ?? 0) - allVenuesBTCDivergence) < 1e-15)
            // 2 × (0.0005 + 0.0006) = 0.0022
            #expect(abs((double(top["estimated_fees"]) ?? 0) - 0.0022) < 1e-15)
            #expect(abs((double(top["net_profit"]) ?? 0) - (allVenuesBTCDivergence - 0.0022)) < 1e-15)
            #expect((a["total_count"] as? Int) ?? 0 > 4)

            let r = try await client.call("/api/v1/opportunities?include_dexes=\(firstEightDexes)&min_profit=-1")
            #expect(r.status == .ok)
            let o = try r.json
            #expect((o["total_count"] as? Int) == 4)
            let rows = o["opportunities"] as? [[String: Any]] ?? []
            #expect(rows.count == 4)
            let best = try #require(rows.first)
            #expect(best["long_dex"] as? String == "edgex")
            #expect(best["short_dex"] as? String == "paradex")
            #expect(best["symbol"] as? String == "BTC")
            #expect(abs((double(best["divergence"]) ?? 0) - btcDivergence) < 1e-15)
            #expect(abs((double(best["estimated_fees"]) ?? 0) - 0.00116) < 1e-15)
            #expect(abs((double(best["net_profit"]) ?? 0) - (btcDivergence - 0.00116)) < 1e-15)
            #expect(best["market_id"] == nil)
            let profits = rows.compactMap { double($0["net_profit"]) }
            #expect(profits == profits.sorted(by: >))
            #expect(double(dig(o, "filters_applied", "min_divergence")) == 0.0001)
            #expect(double(dig(o, "filters_applied", "min_volume_24h")) == 100_000)
            #expect((dig(o, "filters_applied", "limit") as? Int) == 10)
            #expect(o["generated_at"] is String)

            let limited = try await client.call(
                "/api/v1/opportunities?limit=2&sort_by=divergence&sort_desc=false&include_dexes=\(firstEightDexes)&min_profit=-1")
            let l = try limited.json
            #expect((l["total_count"] as? Int) == 4)
            let divergences = (l["opportunities"] as? [[String: Any]] ?? []).compactMap { double($0["divergence"]) }
            #expect(divergences.count == 2)
            #expect(divergences == divergences.sorted())

            let filtered = try await client.call(
                "/api/v1/opportunities?include_dexes=edgex,paradex,hyperliquid&exclude_dexes=hyperliquid&symbol=btc&min_profit=-1")
            let f = try filtered.json["opportunities"] as? [[String: Any]] ?? []
            #expect(f.count == 1)
            #expect(f.first?["short_dex"] as? String == "paradex")

            let maker = try await client.call("/api/v1/opportunities?fee_type=maker&hold_hours=24&long_dex=edgex&short_dex=paradex&min_profit=-1")
            let m = try #require((try maker.json["opportunities"] as? [[String: Any]])?.first)
            let fees = double(m["estimated_fees"]) ?? -1
            #expect(fees < 0.00116)
            #expect(abs((double(m["net_profit"]) ?? 0) - (btcDivergence * 3 - fees)) < 1e-12)

            let symbol = try await client.call("/api/v1/opportunities/symbol/BTC?min_volume_24h=0&min_divergence=0&min_profit=-1")
            let s = try symbol.json
            #expect(((s["opportunities"] as? [[String: Any]]) ?? []).allSatisfy { $0["symbol"] as? String == "BTC" })
            #expect((s["total_count"] as? Int) ?? 0 > 4)
        }
    }

    @Test("best, compare, persistence, rankings, stats and opportunity history")
    func analyticsRoutes() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db) { client, _ in
            let best = try await client.call("/api/v1/opportunities/best-by-symbol")
            let b = try best.json["opportunities"] as? [[String: Any]] ?? []
            #expect(Set(b.compactMap { $0["symbol"] as? String }).count == b.count)
            #expect(!b.isEmpty)

            // The document's /best: the top pair under the /opportunities parameters, its rank and how many qualify.
            let single = try await client.call("/api/v1/opportunities/best?min_profit=-1&include_dexes=\(firstEightDexes)")
            let s = try single.json
            #expect(dig(s, "opportunity", "long_dex") as? String == "edgex")
            #expect(dig(s, "opportunity", "short_dex") as? String == "paradex")
            #expect((s["rank"] as? Int) == 1)
            #expect((s["total_opportunities"] as? Int) == 4)
            let noBest = try await client.call("/api/v1/opportunities/best?include_dexes=\(firstEightDexes)")
            #expect(try noBest.json["opportunity"] is NSNull)
            #expect((try noBest.json["total_opportunities"] as? Int) == 0)

            let compare = try await client.call("/api/v1/opportunities/compare?dex1=edgex&dex2=paradex")
            let c = try compare.json
            let pairs = c["pairs"] as? [[String: Any]] ?? []
            #expect(pairs.allSatisfy { Set([$0["long_dex"] as? String, $0["short_dex"] as? String]) == ["edgex", "paradex"] })
            #expect(pairs.contains { $0["long_dex"] as? String == "edgex" && $0["symbol"] as? String == "BTC" })
            #expect(pairs.contains { $0["long_dex"] as? String == "paradex" && $0["symbol"] as? String == "BTC" })
            // One entry per symbol: the better direction, long edgex (−0.00011184) and short paradex (0.0000769).
            let btc = firstRow(c["opportunities"], where: "symbol", is: "BTC")
            #expect(btc["better_on"] as? String == "paradex")
            #expect(btc["recommendation"] as? String == "short_on_paradex_long_on_edgex")
            #expect(abs((double(btc["rate_diff"]) ?? 0) - btcDivergence) < 1e-15)
            #expect(double(btc["net_profit_percent"]) == double(btc["net_profit"]))

            let persistence = try await client.call("/api/v1/opportunities/persistence?symbol=ETH")
            let p = try persistence.json["persistence"] as? [[String: Any]] ?? []
            #expect(!p.isEmpty)
            #expect(p.allSatisfy { $0["symbol"] as? String == "ETH" && ($0["cycles_24h"] as? Int) == 1 })

            let rankings = try await client.call("/api/v1/rankings/funding?symbol=BTC&limit=3")
            let rk = try rankings.json["rankings"] as? [[String: Any]] ?? []
            #expect(rk.count == 3)
            #expect((rk.first?["rank"] as? Int) == 1)
            let aprs = rk.compactMap { double($0["apr"]) }
            #expect(aprs == aprs.sorted(by: >))
            let asc = try await client.call("/api/v1/rankings/funding?symbol=BTC&order=asc&dex=edgex,binance")
            let ra = try asc.json["rankings"] as? [[String: Any]] ?? []
            #expect(ra.first?["dex"] as? String == "edgex")
            #expect(ra.allSatisfy { ["edgex", "binance"].contains($0["dex"] as? String ?? "") })

            let stats = try await client.call("/api/v1/stats/funding-rates/BTC?dex=binance&period=1d")
            let st = try stats.json
            let statRows = st["statistics"] as? [[String: Any]] ?? []
            #expect(!statRows.isEmpty)
            #expect(statRows.allSatisfy { $0["dex"] as? String == "binance" })
            let usdt = firstRow(st["statistics"], where: "dex_symbol", is: "BTCUSDT")
            #expect(double(usdt["mean_rate"]) == btcRate)
            #expect(usdt["market_id"] == nil)
            #expect(st["summary"] is NSNull)
            let bySymbol = try await client.call("/api/v1/stats/funding-rates/BTC")
            #expect((dig(try bySymbol.json, "summary", "symbol") as? String) == "BTC")

            let history = try await client.call("/api/v1/history/opportunities?symbol=BTC&period=1d&limit=5")
            let h = try history.json["opportunities"] as? [[String: Any]] ?? []
            #expect(!h.isEmpty)
            #expect(h.allSatisfy { $0["symbol"] as? String == "BTC" && $0["cycle_time"] is String })
            let none = try await client.call("/api/v1/history/opportunities?min_profit=0.5")
            #expect((try none.json["count"] as? Int) == 0)
        }
    }

    @Test("a fee update through the admin route is used by the next opportunities response")
    func feeUpdateVisible() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await withRouter(db) { client, _ in
            let path = "/api/v1/opportunities?long_dex=edgex&short_dex=paradex&symbol=BTC&min_profit=-1"
            let before = try #require((try await client.call(path).json["opportunities"] as? [[String: Any]])?.first)
            #expect(abs((double(before["estimated_fees"]) ?? 0) - 0.00116) < 1e-15)
            let put = try await client.call("/api/v1/admin/dexes/paradex/fees", method: .put,
                                            headers: [.authorization: "Bearer \(testAdminToken)"],
                                            body: #"{"maker_fee": 0.0, "taker_fee": 0.0001}"#)
            #expect(put.status == .ok)
            let after = try #require((try await client.call(path).json["opportunities"] as? [[String: Any]])?.first)
            #expect(abs((double(after["estimated_fees"]) ?? 0) - (2 * 0.00038 + 2 * 0.0001)) < 1e-15)
            #expect(abs((double(after["net_profit"]) ?? 0) - (btcDivergence - 0.00096)) < 1e-15)
            #expect(double(after["short_fee"]) == 0.0001)
            // The answer says what was stored; tiers come back in the stored shape and show on the dex.
            let body = try put.json
            #expect(body["status"] as? String == "success" && body["message"] as? String == "Fees updated for paradex")
            #expect(double(body["taker_fee"]) == 0.0001 && body["fee_tiers"] is NSNull)
            let tiered = try await client.call("/api/v1/admin/dexes/paradex/fees", method: .put,
                                               headers: [.authorization: "Bearer \(testAdminToken)"],
                                               body: #"{"maker_fee_percent": 0.0, "taker_fee_percent": 0.0002, "has_fee_tiers": true, "fee_tiers": [{"min_volume_30d": 0, "max_volume_30d": 1000000, "maker_fee": 0.0, "taker_fee": 0.0002}, {"min_volume_30d": 1000000, "maker_fee": -0.00005, "taker_fee": 0.00015}]}"#)
            #expect(tiered.status == .ok)
            let stored: [[String: Double]] = [["min_volume_30d": 0, "maker_fee": 0, "taker_fee": 0.0002],
                                              ["min_volume_30d": 1_000_000, "maker_fee": -0.00005, "taker_fee": 0.00015]]
            #expect(try tiered.json["fee_tiers"] as? [[String: Double]] == stored)
            let dex = try await client.call("/api/v1/dexes/paradex").json
            #expect(dig(dex, "fee_structure", "has_fee_tiers") as? Bool == true)
            #expect(dig(dex, "fee_structure", "fee_tiers") as? [[String: Double]] == stored)
        }
    }
}

/// The first object of a JSON array whose `key` is the string `value` (empty when none).
func firstRow(_ array: Any?, where key: String, is value: String) -> [String: Any] {
    for case let row as [String: Any] in (array as? [Any]) ?? [] {
        if let s = row[key] as? String, s == value { return row }
    }
    return [:]
}
