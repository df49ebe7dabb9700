import Foundation
import PostgresNIO
import Testing

/// One raw sample of a leaderboard test market; `time` is a SQL timestamptz expression (test constants only).
struct BoardSample: Sendable {
    var time: String
    var mark: Double
    var oi: Double = 1e6
    var volume: Double = 1e6
    var rate: Double = 0.0001
    var bid: Double?
    var ask: Double?

    /// A sample `ago` (PostgreSQL interval text) before now().
    init(ago: String, mark: Double, oi: Double = 1e6, volume: Double = 1e6, rate: Double = 0.0001,
         bid: Double? = nil, ask: Double? = nil) {
        self.init(at: "now() - interval '\(ago)'", mark: mark, oi: oi, volume: volume, rate: rate, bid: bid, ask: ask)
    }

    init(at time: String, mark: Double, oi: Double = 1e6, volume: Double = 1e6, rate: Double = 0.0001,
         bid: Double? = nil, ask: Double? = nil) {
        self.time = time
        self.mark = mark
        self.oi = oi
        self.volume = volume
        self.rate = rate
        self.bid = bid
        self.ask = ask
    }
}

/// A market of the leaderboard tests: its venue, quote, funding interval and raw samples. The newest sample also
/// becomes its `market_latest` row.
struct BoardMarket: Sendable {
    var dex: String
    var symbol: String
    var quote: String = "USDT"
    var interval: Double = 8
    var samples: [BoardSample]
    /// The venue's symbol when it is not symbol + quote (Hyperliquid: the coin).
    var venueSymbol: String?
    var dexSymbol: String { venueSymbol ?? symbol + quote }
}

/// Inserts markets and samples as the owner (the write path has its own tests): times are `now() - ago`, so inside
/// one transaction every offset is exact against the now() the boards read.
func insertBoardMarkets(_ conn: PostgresConnection, _ markets: [BoardMarket]) async throws {
    func num(_ v: Double?) -> String { v.map { "\($0)" } ?? "NULL" }
    for m in markets {
        try await conn.exec("INSERT INTO symbols (symbol) VALUES (\(m.symbol)) ON CONFLICT DO NOTHING")
        try await conn.exec("""
            INSERT INTO markets (dex_id, symbol_id, dex_symbol, quote, margin, multiplier, funding_interval_hours)
            SELECT d.id, s.id, \(m.dexSymbol), \(m.quote), 'linear', 1, \(m.interval) FROM dexes d, symbols s
            WHERE d.name = \(m.dex) AND s.symbol = \(m.symbol)
            """)
        let values = m.samples.map { s in
            "(\(s.time), \(s.mark), \(s.oi), \(s.volume), \(s.rate), \(num(s.bid)), \(num(s.ask)))"
        }.joined(separator: ", ")
        try await conn.exec(PostgresQuery(unsafeSQL: """
            INSERT INTO funding_rates (time, market_id, funding_rate, funding_interval_hours, mark_price,
                                       open_interest_usd, volume_24h_usd, best_bid, best_ask)
            SELECT v.t, mk.id, v.rate::float8, \(m.interval), v.mark::float8, v.oi::float8, v.vol::float8,
                   v.bid::float8, v.ask::float8
            FROM (VALUES \(values)) AS v(t, mark, oi, vol, rate, bid, ask)
            CROSS JOIN (SELECT m.id FROM markets m JOIN dexes d ON d.id = m.dex_id
                        WHERE d.name = '\(m.dex)' AND m.dex_symbol = '\(m.dexSymbol)') mk
            """))
    }
    try await conn.exec("""
        INSERT INTO market_latest (market_id, time, funding_rate, funding_interval_hours, mark_price,
                                   open_interest_usd, volume_24h_usd, best_bid, best_ask)
        SELECT DISTINCT ON (market_id) market_id, time, funding_rate, funding_interval_hours, mark_price,
               open_interest_usd, volume_24h_usd, best_bid, best_ask
        FROM funding_rates ORDER BY market_id, time DESC
        ON CONFLICT (market_id) DO UPDATE SET time = excluded.time, funding_rate = excluded.funding_rate,
            mark_price = excluded.mark_price, open_interest_usd = excluded.open_interest_usd,
            volume_24h_usd = excluded.volume_24h_usd, best_bid = excluded.best_bid, best_ask = excluded.best_ask
        """)
}

/// Rows of `leaderboard(...)` with the given SQL argument list, in the function's order.
func board(_ conn: PostgresConnection, _ arguments: String) async throws -> [JSONRow] {
    try await conn.jsonRows("SELECT * FROM leaderboard(\(arguments))")
}

func symbols(_ rows: [JSONRow]) -> [String] { rows.map { $0.string("symbol") ?? "?" } }
func values(_ rows: [JSONRow]) -> [Double] { rows.map { $0.double("value") ?? .nan } }
func ranks(_ rows: [JSONRow]) -> [Int] { rows.map { $0.int("rank") ?? -1 } }

/// Checks `got` against `expected` element-wise within `close`'s tolerance.
func expectValues(_ got: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(got.count == expected.count, "\(got) vs \(expected)", sourceLocation: sourceLocation)
    for (g, e) in zip(got, expected) {
        #expect(close(g, e), "\(got) vs \(expected)", sourceLocation: sourceLocation)
    }
}

func metric(_ row: JSONRow, _ name: String) -> Double? {
    guard let text = row.values["metrics"].flatMap({ $0 as? [String: Any] }) else { return nil }
    return (text[name] as? NSNumber)?.doubleValue
}

@Suite("Screener leaderboards (known answers)", .timeLimit(.minutes(5)))
struct LeaderboardTests {
    /// Offsets of the window tests: T0 = the latest sample, 30 s old; Th, T1, T4, T24 lie 30 min, 1 h, 4 h and 24 h
    /// before it, so each window's reference is exactly one window before the latest sample.
    static let t0 = "30 seconds", th = "30 minutes 30 seconds", t1 = "1 hour 30 seconds"
    static let t4 = "4 hours 30 seconds", t24 = "24 hours 30 seconds"

    static let windowMarkets: [BoardMarket] = [
        // A: 1h 100 -> 110 (+10 %), 4h 105 -> 110, 24h 100 -> 110; half-window 104. OI 1e6 -> 1.2e6 (1h and 4h).
        // Rate 0.0001 -> 0.0002 per 8 h.
        BoardMarket(dex: "binance", symbol: "AAA", samples: [
            BoardSample(ago: t24, mark: 100, oi: 1e6, volume: 4e6),
            BoardSample(ago: t4, mark: 105, oi: 1e6, volume: 4e6),
            BoardSample(ago: t1, mark: 100, oi: 1e6, volume: 4e6),
            BoardSample(ago: th, mark: 104, oi: 1.1e6, volume: 4.5e6),
            BoardSample(ago: t0, mark: 110, oi: 1.2e6, volume: 5e6, rate: 0.0002, bid: 109.9, ask: 110.1),
        ]),
        // B: 1h and 4h 200 -> 190 (-5 %), 24h 180 -> 190; half 195. OI 1e6 (4h), 1.05e6 (1h) -> 1.1e6.
        BoardMarket(dex: "binance", symbol: "BBB", samples: [
            BoardSample(ago: t24, mark: 180, oi: 1e6, volume: 8e6),
            BoardSample(ago: t4, mark: 200, oi: 1e6, volume: 8e6),
            BoardSample(ago: t1, mark: 200, oi: 1.05e6, volume: 8e6),
            BoardSample(ago: th, mark: 195, oi: 1.08e6, volume: 8e6),
            BoardSample(ago: t0, mark: 190, oi: 1.1e6, volume: 8e6, bid: 189.81, ask: 190.19),
        ]),
        // C (1 h funding): 50 -> 51.5 (+3 %) over 1h and 4h, OI 2e6 -> 2.2e6, rate 0.0001 -> 0.0006 per hour.
        BoardMarket(dex: "bybit", symbol: "CCC", interval: 1, samples: [
            BoardSample(ago: t4, mark: 50, oi: 2e6),
            BoardSample(ago: t1, mark: 50, oi: 2e6),
            BoardSample(ago: t0, mark: 51.5, oi: 2.2e6, rate: 0.0006, bid: 51.49, ask: 51.51),
        ]),
        // D (USDC): samples only now and 24 h ago: missing from the 1h and 4h boards. 10 -> 11.
        BoardMarket(dex: "binance", symbol: "DDD", quote: "USDC", samples: [
            BoardSample(ago: t24, mark: 10, oi: 5e5, volume: 2e6),
            BoardSample(ago: t0, mark: 11, oi: 5e5, volume: 2e6, bid: 10.98, ask: 11.02),
        ]),
        // E: one sample 30 s inside the 1 h window (too new) and one 1 min beyond the 15 min tolerance: no reference.
        BoardMarket(dex: "binance", symbol: "EEE", samples: [
            BoardSample(ago: "1 hour 16 minutes", mark: 100),
            BoardSample(ago: "59 minutes 30 seconds", mark: 100),
            BoardSample(ago: t0, mark: 130),
        ]),
        // F: a sample exactly at now() - 1 h: the window's edge is inclusive. 100 -> 99.
        BoardMarket(dex: "binance", symbol: "FFF", samples: [
            BoardSample(ago: "1 hour", mark: 100),
            BoardSample(ago: t0, mark: 99),
        ]),
        // G: a sample exactly at now() - 1 h - 15 min: the tolerance's far edge is exclusive.
        BoardMarket(dex: "binance", symbol: "GGG", samples: [
            BoardSample(ago: "1 hour 15 minutes", mark: 100),
            BoardSample(ago: t0, mark: 120),
        ]),
    ]

    /// Inserts the window markets and runs `body` inside one transaction, so now() is the same for the inserts and
    /// every board read; rolled back afterwards.
    func withWindowData(_ body: (PostgresConnection) async throws -> Void) async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("BEGIN")
            try await insertBoardMarkets(conn, Self.windowMarkets)
            try await body(conn)
            try await conn.exec("ROLLBACK")
        }
    }

    @Test("gainers / losers: price change per window, the window's edges, a market with missing samples, filters")
    func gainersAndLosers() async throws {
        try await withWindowData { conn in
            // 1h: A (110/100 - 1) x 100 = 10; C (51.5/50 - 1) x 100 = 3. D has no sample near now() - 1 h, E only
            // one 30 s too new and one 1 min too old, G one exactly 15 min too old (exclusive): none ranked.
            let g1 = try await board(conn, "'gainers', '1h'")
            #expect(symbols(g1) == ["AAA", "CCC"])
            expectValues(values(g1), [10, 3])
            #expect(close(metric(g1[0], "mark_reference"), 100))
            #expect(close(metric(g1[0], "hours"), 1))                          // 30 s + 1 h ago -> 30 s ago
            // Losers 1h: B (190/200 - 1) x 100 = -5; F (99/100 - 1) x 100 = -1 from the sample exactly at
            // now() - 1 h (inclusive edge), 1 h - 30 s = 0.991666... h before the latest.
            let l1 = try await board(conn, "'losers', '1h'")
            #expect(symbols(l1) == ["BBB", "FFF"])
            expectValues(values(l1), [-5, -1])
            #expect(close(metric(l1[1], "hours"), 3570.0 / 3600))
            // 4h: A (110/105 - 1) x 100 = 4.7619047619...; C 3 again (50 four hours ago).
            let g4 = try await board(conn, "'gainers', '4h'")
            #expect(symbols(g4) == ["AAA", "CCC"])
            expectValues(values(g4), [100.0 / 21, 3])                          // 110/105 - 1 = 5/105 = 1/21
            // 24h: A 10 and D (11/10 - 1) x 100 = 10 tie (rank 1, dex then venue symbol), B (190/180 - 1) x 100.
            let g24 = try await board(conn, "'gainers'")                       // default window 24h
            #expect(symbols(g24) == ["AAA", "DDD", "BBB"])
            #expect(ranks(g24) == [1, 1, 3])
            expectValues(values(g24), [10, 10, 100.0 / 18])                    // 10/180 = 1/18
            // Filters: quote (case-insensitive), dexes, min volume, min OI, limit.
            #expect(symbols(try await board(conn, "'gainers', quote => 'usdc'")) == ["DDD"])
            #expect(symbols(try await board(conn, "'gainers', '1h', dexes => ARRAY['bybit']")) == ["CCC"])
            #expect(symbols(try await board(conn, "'gainers', '1h', min_volume_24h => 3e6")) == ["AAA"])  // A 5e6, C 1e6
            #expect(symbols(try await board(conn, "'gainers', '1h', min_oi_usd => 2e6")) == ["CCC"])      // C 2.2e6
            #expect(symbols(try await board(conn, "'gainers', '1h', limit_rows => 1")) == ["AAA"])
            #expect(try await board(conn, "'gainers', '1h', max_age => '10 seconds'").isEmpty)            // all 30 s old
            #expect(symbols(try await board(conn, "'gainers', '1h', max_age => '1 minute'")) == ["AAA", "CCC"])
        }
    }

    @Test("momentum: velocity over the window and its halves, acceleration")
    func momentum() async throws {
        try await withWindowData { conn in
            // A: 10 % in 1 h = 10 %/h. Recent half 104 -> 110: 5.769230...% / 0.5 h = 11.538461538...; earlier half
            // 100 -> 104: 4 % / 0.5 h = 8; acceleration (11.538461538 - 8) / 0.5 = 7.076923076923...
            // B: -5 %/h; recent 195 -> 190: -2.564102564...% / 0.5 = -5.128205128...; earlier 200 -> 195: -2.5 % /
            // 0.5 = -5; acceleration (-5.128205128 + 5) / 0.5 = -0.256410256...
            // Ordered by magnitude. C and F have no sample near now() - 30 min: not ranked.
            let rows = try await board(conn, "'momentum'")
            #expect(symbols(rows) == ["AAA", "BBB"])
            expectValues(values(rows), [10, -5])
            #expect(close(metric(rows[0], "velocity_recent_pct_per_hour"), (110.0 / 104 - 1) * 200))
            #expect(close(metric(rows[0], "velocity_earlier_pct_per_hour"), 8))
            #expect(close(metric(rows[0], "acceleration_pct_per_hour2"), ((110.0 / 104 - 1) * 200 - 8) / 0.5))
            #expect(close(metric(rows[0], "acceleration_pct_per_hour2"), 7.076923076923077, relative: 1e-12))
            #expect(close(metric(rows[1], "velocity_recent_pct_per_hour"), (190.0 / 195 - 1) * 200))
            #expect(close(metric(rows[1], "velocity_earlier_pct_per_hour"), -5))
            #expect(close(metric(rows[1], "acceleration_pct_per_hour2"), -0.2564102564102564, relative: 1e-9))
        }
    }

    @Test("oi_change, funding_change and signals over their windows")
    func openInterestFundingSignals() async throws {
        try await withWindowData { conn in
            // OI 1h: A (1.2e6/1e6 - 1) x 100 = 20 (+200,000 USD); C (2.2/2 - 1) x 100 = 10; B (1.1/1.05 - 1) x 100
            // = 4.7619... (+50,000 USD); F 0. Ordered by magnitude.
            let oi = try await board(conn, "'oi_change', '1h'")
            #expect(symbols(oi) == ["AAA", "CCC", "BBB", "FFF"])
            expectValues(values(oi), [20, 10, 100.0 / 21, 0])
            #expect(close(metric(oi[0], "oi_change_usd"), 200_000, relative: 1e-9))
            #expect(close(metric(oi[2], "oi_change_usd"), 50_000, relative: 1e-9))
            #expect(close(metric(oi[2], "oi_reference_usd"), 1.05e6))
            // Funding apr 1h: C 0.0001 -> 0.0006 per 1 h: 87.6 -> 525.6 % (x 876,000), change 438 points;
            // A 0.0001 -> 0.0002 per 8 h: 10.95 -> 21.9, change 10.95; B and F unchanged (0, tie).
            let f = try await board(conn, "'funding_change', '1h'")
            #expect(symbols(f) == ["CCC", "AAA", "BBB", "FFF"])
            expectValues(values(f), [438, 10.95, 0, 0])
            #expect(ranks(f) == [1, 2, 3, 3])
            #expect(close(metric(f[0], "apr_reference"), 87.6))
            // Signals. 4 h: A OI +20 %, price +4.76 % -> oi_up_price_up (20); B OI 1e6 -> 1.1e6 = +10 %, price -5 %
            // -> oi_up_price_down (10); C OI +10 %, price +3 % -> oi_up_price_up (10). 1 h: C apr 525.6 >= 50 and
            // OI +10 % -> funding_extreme_oi_spike (10). A's apr 21.9 < 50: no spike signal.
            let s = try await board(conn, "'signals'")
            #expect(s.map { "\($0.string("symbol")!) \($0.string("signal")!)" } == [
                "AAA oi_up_price_up", "BBB oi_up_price_down", "CCC funding_extreme_oi_spike", "CCC oi_up_price_up",
            ])
            expectValues(values(s), [20, 10, 10, 10])
            #expect(ranks(s) == [1, 2, 2, 2])
            #expect(close(metric(s[1], "price_change_pct"), -5))
            #expect(close(metric(s[2], "apr"), 525.6))
        }
    }

    @Test("boards on the latest state: volume, OI, OI/volume, funding (same order as funding_rankings), spreads")
    func latestStateBoards() async throws {
        try await withWindowData { conn in
            // Volume: B 8e6, A 5e6, D 2e6, then C, E, F, G at 1e6.
            let v = try await board(conn, "'volume_24h', limit_rows => 3")
            #expect(symbols(v) == ["BBB", "AAA", "DDD"])
            expectValues(values(v), [8e6, 5e6, 2e6])
            // OI: C 2.2e6, A 1.2e6, B 1.1e6, E/F/G 1e6 (tie, rank 4), D 5e5.
            let oi = try await board(conn, "'oi_leaders'")
            #expect(symbols(oi) == ["CCC", "AAA", "BBB", "EEE", "FFF", "GGG", "DDD"])
            #expect(ranks(oi) == [1, 2, 3, 4, 4, 4, 7])
            // OI / volume: C 2.2e6/1e6 = 2.2; E/F/G 1; D 5e5/2e6 = 0.25; A 1.2e6/5e6 = 0.24; B 1.1e6/8e6 = 0.1375.
            let r = try await board(conn, "'oi_volume_ratio'")
            #expect(symbols(r) == ["CCC", "EEE", "FFF", "GGG", "DDD", "AAA", "BBB"])
            expectValues(values(r), [2.2, 1, 1, 1, 0.25, 0.24, 0.1375])
            // Funding: the same order and apr as funding_rankings(). C 525.6, A 21.9, the rest 10.95.
            for (name, order) in [("funding_highest", "desc"), ("funding_lowest", "asc")] {
                let b = try await board(conn, "'\(name)', limit_rows => NULL")
                let fr = try await conn.jsonRows("SELECT * FROM funding_rankings(\"order\" => '\(order)')")
                #expect(b.map { "\($0.string("dex")!)/\($0.string("dex_symbol")!)" }
                        == fr.map { "\($0.string("dex")!)/\($0.string("dex_symbol")!)" })
                expectValues(values(b), fr.map { $0.double("apr")! })
                #expect(ranks(b) == fr.map { $0.int("rank")! })
            }
            expectValues(values(try await board(conn, "'funding_highest', limit_rows => 2")), [525.6, 21.9])
            // Spreads (ask - bid) / mid x 1e4: D 0.04/11 = 36.3636...; B 0.38/190 = 20; A 0.2/110 = 18.1818...;
            // C 0.02/51.5 = 3.8834951...; E, F, G have no bid/ask and are left out.
            let wide = try await board(conn, "'spread_widest'")
            #expect(symbols(wide) == ["DDD", "BBB", "AAA", "CCC"])
            expectValues(values(wide), [400.0 / 11, 20, 200.0 / 11, 200.0 / 51.5])
            #expect(symbols(try await board(conn, "'spread_tightest'")) == ["CCC", "AAA", "BBB", "DDD"])
        }
    }

    @Test("volatility and volume_surge from completed rollup buckets; coverage limits")
    func rollupBoards() async throws {
        // The expected buckets are counted from the current hour: do not straddle an hour boundary.
        let secondsIntoHour = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 3600)
        if secondsIntoHour > 3540 { try await Task.sleep(for: .seconds(3605 - secondsIntoHour)) }
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            let hour = try await conn.scalar("SELECT time_bucket('1 hour', now())::text", as: String.self)
            let day = try await conn.scalar("SELECT time_bucket('1 day', now())::text", as: String.self)
            func hourly(_ k: Int) -> String { "timestamptz '\(hour)' - interval '\(k) hours' + interval '30 minutes'" }
            // V: hourly closes alternate 110 (k odd) / 100 (k even) over the 25 completed hours before the current
            // one -> 24 returns of +-ln(1.1); mean 0, stddev_samp = ln(1.1) x sqrt(24/23) = 0.0973600956...
            // = 9.736009560746664 %/h, annualised x sqrt(8760) = 911.2405652639076 %. Volume 1e6 in the 24 hours
            // of the surge baseline, 100e6 in hour 25 (outside it); latest 3e6 -> surge 3.
            var v: [BoardSample] = (1...25).map { k in
                BoardSample(at: hourly(k), mark: k % 2 == 1 ? 110 : 100, volume: k == 25 ? 100e6 : 1e6)
            }
            v.append(BoardSample(ago: "0 seconds", mark: 105, volume: 3e6))
            // W: constant price (volatility 0, still ranked); volume 1e6 (k odd) / 3e6 (k even): mean 2e6 over the
            // 24 hours; latest 1e6 -> surge 0.5.
            var w: [BoardSample] = (1...25).map { k in
                BoardSample(at: hourly(k), mark: 100, volume: k % 2 == 1 ? 1e6 : 3e6)
            }
            w.append(BoardSample(ago: "0 seconds", mark: 100, volume: 1e6))
            // X: only 10 hours of closes = 9 returns, fewer than half the 24h window's: no volatility.
            var x: [BoardSample] = (1...10).map { k in BoardSample(at: hourly(k), mark: 100 + Double(k)) }
            x.append(BoardSample(ago: "0 seconds", mark: 100))
            // Y (bybit): one sample per UTC day at noon, k days before today: volume k x 1e6 for k = 1...7 (mean
            // 4e6 over the 7 completed days), 100e6 on day 8 (outside); latest 8e6 -> 7d surge 2. Mark 110 on odd k,
            // 100 on even k (daily volatility below).
            var y: [BoardSample] = (1...8).map { k in
                BoardSample(at: "timestamptz '\(day)' - interval '\(k) days' + interval '12 hours'", mark: k % 2 == 1 ? 110 : 100,
                            volume: k == 8 ? 100e6 : Double(k) * 1e6)
            }
            y.append(BoardSample(ago: "0 seconds", mark: 100, volume: 8e6))
            try await insertBoardMarkets(conn, [
                BoardMarket(dex: "binance", symbol: "VVV", samples: v),
                BoardMarket(dex: "binance", symbol: "WWW", samples: w),
                BoardMarket(dex: "binance", symbol: "XXX", samples: x),
                BoardMarket(dex: "bybit", symbol: "YYY", samples: y),
            ])
            try await conn.exec("CALL refresh_rollups()")

            let vol = try await board(conn, "'volatility', dexes => ARRAY['binance']")
            #expect(symbols(vol) == ["VVV", "WWW"])
            expectValues(values(vol), [911.2405652639076, 0])
            #expect(close(metric(vol[0], "stddev_per_step_pct"), 9.736009560746664, relative: 1e-9))
            #expect(metric(vol[0], "step_hours") == 1)
            #expect(metric(vol[0], "returns") == 24)
            // 7d: daily closes of the completed UTC days (1d rollup), at least 4 of 7 returns. Only Y has them: closes
            // 100 (k = 8), 110, 100, ..., 110 (k = 1) -> returns +a, -a, +a, -a, +a, -a, +a with a = ln(1.1): mean a/7,
            // sum of squared deviations 4 (6a/7)^2 + 3 (8a/7)^2 = 48a^2/7, / 6 -> sd = a sqrt(8/7) = 0.1018908680856...
            // = 10.189086808560141 % per day, x sqrt(365) = 194.6622301506294 %. V, W, X span two days at most.
            let vol7 = try await board(conn, "'volatility', '7d'")
            #expect(symbols(vol7) == ["YYY"])
            expectValues(values(vol7), [194.6622301506294])
            #expect(close(metric(vol7[0], "stddev_per_step_pct"), 10.189086808560141, relative: 1e-9))
            #expect(metric(vol7[0], "step_hours") == 24)
            #expect(metric(vol7[0], "returns") == 7)

            let surge = try await board(conn, "'volume_surge', dexes => ARRAY['binance']")
            #expect(symbols(surge) == ["VVV", "XXX", "WWW"])                   // X: 1e6 / 1e6 = 1
            expectValues(values(surge), [3, 1, 0.5])
            #expect(close(metric(surge[0], "volume_baseline_usd"), 1e6))
            let surge7 = try await board(conn, "'volume_surge', '7d', dexes => ARRAY['bybit']")
            #expect(symbols(surge7) == ["YYY"])
            expectValues(values(surge7), [2])                                   // 8e6 / ((1+...+7)e6 / 7)
        }
    }

    @Test("trade flow: trade_flow_apply adds per minute and rejects bad rows by reason; cvd and taker_buy_ratio over their windows")
    func tradeFlow() async throws {
        try await withWindowData { conn in
            // Buckets relative to the current minute M (now() is fixed inside the transaction).
            func row(_ symbol: String, _ minutesAgo: Int, buy: Double, sell: Double, buyTrades: Int, sellTrades: Int,
                     buyBase: Double = 0, sellBase: Double = 0) -> String {
                """
                jsonb_build_object('dex', 'binance', 'dex_symbol', '\(symbol)USDT',
                    'bucket', to_jsonb(time_bucket('1 minute', now()) - interval '\(minutesAgo) minutes' + interval '10 seconds'),
                    'buy_usd', \(buy), 'sell_usd', \(sell), 'buy_trades', \(buyTrades), 'sell_trades', \(sellTrades),
                    'buy_base', \(buyBase), 'sell_base', \(sellBase))
                """
            }
            let first = [
                row("AAA", 0, buy: 1000, sell: 400, buyTrades: 3, sellTrades: 1, buyBase: 10, sellBase: 4),
                row("AAA", 30, buy: 500, sell: 1500, buyTrades: 2, sellTrades: 5, buyBase: 5, sellBase: 15),
                row("AAA", 60, buy: 100_000, sell: 0, buyTrades: 10, sellTrades: 0, buyBase: 1000),  // 1h edge: in
                row("AAA", 61, buy: 7777, sell: 0, buyTrades: 1, sellTrades: 0),                     // 4h only
                row("BBB", 5, buy: 200, sell: 800, buyTrades: 1, sellTrades: 2),
                "jsonb_build_object('dex', 'binance', 'dex_symbol', 'NOPEUSDT', 'bucket', to_jsonb(now()), 'buy_usd', 1)",
                "jsonb_build_object('dex', 'binance', 'dex_symbol', 'AAAUSDT', 'bucket', to_jsonb(now()), 'buy_usd', -1)",
                "jsonb_build_object('dex', 'binance', 'dex_symbol', 'AAAUSDT', 'bucket', '2026-02-30T00:00:00Z', 'buy_usd', 1)",
            ]
            let applied = try await conn.jsonRows(
                "SELECT * FROM trade_flow_apply(jsonb_build_array(\(first.joined(separator: ", "))))")
            #expect(applied.first?.int("rows_applied") == 5)
            #expect(applied.first?.int("rows_rejected") == 3)
            let rejected = (applied.first?.values["rejected"] as? [String: Any])?.mapValues { ($0 as? NSNumber)?.intValue }
            #expect(rejected == ["unknown_market": 1, "bad_number": 1, "bad_bucket": 1])
            // A second flush of B's minute adds to it: buy 200 + 100 = 300, sell 800.
            _ = try await conn.jsonRows("SELECT * FROM trade_flow_apply(jsonb_build_array(\(row("BBB", 5, buy: 100, sell: 0, buyTrades: 1, sellTrades: 0))))")

            // CVD 1h: A (1000 - 400) + (500 - 1500) + (100000 - 0) = 99,600 (the 61-minute bucket is outside);
            // B 300 - 800 = -500. Largest magnitude first.
            let cvd = try await board(conn, "'cvd'")
            #expect(symbols(cvd) == ["AAA", "BBB"])
            expectValues(values(cvd), [99_600, -500])
            #expect(close(metric(cvd[0], "buy_volume_usd"), 101_500))             // 1000 + 500 + 100000
            #expect(close(metric(cvd[0], "sell_volume_usd"), 1_900))              // 400 + 1500
            #expect(close(metric(cvd[0], "cvd_base"), 996))                       // (10 - 4) + (5 - 15) + 1000
            #expect(metric(cvd[0], "trades") == 21)                               // 3 + 1 + 2 + 5 + 10
            // 4h adds the 61-minute bucket: 99,600 + 7,777 = 107,377.
            expectValues(values(try await board(conn, "'cvd', '4h', dexes => ARRAY['binance'], limit_rows => 1")), [107_377])
            // Taker buy ratio 1h: A 101,500 / 103,400 = 0.98162475822...; B 300 / 1,100 = 0.272727...
            let ratio = try await board(conn, "'taker_buy_ratio'")
            #expect(symbols(ratio) == ["AAA", "BBB"])
            expectValues(values(ratio), [101_500.0 / 103_400, 300.0 / 1_100])

            // Retention: a minute 10 days old is dropped with its chunk by apply_retention() (trade_flow_retention
            // 7 days, registered in retention_targets).
            _ = try await conn.jsonRows("""
                SELECT * FROM trade_flow_apply(jsonb_build_array(jsonb_build_object('dex', 'binance',
                    'dex_symbol', 'AAAUSDT', 'bucket', to_jsonb(now() - interval '10 days'), 'buy_usd', 1)))
                """)
            let before = try await conn.scalar("SELECT count(*)::int FROM trade_flow_1m", as: Int.self)
            try await conn.exec("CALL apply_retention()")
            #expect(try await conn.scalar("SELECT count(*)::int FROM trade_flow_1m", as: Int.self) == before - 1)
        }
    }

    @Test("Hyperliquid positions: liquidation clusters per band, liquidation_risk and whale_positions from each address's newest scan")
    func liquidationClusters() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("BEGIN")
            try await insertBoardMarkets(conn, [
                BoardMarket(dex: "hyperliquid", symbol: "BTC", quote: "USDC", interval: 1,
                            samples: [BoardSample(ago: "30 seconds", mark: 100_000)], venueSymbol: "BTC"),
                BoardMarket(dex: "hyperliquid", symbol: "ETH", quote: "USDC", interval: 1,
                            samples: [BoardSample(ago: "30 seconds", mark: 4_000)], venueSymbol: "ETH"),
            ])
            func address(_ n: Int) -> String { "0x" + String(repeating: "0", count: 39) + "\(n)" }
            // a1..a4 scanned 1 minute ago, a5 2 hours ago (stale). a1 also has an older scan (ignored).
            try await conn.exec(PostgresQuery(unsafeSQL: """
                INSERT INTO hyperliquid_addresses (address, source, tier, last_scanned_at) VALUES
                    ('\(address(1))', 'configured', 'priority', now() - interval '1 minute'),
                    ('\(address(2))', 'discovered', 'background', now() - interval '1 minute'),
                    ('\(address(3))', 'discovered', 'background', now() - interval '1 minute'),
                    ('\(address(4))', 'discovered', 'background', now() - interval '1 minute'),
                    ('\(address(5))', 'discovered', 'background', now() - interval '2 hours')
                """))
            try await conn.exec(PostgresQuery(unsafeSQL: """
                INSERT INTO hyperliquid_positions (time, address, coin, size, liquidation_price, leverage) VALUES
                    (now() - interval '1 minute', '\(address(1))', 'BTC', 2, 96100, 20),
                    (now() - interval '1 minute', '\(address(1))', 'ETH', -10, 4100, 25),
                    (now() - interval '30 minutes', '\(address(1))', 'BTC', 10, 99000, 50),
                    (now() - interval '1 minute', '\(address(2))', 'BTC', 1, 96400, 20),
                    (now() - interval '1 minute', '\(address(3))', 'BTC', -3, 103000, 30),
                    (now() - interval '1 minute', '\(address(3))', 'SOL', -3, 150, 30),
                    (now() - interval '1 minute', '\(address(4))', 'BTC', 5, 70000, 2),
                    (now() - interval '1 minute', '\(address(4))', 'ETH', 1, NULL, 1),
                    (now() - interval '2 hours', '\(address(5))', 'BTC', 50, 99500, 50)
                """))
            // Bands of 0.5 % of 100,000 = 500 from the mark. a1 long 2 @ 96,100: k = floor(-3,900 / 500) = -8 ->
            // [96,000, 96,500); a2 long 1 @ 96,400: same band. Notional 2 x 96,100 + 1 x 96,400 = 288,600; middle
            // 96,250 = -3.75 %. a3 short 3 @ 103,000: k = 6 -> [103,000, 103,500), notional 309,000, middle +3.25 %.
            // a4 @ 70,000 is 30 % away (> 25); a5's scan is stale; a1's older scan is not current; SOL has no market.
            let clusters = try await conn.jsonRows("SELECT * FROM liquidation_clusters('BTC')")
            #expect(clusters.map { $0.string("side") } == ["long", "short"])
            expectValues(clusters.map { $0.double("band_low") ?? .nan }, [96_000, 103_000])
            expectValues(clusters.map { $0.double("band_high") ?? .nan }, [96_500, 103_500])
            expectValues(clusters.map { $0.double("notional_usd") ?? .nan }, [288_600, 309_000])
            expectValues(clusters.map { $0.double("size_total") ?? .nan }, [3, 3])
            expectValues(clusters.map { $0.double("distance_pct") ?? .nan }, [-3.75, 3.25])
            #expect(clusters.map { $0.int("positions") } == [2, 1])
            // A 40 % reach takes a4 in: band k = floor(-30,000 / 500) = -60 -> [70,000, 70,500), 5 x 70,000.
            let wide = try await conn.jsonRows("SELECT * FROM liquidation_clusters('BTC', p_max_distance_pct => 40)")
            expectValues(wide.map { $0.double("notional_usd") ?? .nan }, [350_000, 288_600, 309_000])
            // 1 % bands (1,000 wide): a1 k = floor(-3.9) = -4, a2 k = floor(-3.6) = -4: [96,000, 97,000).
            let onePct = try await conn.jsonRows("SELECT * FROM liquidation_clusters('BTC', p_band_pct => 1)")
            expectValues(onePct.map { $0.double("band_high") ?? .nan }, [97_000, 104_000])
            // Within 5 % of the mark: BTC a1 2 x 96,100 + a2 1 x 96,400 = 288,600 long, a3 3 x 103,000 = 309,000
            // short, 597,600 in all; ETH a1 10 x 4,100 = 41,000 (short, 2.5 % away). a4 is 30 % away.
            let risk = try await board(conn, "'liquidation_risk'")
            #expect(symbols(risk) == ["BTC", "ETH"])
            expectValues(values(risk), [597_600, 41_000])
            #expect(close(metric(risk[0], "long_notional_usd"), 288_600))
            #expect(close(metric(risk[0], "short_notional_usd"), 309_000))
            #expect(metric(risk[0], "positions") == 3)
            // Largest current position at the mark: BTC a4 5 x 100,000 = 500,000 (a5's 50 BTC is stale, a1's 10 BTC
            // an older scan); ETH a1 10 x 4,000 = 40,000.
            let whales = try await board(conn, "'whale_positions'")
            #expect(symbols(whales) == ["BTC", "ETH"])
            expectValues(values(whales), [500_000, 40_000])
            #expect((whales[0].values["metrics"] as? [String: Any])?["address"] as? String == address(4))
            await #expect(throws: PSQLError.self) {
                _ = try await conn.jsonRows("SELECT * FROM liquidation_clusters('BTC', p_band_pct => 0)")
            }
            try await conn.exec("ROLLBACK")
        }
    }

    @Test("invalid parameters name themselves; the registry lists every board the function serves; the reader may call it")
    func parametersAndRegistry() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            for (call, hint) in [("'nope'", "name"), ("'gainers', '2h'", "time_window"),
                                 ("'volume_24h', '1h'", "time_window"), ("'gainers', limit_rows => -1", "limit_rows"),
                                 ("'oi_leaders', min_oi_usd => -1", "min_oi_usd"),
                                 ("'oi_leaders', min_volume_24h => -1", "min_volume_24h"),
                                 ("'oi_leaders', max_age => '-1 minute'", "max_age")] {
                do {
                    _ = try await board(conn, call)
                    Issue.record("leaderboard(\(call)) did not fail")
                } catch let error as PSQLError {
                    #expect(error.serverInfo?[.sqlState] == "22023", "\(call)")
                    #expect(error.serverInfo?[.hint] == hint, "\(call)")
                }
            }
            let names = try await conn.column("SELECT name FROM leaderboards ORDER BY position", as: String.self)
            #expect(names.count >= 15)
            for name in names {
                // Every board runs on an empty database (no rows, no error) with its default window.
                #expect(try await board(conn, "'\(name)'").isEmpty, "\(name)")
            }
        }
    }
}
