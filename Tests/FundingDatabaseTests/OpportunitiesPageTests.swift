import Foundation
import FundingCore
import FundingStore
import PostgresNIO
import Testing

/// `opportunities_page()` (the API's read) returns `current_opportunities()`'s rows: for every parameter set the
/// first `limit` rows in the route's order are the same rows with the same values, and `total_count` is the number of
/// all matches. Checked on its fast path (the narrow keys) and on the paths that fall back to
/// `current_opportunities()`, over legs with unknown volumes, OI and spreads, stale legs, fee tiers, an unknown fee
/// and many equal sort values (equal fees, equal rates).
@Suite("Opportunities page equals current_opportunities()")
struct OpportunitiesPageTests {
    static let dexes = ["binance", "bybit", "okx", "hyperliquid", "edgex", "lighter"]

    /// 40 symbols on six dexes: rates from a fixed sequence, some legs without volume, OI or book, some stale,
    /// some with rates equal to another dex's.
    static func snapshots(now: Date) -> [MarketSnapshot] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        var out: [MarketSnapshot] = []
        for s in 1...40 {
            for (i, dex) in dexes.enumerated() {
                let interval: Double = dex == "hyperliquid" || dex == "lighter" ? 1 : 8
                // Every fifth symbol has the same rate everywhere (ties in divergence and net profit).
                let rate = s % 5 == 0 ? 0.0001 : (next() - 0.4) * 0.002 * interval / 8
                let price = 10 + Double(s)
                let mark = price * (1 + (next() - 0.5) * 0.001)
                let known = (s + i) % 7 != 0
                out.append(MarketSnapshot(
                    dex: dex, dexSymbol: "S\(s)USDT", symbol: "S\(s)", quote: i == 4 ? "USD" : "USDT",
                    time: now.addingTimeInterval((s + i) % 11 == 0 ? -400 : -5), fundingRate: rate,
                    fundingIntervalHours: interval, markPrice: mark, indexPrice: price,
                    openInterestBase: known ? 1000 : nil, openInterestUSD: known ? 1e5 + next() * 1e7 : nil,
                    volume24hUSD: (s + 2 * i) % 9 == 0 ? nil : 5e4 + next() * 1e8,
                    bestBid: known ? mark * 0.9999 : nil, bestAsk: known ? mark * (1 + next() * 0.001) : nil))
            }
        }
        return out
    }

    /// Parameter sets: (name, opportunities_page arguments in SQL, the sort column, descending, limit).
    static let cases: [(String, String, String, Bool, Int)] = [
        ("the API's defaults", "p_min_divergence => 0.0001, p_min_profit => 0, p_min_volume_24h => 100000",
         "net_profit", true, 10),
        ("maker fees, 24 h, no minimum, by APY ascending", "p_fee_type => 'maker', p_hold_hours => 24",
         "annualized_apy", false, 7),
        ("a fee tier, three dexes, by divergence", "p_volume_30d => 2000000, p_include_dexes => '{binance,okx,hyperliquid}'",
         "divergence", true, 5),
        ("OI, ratio and spread filters, by fees (many ties)",
         "p_exclude_dexes => '{edgex}', p_min_oi_usd => 200000, p_max_oi_usd => 9000000, p_oi_ratio_min => 0.2, "
             + "p_oi_ratio_max => 5, p_max_spread_bps => 8, p_min_profit => -1", "estimated_fees", false, 20),
        ("volume band and a short max_age", "p_min_volume_24h => 1000000, p_max_volume_24h => 90000000, "
             + "p_max_age => interval '60 seconds', p_min_profit => -0.001", "net_profit", false, 15),
        ("everything, one page", "p_min_profit => -1", "net_profit", true, 1000),
        ("a limit inside a tie", "p_min_profit => -1", "divergence", false, 3),
        ("maker fees, three dexes, net profit ascending (the net path)",
         "p_fee_type => 'maker', p_include_dexes => '{binance,okx,lighter}', p_min_profit => -0.01", "net_profit",
         false, 9),
        ("net profit at 24 h (the keys' general path)", "p_hold_hours => 24, p_min_profit => 0", "net_profit", true, 6),
        ("net profit with a fee tier (the keys' general path)", "p_volume_30d => 2000000, p_min_profit => -0.0005",
         "net_profit", true, 6),
        ("a symbol (the fallback)", "p_symbol => 'S3', p_min_profit => -1", "net_profit", true, 4),
        ("a symbols list and a quote (the fallback)", "p_symbols => '{S1,S2,S5}', p_quote => 'USDT', p_min_profit => -1",
         "divergence", true, 10),
        ("a sort the keys do not hold (the fallback)", "p_min_profit => -1", "long_oi_usd", true, 10),
    ]

    static func arguments(_ extra: String, _ sort: String, _ desc: Bool, _ limit: Int) -> String {
        let given = Set(extra.split(separator: ",").compactMap { $0.split(separator: "=").first }
            .map { $0.trimmingCharacters(in: .whitespaces) })
        var args = extra.isEmpty ? [] : [extra]
        for (name, value) in [("p_fee_type", "'taker'"), ("p_hold_hours", "8"), ("p_max_age", "interval '300 seconds'")]
        where !given.contains(name) { args.append("\(name) => \(value)") }
        for name in ["p_symbol", "p_long_dex", "p_short_dex", "p_quote", "p_oi_imbalance"] where !given.contains(name) {
            args.append("\(name) => NULL::text")
        }
        for name in ["p_include_dexes", "p_exclude_dexes", "p_symbols"] where !given.contains(name) {
            args.append("\(name) => NULL::text[]")
        }
        for name in ["p_min_divergence", "p_min_profit", "p_min_volume_24h", "p_max_volume_24h", "p_min_oi_usd",
                     "p_max_oi_usd", "p_oi_ratio_min", "p_oi_ratio_max", "p_max_spread_bps", "p_volume_30d"]
        where !given.contains(name) { args.append("\(name) => NULL::float8") }
        args.append("p_sort_by => '\(sort)', p_sort_desc => \(desc), p_limit_rows => \(limit)")
        return args.joined(separator: ", ")
    }

    /// current_opportunities() with the same arguments (its names are the page's without `p_`), the symbols list
    /// applied as the route applies it.
    static func reference(_ extra: String) -> (call: String, symbols: String?) {
        var parts: [String] = []
        var symbols: String?
        for part in extra.components(separatedBy: ", p_").map({ $0.hasPrefix("p_") ? String($0.dropFirst(2)) : $0 })
        where !part.isEmpty {
            if part.hasPrefix("symbols =>") { symbols = String(part.dropFirst("symbols =>".count)); continue }
            parts.append(part)
        }
        return ("current_opportunities(\(parts.joined(separator: ", ")))", symbols)
    }

    /// A database with the snapshots written by one cycle and the fees the cases rely on: binance, bybit and okx
    /// alike (many equal net profits), hyperliquid with a tier, lighter free, edgex unknown.
    static func database(stale: Bool) async throws -> TestDatabase {
        let db = try await TestDatabase.make()
        do {
            try await db.with(try db.ownerURL) { conn in
                try await conn.exec("UPDATE dexes SET maker_fee = 0.0002, taker_fee = 0.0005, fee_tiers = NULL WHERE name IN ('binance', 'okx', 'bybit')")
                try await conn.exec(PostgresQuery(unsafeSQL: """
                    UPDATE dexes SET maker_fee = 0.0001, taker_fee = 0.0004,
                      fee_tiers = '[{"min_volume_30d": 1000000, "maker_fee": 0.00005, "taker_fee": 0.0003}]'
                    WHERE name = 'hyperliquid'
                    """))
                try await conn.exec("UPDATE dexes SET maker_fee = 0, taker_fee = 0 WHERE name = 'lighter'")
                try await conn.exec("UPDATE dexes SET maker_fee = NULL, taker_fee = NULL WHERE name = 'edgex'")
            }
            let now = Date()
            try await db.withClient(try db.writerURL) { client in
                _ = try await CycleWriter(client: client, logger: TestDatabase.logger)
                    .write(snapshots: Self.snapshots(now: now), runs: [])
            }
            if stale {  // as an operator's change between cycles leaves it: every request takes the fallback
                try await db.with(try db.ownerURL) { conn in
                    try await conn.exec("UPDATE opportunity_candidates_state SET current = false")
                }
            }
        } catch {
            db.drop()
            throw error
        }
        return db
    }

    @Test("rows, order, values and total_count", arguments: [false, true])
    func equal(stale: Bool) async throws {
        let db = try await Self.database(stale: stale)
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            let current = try await conn.scalar("SELECT current FROM opportunity_candidates_state", as: Bool.self)
            #expect(current == !stale)
            for (name, extra, sort, desc, limit) in Self.cases {
                let order = "\(sort) \(desc ? "DESC" : "ASC") NULLS LAST, symbol, long_dex, short_dex, "
                    + "long_dex_symbol, short_dex_symbol"
                let (call, symbols) = Self.reference(extra)
                let filter = symbols.map { "WHERE x.symbol = ANY (\($0)::text[])" } ?? ""
                let expected = try await conn.column(PostgresQuery(unsafeSQL: """
                    SELECT x::text FROM \(call) x \(filter) ORDER BY \(order) LIMIT \(limit)
                    """), as: String.self)
                let total = try await conn.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(call) x \(filter)"),
                                                  as: Int.self)
                let page = "opportunities_page(\(Self.arguments(extra, sort, desc, limit)))"
                let got = try await conn.column(PostgresQuery(unsafeSQL: """
                    SELECT x::text FROM (SELECT (p.o).* FROM \(page) p) x ORDER BY \(order) LIMIT \(limit)
                    """), as: String.self)
                let counts = try await conn.column(PostgresQuery(unsafeSQL: "SELECT DISTINCT total_count FROM \(page)"),
                                                   as: Int.self)
                #expect(!expected.isEmpty, "\(name): the case selects rows")
                #expect(got == expected, "\(name)")
                #expect(counts == [total], "\(name): total_count \(counts) of \(total) matches")
            }
        }
    }

    /// The net path's first rows end inside a group of equal net profits (binance, bybit and okx charge alike, and
    /// every fifth symbol has one rate everywhere): every pair of the group must come back, so the caller's
    /// tie-breakers pick the same rows as over all matches.
    @Test("net profit: a limit inside a tie")
    func netProfitTie() async throws {
        let db = try await Self.database(stale: false)
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            let reference = "current_opportunities(include_dexes => '{binance,okx,bybit}', min_profit => -1, "
                + "fee_type => 'taker', hold_hours => 8, max_age => interval '300 seconds')"
            let tie = try await conn.scalar(PostgresQuery(unsafeSQL: """
                SELECT net_profit FROM \(reference) WHERE symbol = 'S5' LIMIT 1
                """), as: Double.self)
            let above = try await conn.scalar(PostgresQuery(unsafeSQL: """
                SELECT count(*) FROM \(reference) WHERE net_profit > \(tie)
                """), as: Int.self)
            let tied = try await conn.scalar(PostgresQuery(unsafeSQL: """
                SELECT count(*) FROM \(reference) WHERE net_profit = \(tie)
                """), as: Int.self)
            #expect(tied >= 6, "the fixture has a tie group (\(tied))")
            let limit = above + 2  // two rows into the group
            let order = "net_profit DESC NULLS LAST, symbol, long_dex, short_dex, long_dex_symbol, short_dex_symbol"
            let expected = try await conn.column(PostgresQuery(unsafeSQL: """
                SELECT x::text FROM \(reference) x ORDER BY \(order) LIMIT \(limit)
                """), as: String.self)
            let arguments = Self.arguments("p_include_dexes => '{binance,okx,bybit}', p_min_profit => -1", "net_profit",
                                           true, limit)
            let page = "opportunities_page(\(arguments))"
            let returned = try await conn.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(page)"), as: Int.self)
            let got = try await conn.column(PostgresQuery(unsafeSQL: """
                SELECT x::text FROM (SELECT (p.o).* FROM \(page) p) x ORDER BY \(order) LIMIT \(limit)
                """), as: String.self)
            #expect(returned == above + tied, "every tied pair returned (\(returned) of \(above) + \(tied))")
            #expect(got == expected)
            // A min_profit equal to the group's net profit keeps the group (net_profit >= min_profit).
            let atTieArguments = Self.arguments("p_include_dexes => '{binance,okx,bybit}', p_min_profit => \(tie)",
                                                "net_profit", false, 1)
            let atTie = "opportunities_page(\(atTieArguments))"
            let counted = try await conn.column(PostgresQuery(unsafeSQL: "SELECT DISTINCT total_count FROM \(atTie)"),
                                                as: Int.self)
            #expect(counted == [above + tied], "min_profit at the tie: \(counted) of \(above) + \(tied)")
        }
    }
}
