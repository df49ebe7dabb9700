import Foundation
import FundingCore
import FundingStore
import FundingVenues
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
            try await writeDescriptors(Venues.all.map(\.descriptor), on: connection, logger: logger)
            try await connection.close()
            return applied
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Writes each venue descriptor into its `dexes` row (`sync_dex_descriptor`, 0043): the descriptor is the one
    /// source of a venue's display name, kind, base URL and interval. Fees are left to the migrations and operators.
    public static func writeDescriptors(
        _ descriptors: [DexDescriptor], on connection: PostgresConnection, logger: Logger
    ) async throws {
        for d in descriptors {
            try await connection.query("""
                SELECT sync_dex_descriptor(\(d.name), \(d.displayName), \(d.kind.rawValue), \(d.defaultBaseURL),
                                           \(d.defaultFundingIntervalHours))
                """, logger: logger)
        }
    }
}
