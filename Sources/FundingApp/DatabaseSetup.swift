import Foundation
import FundingStore
import Logging
import PostgresNIO

/// Resolving which database to use and bringing its schema up to date.
public enum DatabaseSetup {
    /// `DATABASE_URL` when set; otherwise the private cluster, started if it is not running.
    public static func ownerURL(config: FundingConfig) throws -> DatabaseURL {
        if let url = config.databaseURL { return url }
        let cluster = LocalCluster()
        if !cluster.isRunning() { try cluster.start() }
        return try cluster.url(role: .owner)
    }

    public static func migrate(config: FundingConfig, logger: Logger) async throws -> [Migration] {
        guard let source = SQLSource.locate() else {
            throw ConfigError(key: "FUNDINGD_SQL_DIR", message: "no schema/ directory found; set FUNDINGD_SQL_DIR")
        }
        return try await migrate(url: try ownerURL(config: config), source: source, logger: logger)
    }

    public static func migrate(url: DatabaseURL, source: SQLSource, logger: Logger) async throws -> [Migration] {
        let connection = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(), id: 1, logger: logger)
        do {
            let applied = try await Migrator(source: source, logger: logger).migrate(connection)
            try await connection.close()
            return applied
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
