import Foundation
import FundingStore
import PostgresNIO
import Testing

@Suite("Community edition SQL on the Apache build",
       .enabled("needs the Apache build: it expects the licence error; on Community the migrations themselves run") {
           try await TestDatabase.edition() == "apache"
       })
struct CommunityEditionTests {
    static let licenceError = #"not supported under the current "apache" license"#

    /// The Community branch cannot run here; what the Apache build can check is that each of its statements either
    /// succeeds or fails only with the licence error — no typo, missing column or wrong signature.
    @Test("every statement of timescale/timescale/ succeeds or fails only with the licence error")
    func communityStatementsFailOnlyOnTheLicence() async throws {
        let db = try await TestDatabase.make(migrate: false)
        defer { db.drop() }
        let migrator = Migrator(source: SQLSource(root: TestDatabase.repositoryRoot), logger: TestDatabase.logger)
        let community = try migrator.migrations(edition: "timescale")
            .filter { $0.url.path.contains("/timescale/timescale/") }
        let first = try #require(community.first?.version)
        // The schema as it stands when the first Community file runs.
        let before = try migrator.migrations(edition: "timescale").filter { $0.version < first }

        try await db.with(try db.ownerURL) { conn in
            for migration in before {
                try await conn.exec("BEGIN")
                for statement in SQLScript.statements(try String(contentsOf: migration.url, encoding: .utf8)) {
                    try await conn.exec(PostgresQuery(unsafeSQL: statement))
                }
                try await conn.exec("COMMIT")
            }
            try await conn.exec("BEGIN")
            // Plain materialized views from the same rollup SELECTs stand in for the continuous aggregates, so the
            // statements that reference them can be parsed and planned.
            try await conn.exec("""
                DO $$ BEGIN
                  EXECUTE 'CREATE MATERIALIZED VIEW public.funding_rates_1h AS ' || public.rollup_select('funding_rates_1h') || ' WITH NO DATA';
                  EXECUTE 'CREATE MATERIALIZED VIEW public.funding_rates_1d AS ' || public.rollup_select('funding_rates_1d') || ' WITH NO DATA';
                END $$
                """)
            var refused = 0
            var succeeded = 0
            for migration in community {
                for statement in SQLScript.statements(try String(contentsOf: migration.url, encoding: .utf8)) {
                    try await conn.exec("SAVEPOINT s")
                    do {
                        try await conn.exec(PostgresQuery(unsafeSQL: statement))
                        try await conn.exec("RELEASE SAVEPOINT s")
                        succeeded += 1
                    } catch let error as PSQLError {
                        let message = error.serverInfo?[.message] ?? String(reflecting: error)
                        #expect(message.contains(Self.licenceError),
                                "\(migration.name): \(message)\n\(statement.prefix(300))")
                        refused += 1
                        try await conn.exec("ROLLBACK TO SAVEPOINT s")
                    }
                }
            }
            try await conn.exec("ROLLBACK")
            // The continuous aggregates and their policies are what the licence refuses; the rest is ordinary SQL.
            #expect(refused >= 4)
            #expect(succeeded >= 1)
        }
    }
}
