import Foundation
import FundingCore
import FundingStore
import PostgresNIO
import Testing

/// The known-answer dataset: literal values only. Expectations are computed from these with plain arithmetic.
enum KnownAnswer {
    static let binance = (maker: 0.0002, taker: 0.0005)
    static let hyperliquid = (maker: 0.0001, taker: 0.0004)
    /// Hyperliquid's tier for a 30-day volume of at least 1,000,000 USD.
    static let hyperliquidTier = (minVolume: 1_000_000.0, maker: 0.00005, taker: 0.0003)
    static let edgex = (maker: 0.0, taker: 0.0003)
    static let okx = (maker: 0.0002, taker: 0.0005)

    static let legs: [Leg] = [
        // AAA on three intervals: 8h, 1h, 4h.
        Leg(dex: "binance", dexSymbol: "AAAUSDT", symbol: "AAA", interval: 8, rate: 0.0003, mark: 10.00,
            oi: 2_000_000, volume: 10_000_000, bid: 9.99, ask: 10.01, maker: binance.maker, taker: binance.taker),
        Leg(dex: "hyperliquid", dexSymbol: "AAA", symbol: "AAA", interval: 1, rate: 0.00002, mark: 10.02,
            oi: 1_000_000, volume: 3_000_000, bid: 10.015, ask: 10.025, maker: hyperliquid.maker,
            taker: hyperliquid.taker),
        Leg(dex: "edgex", dexSymbol: "AAAUSD", symbol: "AAA", quote: "USD", interval: 4, rate: -0.0001, mark: 9.98,
            oi: 1_500_000, volume: 500_000, bid: 9.965, ask: 9.995, maker: edgex.maker, taker: edgex.taker),
        // A stale leg (10 minutes old): excluded by the default max_age of 5 minutes.
        Leg(dex: "okx", dexSymbol: "AAA-USDT-SWAP", symbol: "AAA", interval: 8, rate: 0.001, mark: 10.0,
            oi: 5_000_000, volume: 9_000_000, bid: 9.99, ask: 10.01, maker: okx.maker, taker: okx.taker,
            ageSeconds: 600),
        // A venue whose fees are unknown (NULL; its dexes row is created by `load`): it takes part in no pair.
        Leg(dex: "newdex", dexSymbol: "AAA-PERP", symbol: "AAA", interval: 8, rate: 0.002, mark: 10.0,
            oi: 4_000_000, volume: 9_000_000, bid: 9.99, ask: 10.01, maker: nil, taker: nil),
        // PEPE: a 1000-multiplier market against a per-unit market.
        Leg(dex: "binance", dexSymbol: "1000PEPEUSDT", symbol: "PEPE", multiplier: 1000, interval: 8, rate: 0.0001,
            mark: 0.0120, oi: 800_000, volume: 2_000_000, bid: 0.01199, ask: 0.01201, maker: binance.maker,
            taker: binance.taker),
        Leg(dex: "hyperliquid", dexSymbol: "PEPE", symbol: "PEPE", interval: 1, rate: -0.00001, mark: 0.00001206,
            oi: 700_000, volume: 1_500_000, bid: 0.00001205, ask: 0.00001207, maker: hyperliquid.maker,
            taker: hyperliquid.taker),
    ]

    /// Sets the fees of the dataset's dexes (as the owner), then writes the legs through the real write path.
    static func load(_ db: TestDatabase) async throws -> Date {
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("""
                UPDATE dexes SET maker_fee = \(binance.maker), taker_fee = \(binance.taker), fee_tiers = NULL
                WHERE name = 'binance'
                """)
            try await conn.exec(PostgresQuery(unsafeSQL: """
                UPDATE dexes SET maker_fee = \(hyperliquid.maker), taker_fee = \(hyperliquid.taker),
                  fee_tiers = '[{"min_volume_30d": 0, "maker_fee": \(hyperliquid.maker), "taker_fee": \(hyperliquid.taker)},
                               {"min_volume_30d": \(hyperliquidTier.minVolume), "maker_fee": \(hyperliquidTier.maker), "taker_fee": \(hyperliquidTier.taker)}]'
                WHERE name = 'hyperliquid'
                """))
            try await conn.exec("""
                UPDATE dexes SET maker_fee = \(edgex.maker), taker_fee = \(edgex.taker), fee_tiers = NULL WHERE name = 'edgex'
                """)
            try await conn.exec("""
                UPDATE dexes SET maker_fee = \(okx.maker), taker_fee = \(okx.taker), fee_tiers = NULL WHERE name = 'okx'
                """)
            // The write path creates no dex (only migrations and the daemon's start-up do): register it as the owner.
            try await conn.exec("INSERT INTO dexes (name, display_name, kind) VALUES ('newdex', 'newdex', 'dex') ON CONFLICT (name) DO NOTHING")
        }
        let now = Date()
        try await db.withClient(try db.writerURL) { client in
            _ = try await CycleWriter(client: client, logger: TestDatabase.logger)
                .write(snapshots: legs.map { $0.snapshot(now: now) }, runs: [])
        }
        return now
    }

    static func leg(_ dex: String, _ symbol: String) -> Leg {
        legs.first { $0.dex == dex && $0.symbol == symbol }!
    }
}

@Suite("Opportunities, rankings and latest rates (known answers)")
struct OpportunityTests {
    @Test("default parameters: every ordered pair of fresh legs with known fees across 1h/4h/8h intervals, taker fees, hold 8 h; the stale leg and the dex without fees are excluded")
    func defaultParameters() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        let expected = ExpectedOpportunity.all(KnownAnswer.legs)
        #expect(expected.count == 8)  // AAA: 3 fresh legs with fees → 6 ordered pairs; PEPE: 2
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("SELECT * FROM opportunities()")
            expectOpportunities(rows, expected)
            #expect(!rows.contains { $0.string("long_dex") == "okx" || $0.string("short_dex") == "okx" })
            #expect(!rows.contains { $0.string("long_dex") == "newdex" || $0.string("short_dex") == "newdex" })

            // A longer max_age brings the stale okx leg back.
            let withStale = try await conn.jsonRows("SELECT * FROM opportunities(max_age => interval '1 hour')")
            expectOpportunities(withStale, ExpectedOpportunity.all(KnownAnswer.legs, maxAge: 3600))

            // The column list is the API contract, in this order.
            let columns = try await conn.column("""
                SELECT attname::text FROM pg_attribute WHERE attrelid = 'opportunity'::regclass AND attnum > 0 ORDER BY attnum
                """, as: String.self)
            #expect(columns == ["long_dex", "short_dex", "symbol", "long_dex_symbol", "short_dex_symbol",
                                "long_interval_hours", "short_interval_hours", "long_rate", "short_rate",
                                "long_rate_8h", "short_rate_8h", "divergence", "estimated_fees", "net_profit",
                                "annualized_apy", "break_even_hours", "long_oi_usd", "short_oi_usd", "min_oi_usd",
                                "max_oi_usd", "oi_ratio", "oi_imbalance", "long_volume_24h", "short_volume_24h",
                                "min_volume_24h", "long_spread_bps", "short_spread_bps", "price_spread_bps",
                                "long_mark_price", "short_mark_price", "long_next_funding_time",
                                "short_next_funding_time", "long_time", "short_time", "long_fee", "short_fee"])
        }
    }

    @Test("maker vs taker fees, a volume tier from fee_tiers, hold_hours and break-even hours; a fee update applies to the next query")
    func feesTiersAndHolding() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        try await db.with(try db.readerURL) { conn in
            let maker = try await conn.jsonRows("SELECT * FROM opportunities(fee_type => 'maker')")
            expectOpportunities(maker, ExpectedOpportunity.all(KnownAnswer.legs, feeType: "maker"))

            // 2,000,000 USD of 30-day volume: hyperliquid's 1,000,000 tier; binance and edgex have no tiers → base.
            let tier = try await conn.jsonRows("SELECT * FROM opportunities(fee_type => 'maker', volume_30d => 2000000)")
            expectOpportunities(tier, ExpectedOpportunity.all(KnownAnswer.legs, feeType: "maker") {
                $0.dex == "hyperliquid" ? KnownAnswer.hyperliquidTier.maker : nil
            })
            // Below the tier: the base fee.
            let below = try await conn.jsonRows("SELECT * FROM opportunities(volume_30d => 999999)")
            expectOpportunities(below, ExpectedOpportunity.all(KnownAnswer.legs))

            let held = try await conn.jsonRows("SELECT * FROM opportunities(hold_hours => 24)")
            let expected24 = ExpectedOpportunity.all(KnownAnswer.legs, holdHours: 24)
            expectOpportunities(held, expected24)
            // Spot-check one row by hand: long edgex AAA (-0.0001 per 4h = -0.0002 per 8h), short binance AAA
            // (0.0003 per 8h): divergence 0.0005; fees 2 × 0.0003 + 2 × 0.0005 = 0.0016; over 24 h:
            // 0.0005 × 3 − 0.0016 = −0.0001; apy = −0.0001 × 8760 / 24 × 100 = −3.65 %; break-even 0.0016 / 0.0000625 = 25.6 h.
            let row = held.first { $0.string("long_dex") == "edgex" && $0.string("short_dex") == "binance" }
            #expect(close(row?.double("divergence"), 0.0005))
            #expect(close(row?.double("estimated_fees"), 0.0016))
            #expect(close(row?.double("net_profit"), -0.0001))
            #expect(close(row?.double("annualized_apy"), -3.65))
            #expect(close(row?.double("break_even_hours"), 25.6))
            // Negative divergence: break_even_hours is NULL.
            let reverse = held.first { $0.string("long_dex") == "binance" && $0.string("short_dex") == "edgex" }
            #expect(reverse?.isNull("break_even_hours") == true)
        }
        // A fee update is read by the next query.
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE dexes SET taker_fee = 0.0007 WHERE name = 'binance'")
        }
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("SELECT * FROM opportunities()")
            expectOpportunities(rows, ExpectedOpportunity.all(KnownAnswer.legs) { $0.dex == "binance" ? 0.0007 : nil })
        }
        // A dex whose fee becomes unknown drops out of every pair.
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE dexes SET taker_fee = NULL WHERE name = 'edgex'")
            let rows = try await conn.jsonRows("SELECT * FROM opportunities()")
            expectOpportunities(rows, ExpectedOpportunity.all(KnownAnswer.legs.filter { $0.dex != "edgex" }) {
                $0.dex == "binance" ? 0.0007 : nil
            })
        }
    }

    @Test("filters: OI bounds, OI ratio, imbalance labels, volume, spread, quote, dexes, divergence, profit, symbol")
    func filters() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        let all = ExpectedOpportunity.all(KnownAnswer.legs)
        // Every label occurs in the dataset.
        #expect(Set(all.map(\.imbalance)) == ["long_heavy", "short_heavy", "balanced"])
        let cases: [(String, (ExpectedOpportunity) -> Bool)] = [
            ("min_oi_usd => 1200000", { min($0.l.oi, $0.s.oi) >= 1_200_000 }),
            ("max_oi_usd => 1600000", { max($0.l.oi, $0.s.oi) <= 1_600_000 }),
            ("min_oi_usd => 750000, max_oi_usd => 1500000", {
                min($0.l.oi, $0.s.oi) >= 750_000 && max($0.l.oi, $0.s.oi) <= 1_500_000 }),
            ("oi_ratio_min => 1.0, oi_ratio_max => 1.4", { $0.oiRatio >= 1.0 && $0.oiRatio <= 1.4 }),
            ("oi_imbalance => 'long_heavy'", { $0.oiRatio > 1.2 }),
            ("oi_imbalance => 'short_heavy'", { $0.oiRatio < 0.8 }),
            ("oi_imbalance => 'balanced'", { $0.oiRatio >= 0.8 && $0.oiRatio <= 1.2 }),
            ("min_volume_24h => 1000000", { min($0.l.volume, $0.s.volume) >= 1_000_000 }),
            ("max_volume_24h => 5000000", { max($0.l.volume, $0.s.volume) <= 5_000_000 }),
            ("max_spread_bps => 25", { max($0.l.spreadBps, $0.s.spreadBps) <= 25 }),
            ("quote => 'USDT'", { $0.l.quote == "USDT" && $0.s.quote == "USDT" }),
            ("include_dexes => ARRAY['binance', 'edgex']", {
                ["binance", "edgex"].contains($0.l.dex) && ["binance", "edgex"].contains($0.s.dex) }),
            ("exclude_dexes => ARRAY['edgex']", { $0.l.dex != "edgex" && $0.s.dex != "edgex" }),
            ("long_dex => 'edgex'", { $0.l.dex == "edgex" }),
            ("short_dex => 'hyperliquid'", { $0.s.dex == "hyperliquid" }),
            ("long_dex => 'hyperliquid', short_dex => 'binance'", { $0.l.dex == "hyperliquid" && $0.s.dex == "binance" }),
            ("min_divergence => 0.0003", { $0.divergence >= 0.0003 }),
            ("min_profit => -0.0015", { $0.netProfit >= -0.0015 }),
            ("symbol => 'PEPE'", { $0.l.symbol == "PEPE" }),
        ]
        try await db.with(try db.readerURL) { conn in
            for (args, keep) in cases {
                let expected = all.filter(keep)
                let rows = try await conn.jsonRows("SELECT * FROM opportunities(\(args))")
                #expect(rows.count == expected.count, "\(args)")
                expectOpportunities(rows, expected)
                #expect(!expected.isEmpty || args.isEmpty, "\(args) selects nothing in the dataset: a weak case")
            }
        }
    }

    @Test("a multiplier market's prices are compared per unit: price_spread_bps and marks of PEPE")
    func multiplierPriceSpread() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows(
                "SELECT * FROM opportunities(symbol => 'PEPE', long_dex => 'binance', short_dex => 'hyperliquid')")
            #expect(rows.count == 1)
            // 0.0120 per 1000 PEPE = 0.000012 per PEPE; hyperliquid 0.00001206 per PEPE:
            // (0.00001206 − 0.000012) / 0.00001203 × 10^4 = 49.875311720698254 bps.
            #expect(close(rows.first?.double("long_mark_price"), 0.000012))
            #expect(close(rows.first?.double("short_mark_price"), 0.00001206))
            #expect(close(rows.first?.double("price_spread_bps"), 0.00000006 / 0.00001203 * 10_000))
            #expect(rows.first?.string("oi_imbalance") == "balanced")

            let latest = try await conn.jsonRows(
                "SELECT * FROM latest_funding_rates WHERE dex = 'binance' AND dex_symbol = '1000PEPEUSDT'")
            #expect(latest.count == 1)
            let l = latest.first
            #expect(close(l?.double("mark_price"), 0.000012))
            #expect(close(l?.double("index_price"), 0.000012))
            #expect(close(l?.double("best_bid"), 0.00001199))
            #expect(close(l?.double("best_ask"), 0.00001201))
            #expect(close(l?.double("spread_bps"), 0.00000002 / 0.000012 * 10_000))
        }
    }

    @Test("latest_funding_rates: one row per active market with rate_1h, rate_8h, apr, per-unit prices and age")
    func latestRates() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("SELECT * FROM latest_funding_rates")
            #expect(rows.count == KnownAnswer.legs.count)
            for leg in KnownAnswer.legs {
                let row = rows.first { $0.string("dex") == leg.dex && $0.string("dex_symbol") == leg.dexSymbol }
                #expect(row?.string("symbol") == leg.symbol)
                #expect(close(row?.double("funding_rate"), leg.rate))
                #expect(close(row?.double("funding_interval_hours"), leg.interval))
                #expect(close(row?.double("rate_1h"), leg.rate / leg.interval))
                #expect(close(row?.double("rate_8h"), leg.rate8h))
                #expect(close(row?.double("apr"), leg.apr))
                #expect(close(row?.double("mark_price"), leg.unitMark))
                #expect(close(row?.double("open_interest_usd"), leg.oi))
                #expect(close(row?.double("volume_24h_usd"), leg.volume))
                #expect(close(row?.double("spread_bps"), leg.spreadBps))
                let age = row?.double("age_seconds") ?? -1
                #expect(age >= leg.ageSeconds - 1 && age < leg.ageSeconds + 60, "\(leg.dex) age \(age)")
            }
        }
        // A deactivated market leaves the view.
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE markets SET is_active = false WHERE dex_symbol = 'AAA-PERP'")
            let n = try await conn.scalar("SELECT count(*)::int FROM latest_funding_rates", as: Int.self)
            #expect(n == KnownAnswer.legs.count - 1)
        }
    }

    @Test("best_opportunities: the pair with the highest net_profit per symbol")
    func bestPerSymbol() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        let all = ExpectedOpportunity.all(KnownAnswer.legs)
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("SELECT * FROM best_opportunities")
            #expect(rows.map { $0.string("symbol") } == ["AAA", "PEPE"])
            for row in rows {
                let best = all.filter { $0.l.symbol == row.string("symbol") }.max { $0.netProfit < $1.netProfit }!
                #expect(rowKey(row) == best.key)
                #expect(best.mismatches(row).isEmpty)
            }
        }
    }

    @Test("funding_rankings: by apr, highest or lowest, with dex, quote, OI and volume filters and the rank inside the filter")
    func rankings() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        _ = try await KnownAnswer.load(db)
        let legs = KnownAnswer.legs
        func expected(_ keep: (Leg) -> Bool, asc: Bool = false, limit: Int? = nil) -> [String] {
            let sorted = legs.filter(keep).sorted { asc ? $0.apr < $1.apr : $0.apr > $1.apr }
            return Array(sorted.prefix(limit ?? sorted.count)).map { "\($0.dex)/\($0.dexSymbol)" }
        }
        let cases: [(String, [String])] = [
            ("", expected { _ in true }),
            ("\"order\" => 'asc'", expected({ _ in true }, asc: true)),
            ("dexes => ARRAY['binance', 'hyperliquid']", expected { ["binance", "hyperliquid"].contains($0.dex) }),
            ("quote => 'USD'", expected { $0.quote == "USD" }),
            ("min_oi_usd => 1000000", expected { $0.oi >= 1_000_000 }),
            ("max_oi_usd => 1000000", expected { $0.oi <= 1_000_000 }),
            ("min_volume_24h => 2000000, \"order\" => 'asc', limit_rows => 3",
             expected({ $0.volume >= 2_000_000 }, asc: true, limit: 3)),
            ("max_age => interval '5 minutes'", expected { $0.ageSeconds <= 300 }),
        ]
        try await db.with(try db.readerURL) { conn in
            for (args, want) in cases {
                let rows = try await conn.jsonRows("SELECT * FROM funding_rankings(\(args))")
                #expect(rows.map { "\($0.string("dex") ?? "")/\($0.string("dex_symbol") ?? "")" } == want, "\(args)")
                #expect(rows.map { $0.int("rank") ?? 0 } == (0..<rows.count).map { $0 + 1 },
                        "\(args): ranks are 1..n inside the filter (no ties in the dataset)")
                for row in rows {
                    let leg = legs.first { $0.dex == row.string("dex") && $0.dexSymbol == row.string("dex_symbol") }
                    #expect(close(row.double("apr"), leg?.apr))
                }
            }
        }
    }

    @Test("invalid parameters raise invalid_parameter_value naming the parameter")
    func invalidParameters() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            for (call, name) in [("opportunities(fee_type => 'cheap')", "fee_type"),
                                 ("opportunities(hold_hours => 0)", "hold_hours"),
                                 ("opportunities(oi_imbalance => 'heavy')", "oi_imbalance"),
                                 ("opportunities(max_age => interval '-1 minute')", "max_age"),
                                 ("funding_rankings(\"order\" => 'up')", "order"),
                                 ("funding_rankings(limit_rows => -1)", "limit_rows"),
                                 ("funding_stats('2d')", "p_window")] {
                do {
                    try await conn.exec(PostgresQuery(unsafeSQL: "SELECT * FROM \(call)"))
                    Issue.record("\(call) did not fail")
                } catch let error as PSQLError {
                    #expect(error.serverInfo?[.sqlState] == "22023", "\(call)")
                    #expect(error.serverInfo?[.hint] == name, "\(call)")
                }
            }
        }
    }
}
