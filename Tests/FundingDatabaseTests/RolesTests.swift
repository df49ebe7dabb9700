import Foundation
import FundingApp
import FundingStore
import Logging
import PostgresNIO
import Testing

/// Issue 17 item 2: each role can do exactly what docs/operations.md's roles table says, no more.
@Suite("Roles: every role against every capability", .timeLimit(.minutes(3)))
struct RolesTests {
    enum Role: String, CaseIterable, Sendable {
        case owner, writer, reader, `operator`
    }

    /// One thing a role may or may not do: statements run in order on a fresh connection of the role.
    struct Capability: Sendable, CustomStringConvertible {
        var name: String
        var statements: [String]
        var allowed: Set<Role>
        var description: String { name }
    }

    static let capabilities: [Capability] = [
        Capability(name: "read the analytics", statements: ["SELECT count(*) FROM latest_funding_rates"],
                   allowed: [.owner, .writer, .reader]),
        Capability(name: "read the plausibility bounds", statements: ["SELECT count(*) FROM plausibility_bounds"],
                   allowed: [.owner, .writer, .reader]),
        Capability(name: "run the write path",
                   statements: ["BEGIN", "SELECT ingest_begin()", "SELECT count(*) FROM ingest_apply('[]')", "ROLLBACK"],
                   allowed: [.owner, .writer]),
        Capability(name: "CALL refresh_rollups()", statements: ["CALL refresh_rollups()"], allowed: [.owner, .writer]),
        Capability(name: "CALL apply_retention()", statements: ["CALL apply_retention()"], allowed: [.owner, .writer]),
        Capability(name: "set_dex_fees()",
                   statements: ["SELECT count(*) FROM set_dex_fees('binance', 0.0002, 0.0005, NULL)"],
                   allowed: [.owner, .operator]),
        Capability(name: "create a dex by INSERT",
                   statements: ["BEGIN", "INSERT INTO dexes (name, display_name) VALUES ('evil', 'evil')", "ROLLBACK"],
                   allowed: [.owner]),
        Capability(name: "insert a raw row",
                   statements: ["BEGIN", "INSERT INTO funding_rates (time, market_id, funding_rate) SELECT now(), id, 0 FROM markets", "ROLLBACK"],
                   allowed: [.owner]),
        Capability(name: "change a setting",
                   statements: ["BEGIN", "UPDATE fundingd_settings SET value = value", "ROLLBACK"], allowed: [.owner]),
        Capability(name: "change a plausibility bound",
                   statements: ["BEGIN", "UPDATE plausibility_bounds SET max_value = max_value", "ROLLBACK"],
                   allowed: [.owner]),
        Capability(name: "insert a cycle notice",
                   statements: ["BEGIN", "INSERT INTO cycle_notices (payload) VALUES ('{}')", "ROLLBACK"],
                   allowed: [.owner]),
        Capability(name: "call notify_cycle()",
                   statements: ["BEGIN", "SELECT notify_cycle('{}')", "ROLLBACK"], allowed: [.owner]),
        Capability(name: "truncate the latest state",
                   statements: ["BEGIN", "TRUNCATE market_latest", "ROLLBACK"], allowed: [.owner]),
    ]

    /// One migrated database for all capabilities (each either changes nothing or rolls back).
    actor SharedDatabase {
        private var task: Task<TestDatabase, any Error>?
        func get() async throws -> TestDatabase {
            if task == nil { task = Task { try await TestDatabase.make() } }
            return try await task!.value
        }
    }
    static let shared = SharedDatabase()

    static func url(_ db: TestDatabase, _ role: Role) throws -> DatabaseURL {
        switch role {
        case .owner: try db.ownerURL
        case .writer: try db.writerURL
        case .reader: try db.readerURL
        case .operator: try db.operatorURL
        }
    }

    @Test("every role, every capability: allowed where the roles table says, refused with insufficient_privilege elsewhere",
          arguments: capabilities)
    func capability(_ capability: Capability) async throws {
        let db = try await Self.shared.get()
        for role in Role.allCases {
            let outcome: String? = try await db.with(try Self.url(db, role)) { conn async throws in
                do {
                    for statement in capability.statements { try await conn.exec(PostgresQuery(unsafeSQL: statement)) }
                    return nil
                } catch let error as PSQLError {
                    return error.serverInfo?[.sqlState] ?? "\(error)"
                }
            }
            if capability.allowed.contains(role) {
                #expect(outcome == nil, "\(role) should be able to \(capability.name): \(outcome ?? "")")
            } else {
                #expect(outcome == "42501", "\(role) must not \(capability.name): got \(outcome ?? "success")")
            }
        }
    }

    @Test("the writer's CALL refresh_rollups() brings a late row into an already materialised day into funding_rates_1d at once (both editions)")
    func writerRefreshesLateRow() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let day = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 / 86_400).rounded(.down) - 2) * 86_400)
        let first = [snapshot("binance", "BTCUSDT", "BTC", at: day.addingTimeInterval(3_600), rate: 0.0001),
                     snapshot("binance", "BTCUSDT", "BTC", at: day.addingTimeInterval(7_200), rate: 0.0002)]
        try await db.withClient(try db.writerURL) { client in
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(snapshots: first, runs: [])
        }
        try await db.with(try db.writerURL) { conn async throws in
            try await conn.exec("CALL refresh_rollups()")
        }
        try await db.with(try db.readerURL) { conn async throws in
            #expect(try await conn.scalar("SELECT sample_count::int FROM funding_rates_1d WHERE bucket = \(day)", as: Int.self) == 2)
        }
        // A late row into the same, already materialised day (another hour).
        try await db.withClient(try db.writerURL) { client in
            try await CycleWriter(client: client, logger: TestDatabase.logger).write(
                snapshots: [snapshot("binance", "BTCUSDT", "BTC", at: day.addingTimeInterval(36_000), rate: 0.0003)],
                runs: [])
        }
        try await db.with(try db.writerURL) { conn async throws in
            try await conn.exec("CALL refresh_rollups()")
        }
        try await db.with(try db.readerURL) { conn async throws in
            #expect(try await conn.scalar("SELECT sample_count::int FROM funding_rates_1d WHERE bucket = \(day)", as: Int.self) == 3)
            #expect(try await conn.scalar("SELECT rate_max FROM funding_rates_1d WHERE bucket = \(day)", as: Double.self) == 0.0003)
        }
    }

    @Test("every routine the reader may execute only reads (STABLE or IMMUTABLE), and the operator may execute set_dex_fees alone")
    func readerRoutinesOnlyRead() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn async throws in
            let volatile = try await conn.column("""
                SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = current_user::regrole
                  AND p.prokind IN ('f', 'p') AND p.prorettype <> 'trigger'::regtype
                  AND has_function_privilege('fundingd_reader', p.oid, 'EXECUTE') AND p.provolatile = 'v'
                ORDER BY 1
                """, as: String.self)
            #expect(volatile == [], "the reader may execute volatile routines: \(volatile)")
            let operatorRoutines = try await conn.column("""
                SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = current_user::regrole
                  AND has_function_privilege('fundingd_operator', p.oid, 'EXECUTE')
                  AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
                ORDER BY 1
                """, as: String.self)
            #expect(operatorRoutines == ["set_dex_fees(text,double precision,double precision,jsonb)"])
        }
    }
}
