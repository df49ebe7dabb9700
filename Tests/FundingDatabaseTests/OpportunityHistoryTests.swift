import Foundation
import FundingStore
import PostgresNIO
import Testing

@Suite("Opportunity history and persistence")
struct OpportunityHistoryTests {
    @Test("each ingest cycle stores the top N pairs per symbol by net_profit (setting opportunity_history_top_n), once per cycle")
    func ingestRecordsTopN() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE fundingd_settings SET value = '2' WHERE name = 'opportunity_history_top_n'")
        }
        _ = try await KnownAnswer.load(db)
        let expected = ExpectedOpportunity.all(KnownAnswer.legs)
        func top(_ symbol: String, _ n: Int) -> [String] {
            Array(expected.filter { $0.l.symbol == symbol }.sorted { $0.netProfit > $1.netProfit }.prefix(n)).map(\.key)
        }
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.jsonRows("SELECT * FROM opportunity_history ORDER BY symbol, rank_in_symbol")
            #expect(rows.map(rowKey) == top("AAA", 2) + top("PEPE", 2))
            #expect(rows.map { $0.int("rank_in_symbol") ?? 0 } == [1, 2, 1, 2])
            for row in rows {
                let e = expected.first { $0.key == rowKey(row) }
                #expect(close(row.double("net_profit"), e?.netProfit))
                #expect(close(row.double("divergence"), e?.divergence))
                #expect(close(row.double("estimated_fees"), e?.fees))
                #expect(row.string("oi_imbalance") == e?.imbalance)
            }
            let cycles = try await conn.jsonRows("SELECT * FROM opportunity_cycles")
            #expect(cycles.count == 1)
            #expect(cycles.first?.int("pairs_recorded") == 4)
            #expect(cycles.first?.int("symbols") == 2)
            let sameTime = try await conn.scalar(
                "SELECT count(*)::int FROM opportunity_history h JOIN opportunity_cycles c USING (cycle_time)", as: Int.self)
            #expect(sameTime == 4)
        }
        // A second cycle adds one more; top_n = 0 switches recording off.
        _ = try await KnownAnswer.load(db)
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE fundingd_settings SET value = '0' WHERE name = 'opportunity_history_top_n'")
        }
        _ = try await KnownAnswer.load(db)
        try await db.with(try db.readerURL) { conn in
            let cycles = try await conn.scalar("SELECT count(*)::int FROM opportunity_cycles", as: Int.self)
            let history = try await conn.scalar("SELECT count(*)::int FROM opportunity_history", as: Int.self)
            #expect(cycles == 2)
            #expect(history == 8)
            let p = try await conn.jsonRows("""
                SELECT * FROM opportunity_persistence WHERE symbol = 'PEPE' ORDER BY long_dex
                """)
            #expect(p.count == 2)
            #expect(p.allSatisfy { $0.int("cycles_24h") == 2 && $0.int("cycles_seen_24h") == 2 })
        }
    }

    @Test("opportunity_persistence: first and last seen, and the share of recorded cycles a pair was profitable over 24 h and 7 days")
    func persistenceKnownAnswer() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        // Cycles (hours ago) and the stored rows of two pairs of symbol XYZ: (hours ago, net_profit).
        let cycles = [1, 2, 3, 30, 50, 200]
        let ab: [(Int, Double)] = [(1, 0.001), (2, -0.0005), (30, 0.002), (200, 0.003)]
        let ba: [(Int, Double)] = [(3, 0.0001), (50, -0.0001)]
        try await db.with(try db.ownerURL) { conn in
            let c = cycles.map { "(now() - make_interval(hours => \($0)))" }.joined(separator: ", ")
            try await conn.exec(PostgresQuery(unsafeSQL: "INSERT INTO opportunity_cycles (cycle_time) VALUES \(c)"))
            for (long, short, rows) in [("alpha", "beta", ab), ("beta", "alpha", ba)] {
                let v = rows.map { "(\($0.0), \($0.1))" }.joined(separator: ", ")
                try await conn.exec(PostgresQuery(unsafeSQL: """
                    INSERT INTO opportunity_history (cycle_time, symbol, long_dex, short_dex, long_dex_symbol,
                                                     short_dex_symbol, rank_in_symbol, net_profit)
                    SELECT now() - make_interval(hours => v.h), 'XYZ', '\(long)', '\(short)', 'X', 'X', 1, v.p
                    FROM (VALUES \(v)) AS v(h, p)
                    """))
            }
        }
        let day = cycles.filter { $0 < 24 }.count, week = cycles.filter { $0 < 168 }.count
        try await db.with(try db.readerURL) { conn in
            for (long, rows) in [("alpha", ab), ("beta", ba)] {
                let r = try await conn.jsonRows(
                    "SELECT *, extract(epoch FROM now() - first_seen) / 3600 AS first_h, extract(epoch FROM now() - last_seen) / 3600 AS last_h FROM opportunity_persistence WHERE long_dex = '\(long)'").first
                let seen24 = rows.filter { $0.0 < 24 }, seen7 = rows.filter { $0.0 < 168 }
                #expect(r?.int("cycles_24h") == day)
                #expect(r?.int("cycles_7d") == week)
                #expect(r?.int("cycles_seen_24h") == seen24.count)
                #expect(r?.int("cycles_seen_7d") == seen7.count)
                #expect(r?.int("cycles_profitable_24h") == seen24.filter { $0.1 > 0 }.count)
                #expect(r?.int("cycles_profitable_7d") == seen7.filter { $0.1 > 0 }.count)
                #expect(close(r?.double("profitable_share_24h"), Double(seen24.filter { $0.1 > 0 }.count) / Double(day)))
                #expect(close(r?.double("profitable_share_7d"), Double(seen7.filter { $0.1 > 0 }.count) / Double(week)))
                // The rows were written a moment before this query's now(): within 36 seconds.
                #expect(abs((r?.double("first_h") ?? 0) - Double(rows.map(\.0).max()!)) < 0.01)
                #expect(abs((r?.double("last_h") ?? 0) - Double(rows.map(\.0).min()!)) < 0.01)
                #expect(close(r?.double("last_net_profit"), rows.min { $0.0 < $1.0 }!.1))
                #expect(close(r?.double("mean_net_profit_24h"),
                              seen24.isEmpty ? nil : seen24.map(\.1).reduce(0, +) / Double(seen24.count)))
            }
        }
    }

    @Test("apply_retention() drops opportunity_history chunks and opportunity_cycles rows older than opportunity_history_retention")
    func retention() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            for h in [1, 20 * 24] {
                try await conn.exec(PostgresQuery(unsafeSQL: """
                    INSERT INTO opportunity_cycles (cycle_time) VALUES (now() - make_interval(hours => \(h)));
                    """))
                try await conn.exec(PostgresQuery(unsafeSQL: """
                    INSERT INTO opportunity_history (cycle_time, symbol, long_dex, short_dex, long_dex_symbol,
                                                     short_dex_symbol, rank_in_symbol, net_profit)
                    VALUES (now() - make_interval(hours => \(h)), 'XYZ', 'a', 'b', 'X', 'X', 1, 0.001)
                    """))
            }
            // A raw row older than raw_retention, written behind ingest's back: the old retention still works.
            try await conn.exec("""
                INSERT INTO funding_rates (time, market_id, funding_rate) VALUES (now() - interval '40 days', 1, 0.0001)
                """)
        }
        try await db.with(try db.writerURL) { conn in
            try await conn.exec("CALL apply_retention()")
        }
        try await db.with(try db.readerURL) { conn in
            let history = try await conn.scalar("SELECT count(*)::int FROM opportunity_history", as: Int.self)
            let cycles = try await conn.scalar("SELECT count(*)::int FROM opportunity_cycles", as: Int.self)
            let raw = try await conn.scalar("SELECT count(*)::int FROM funding_rates", as: Int.self)
            #expect(history == 1)
            #expect(cycles == 1)
            #expect(raw == 0)
        }
    }

    @Test("the reader may read every analytics view and run every analytics function, and may not write history")
    func readerPrivileges() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            for q in ["SELECT * FROM latest_funding_rates", "SELECT * FROM opportunities()",
                      "SELECT * FROM best_opportunities", "SELECT * FROM funding_rankings()",
                      "SELECT * FROM funding_stats('30d')", "SELECT * FROM funding_stats_by_symbol('1d')",
                      "SELECT * FROM opportunity_history", "SELECT * FROM opportunity_cycles",
                      "SELECT * FROM opportunity_persistence", "SELECT dex_fee(0.1, 0.2, NULL, 'maker')"] {
                try await conn.exec(PostgresQuery(unsafeSQL: q))
            }
            for q in ["SELECT record_opportunity_history()", "SELECT ingest_cycle_hook(now())",
                      "INSERT INTO opportunity_history (cycle_time, symbol, long_dex, short_dex, long_dex_symbol, short_dex_symbol, rank_in_symbol) VALUES (now(), 'A', 'a', 'b', 'x', 'y', 1)",
                      "DELETE FROM opportunity_cycles", "CALL apply_retention()"] {
                await #expect(throws: PSQLError.self, "\(q)") { try await conn.exec(PostgresQuery(unsafeSQL: q)) }
            }
        }
    }
}

@Suite("Schema documentation")
struct SchemaCommentTests {
    @Test("every table, view, column, composite type and function of the schema owner carries a COMMENT")
    func everythingIsCommented() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            let missing = try await conn.column("""
                WITH mine AS (SELECT 'fundingd'::regrole AS owner)
                SELECT 'relation ' || c.relname FROM pg_class c, mine
                WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = mine.owner
                  AND c.relkind IN ('r', 'v', 'p', 'm') AND c.relname <> 'schema_migrations'
                  AND obj_description(c.oid, 'pg_class') IS NULL
                UNION ALL
                SELECT 'column ' || c.relname || '.' || a.attname FROM pg_class c
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped, mine
                WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = mine.owner
                  AND c.relkind IN ('r', 'v', 'p', 'm', 'c') AND c.relname <> 'schema_migrations'
                  AND col_description(c.oid, a.attnum) IS NULL
                UNION ALL
                SELECT 'type ' || t.typname FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid, mine
                WHERE t.typnamespace = 'public'::regnamespace AND c.relkind = 'c' AND t.typowner = mine.owner
                  AND obj_description(t.oid, 'pg_type') IS NULL
                UNION ALL
                SELECT 'routine ' || p.oid::regprocedure FROM pg_proc p, mine
                WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = mine.owner
                  AND obj_description(p.oid, 'pg_proc') IS NULL
                ORDER BY 1
                """, as: String.self)
            #expect(missing == [])
        }
    }
}
