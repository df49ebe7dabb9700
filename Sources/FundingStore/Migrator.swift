import Foundation
import Logging
import PostgresNIO

/// Where the SQL lives: `schema/` (common migrations) and `timescale/<edition>/` (edition-specific ones).
public struct SQLSource: Sendable, Hashable {
    /// The directory holding `schema/` and `timescale/` (the repository root, or the image's install dir).
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    /// `FUNDINGD_SQL_DIR` when set; otherwise the first of the working directory and the executable's ancestors
    /// that holds `schema/`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> SQLSource? {
        if let dir = environment["FUNDINGD_SQL_DIR"] { return SQLSource(root: URL(fileURLWithPath: dir)) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        for _ in 0..<6 {
            exe = exe.deletingLastPathComponent()
            candidates.append(exe)
            candidates.append(exe.appendingPathComponent("share/fundingd"))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("schema").path) }
            .map(SQLSource.init(root:))
    }
}

/// One migration file.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var url: URL
}

/// Applies `schema/` and the running edition's `timescale/<edition>/` migrations in version order, each once,
/// recorded in `schema_migrations`, serialised across processes with an advisory lock.
public struct Migrator: Sendable {
    public enum MigrationError: Error, CustomStringConvertible {
        case badFileName(String)
        case duplicateVersion(Int, String, String)
        case failed(Migration, String)

        public var description: String {
            switch self {
            case .badFileName(let f): "migration file name \(f) is not NNNN_name.sql"
            case .duplicateVersion(let v, let a, let b): "migration version \(v) used by both \(a) and \(b)"
            case .failed(let m, let e): "migration \(m.version) \(m.name) failed: \(e)"
            }
        }
    }

    /// Any constant works as long as every migrator agrees on it.
    static let lockKey: Int64 = 0x66756e_6469_6e67  // "funding"

    public var source: SQLSource
    public var logger: Logger

    public init(source: SQLSource, logger: Logger) {
        self.source = source
        self.logger = logger
    }

    /// The migrations for `edition` (`apache` or `timescale`), in version order.
    public func migrations(edition: String) throws -> [Migration] {
        let folders = [source.root.appendingPathComponent("schema"),
                       source.root.appendingPathComponent("timescale").appendingPathComponent(edition)]
        var byVersion: [Int: Migration] = [:]
        for folder in folders where FileManager.default.fileExists(atPath: folder.path) {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".sql") {
                let stem = file.dropLast(4)
                guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]),
                      stem[..<underscore].count == 4
                else { throw MigrationError.badFileName(file) }
                let migration = Migration(version: version, name: String(stem[stem.index(after: underscore)...]),
                                          url: folder.appendingPathComponent(file))
                if let other = byVersion[version] {
                    throw MigrationError.duplicateVersion(version, other.url.path, migration.url.path)
                }
                byVersion[version] = migration
            }
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    /// Applies what is pending and returns it; an up-to-date database gets nothing applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) async throws -> [Migration] {
        _ = try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger).collect()
        do {
            let applied = try await applyPending(connection)
            _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger).collect()
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger).collect()
            throw error
        }
    }

    private func applyPending(_ connection: PostgresConnection) async throws -> [Migration] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version int PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        let edition = try await Self.edition(connection, logger: logger)
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
            .decode(Int.self) { done.insert(version) }
        let pending = try migrations(edition: edition).filter { !done.contains($0.version) }
        for migration in pending {
            let sql = try String(contentsOf: migration.url, encoding: .utf8)
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)",
                                                         "edition": "\(edition)"])
            do {
                try await connection.query("BEGIN", logger: logger)
                for statement in SQLScript.statements(sql) {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError.failed(migration, String(reflecting: error))
            }
        }
        return pending
    }

    /// `apache` or `timescale`: which edition of TimescaleDB the server runs.
    public static func edition(_ connection: PostgresConnection, logger: Logger) async throws -> String {
        let rows = try await connection.query(
            "SELECT coalesce(current_setting('timescaledb.license', true), 'apache')", logger: logger)
        for try await license in rows.decode(String.self) { return license }
        return "apache"
    }
}
