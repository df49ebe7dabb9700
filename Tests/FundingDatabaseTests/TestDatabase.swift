import Foundation
import FundingApp
import FundingStore
import Logging
import PostgresNIO
import Testing

/// A throwaway database on the private test cluster, migrated from this checkout's `schema/` and
/// `timescale/`. The cluster is the one `fundingd db start` runs (scripts/test.sh starts it); tests fail, not
/// skip, when it is not running.
struct TestDatabase: Sendable {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let logger = Logger(label: "test")

    let name: String
    let cluster: LocalCluster

    var adminURL: DatabaseURL { get throws { try cluster.url(role: .admin).with(database: name) } }
    var ownerURL: DatabaseURL { get throws { try cluster.url(role: .owner).with(database: name) } }
    var writerURL: DatabaseURL { get throws { try cluster.url(role: .writer).with(database: name) } }
    var readerURL: DatabaseURL { get throws { try cluster.url(role: .reader).with(database: name) } }
    var operatorURL: DatabaseURL { get throws { try cluster.url(role: .operator).with(database: name) } }

    /// The cluster `fundingd db start` runs for this checkout (or `FUNDINGD_HOME`).
    static var sharedCluster: LocalCluster {
        var env = ProcessInfo.processInfo.environment
        if env["FUNDINGD_HOME"] == nil { env["FUNDINGD_HOME"] = repositoryRoot.appendingPathComponent(".fundingd").path }
        return LocalCluster(environment: env)
    }

    /// Creates the database (owned by `fundingd`, TimescaleDB installed by the superuser) and, unless told
    /// otherwise, applies every migration.
    /// `cluster` defaults to the shared test cluster; the replica test passes a primary of its own.
    static func make(migrate: Bool = true, on cluster: LocalCluster = sharedCluster) async throws -> TestDatabase {
        guard try await offload({ cluster.isRunning() }) else {
            throw TestSetupError(description: "the test cluster is not running: `bash scripts/test.sh` starts it")
        }
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await offload { try cluster.psql(database: "postgres", "CREATE DATABASE \(name) OWNER fundingd") }
        try await offload { try cluster.psql(database: name, "CREATE EXTENSION timescaledb") }
        try await offload { try cluster.psql(database: name, LocalCluster.rollupOwnerGrant) }
        let db = TestDatabase(name: name, cluster: cluster)
        if migrate { try await db.migrate() }
        return db
    }

    /// The test cluster's TimescaleDB edition: `apache` or `timescale` (Community). Tests written for one edition
    /// take `.enabled(...) { try await TestDatabase.edition() == "apache" }` with the reason.
    static func edition() async throws -> String {
        var env = ProcessInfo.processInfo.environment
        if env["FUNDINGD_HOME"] == nil { env["FUNDINGD_HOME"] = repositoryRoot.appendingPathComponent(".fundingd").path }
        let cluster = LocalCluster(environment: env)
        let license = try await offload {
            // In the service database: the licence setting exists where the extension is loaded.
            try cluster.psql(database: try cluster.state().database,
                             "SELECT coalesce(current_setting('timescaledb.license', true), 'apache')", tuplesOnly: true)
        }
        return license.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func migrate() async throws -> [Migration] {
        try await DatabaseSetup.migrate(url: try ownerURL, source: SQLSource(root: Self.repositoryRoot),
                                        logger: Self.logger)
    }

    /// Drops the database in the background: `defer` cannot await, and a blocking wait here could starve the
    /// very connections the drop has to terminate.
    func drop() {
        let cluster = self.cluster, name = self.name
        DispatchQueue.global().async {
            _ = try? cluster.psql(database: "postgres", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// Runs `body` on a fresh connection as `url`'s role.
    func with<T: Sendable>(_ url: DatabaseURL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(),
                                                              id: 1, logger: Self.logger)
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A pool for code under test that takes a `PostgresClient`, run for the duration of `body`.
    func withClient<T: Sendable>(_ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T)
        async throws -> T
    {
        let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            let value = try await body(client)
            return value
        }
    }
}

/// Runs blocking work (subprocesses) on a GCD thread, never on Swift's cooperative pool: two blocked pool threads
/// on a 2-core machine starve every other test's database client.
func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
}

extension PostgresConnection {
    /// The first column of every row, decoded as `T`.
    func column<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as: T.Type = T.self) async throws -> [T] {
        var values: [T] = []
        for try await value in try await self.query(query, logger: TestDatabase.logger).decode(T.self) {
            values.append(value)
        }
        return values
    }

    /// The single value of a one-row, one-column query.
    func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as: T.Type = T.self) async throws -> T {
        let values = try await column(query, as: T.self)
        guard values.count == 1 else { throw TestSetupError(description: "expected one row, got \(values.count)") }
        return values[0]
    }

    func exec(_ query: PostgresQuery) async throws {
        _ = try await self.query(query, logger: TestDatabase.logger).collect()
    }
}
