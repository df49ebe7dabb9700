import FundingStore
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigrationTests {
    /// Every relation, column, function and trigger in `public`, to compare schemas.
    static let fingerprint: PostgresQuery = """
        SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
            SELECT 'rel ' || c.relname || ' ' || c.relkind::text || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) AS x
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'public'
            UNION ALL
            SELECT 'fn ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            UNION ALL
            SELECT 'trg ' || tgname || ' on ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal
        ) s(x)
        """

    @Test("migrating an empty database twice: the second run applies nothing and the schema is unchanged")
    func migrateTwice() async throws {
        let db = try await TestDatabase.make(migrate: false)
        defer { db.drop() }
        let first = try await db.migrate()
        #expect(first.count >= 5)
        #expect(first.map(\.version) == first.map(\.version).sorted())
        let before = try await db.with(try db.ownerURL) { try await $0.scalar(Self.fingerprint, as: String.self) }
        let second = try await db.migrate()
        #expect(second.isEmpty)
        let after = try await db.with(try db.ownerURL) { try await $0.scalar(Self.fingerprint, as: String.self) }
        #expect(before == after)
        let recorded = try await db.with(try db.ownerURL) {
            try await $0.column("SELECT version FROM schema_migrations ORDER BY version", as: Int.self)
        }
        #expect(recorded == first.map(\.version))
    }

    @Test("the Apache edition gets funding_rates and collection_runs as hypertables and the rollup views",
          .enabled("Apache edition only: on Community the rollups are continuous aggregates") {
              try await TestDatabase.edition() == "apache"
          })
    func hypertablesAndRollups() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.readerURL) { conn in
            let hypertables = try await conn.column(
                "SELECT hypertable_name::text FROM timescaledb_information.hypertables WHERE hypertable_schema = 'public' ORDER BY 1",
                as: String.self)
            #expect(hypertables.contains("funding_rates"))
            #expect(hypertables.contains("collection_runs"))
            let license = try await conn.scalar("SELECT current_setting('timescaledb.license')", as: String.self)
            #expect(license == "apache")
            for view in ["funding_rates_1h", "funding_rates_1d"] {
                let n = try await conn.scalar("SELECT count(*)::int FROM \(unescaped: view)", as: Int.self)
                #expect(n == 0)
            }
        }
    }

    @Test("migration files are NNNN_name.sql with versions unique across schema/ and each edition folder")
    func migrationFilesAreWellFormed() throws {
        let migrator = Migrator(source: SQLSource(root: TestDatabase.repositoryRoot), logger: TestDatabase.logger)
        let apache = try migrator.migrations(edition: "apache")
        let community = try migrator.migrations(edition: "timescale")
        #expect(apache.contains { $0.url.path.contains("/timescale/apache/") })
        #expect(community.contains { $0.url.path.contains("/timescale/timescale/") })
        #expect(!apache.contains { $0.url.path.contains("/timescale/timescale/") })
    }
}
