import Foundation
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO

/// A backfill's progress after each market and its final report, as the command sees them.
public typealias BackfillProgress = Backfill<AsyncHTTPFetcher>.Progress
public typealias BackfillReport = Backfill<AsyncHTTPFetcher>.Report

/// One `fundingd backfill`: what to fetch. `until` defaults to now less `settleLag` (a venue publishes a settlement a
/// little after its funding time; a range ending before that is not marked fetched too early).
public struct BackfillRun: Sendable {
    public static let settleLag: TimeInterval = 120

    public var days: Int
    public var until: Date
    public var dexes: [String]?
    public var symbols: Set<String>?

    public init(days: Int = 30, until: Date? = nil, dexes: [String]? = nil, symbols: Set<String>? = nil) {
        self.days = days
        self.until = until ?? Date().addingTimeInterval(-Self.settleLag)
        self.dexes = dexes
        self.symbols = symbols
    }

    /// Runs the backfill against the venues and database of `config` (the writer role), migrating first unless told
    /// not to; `progress` is called after each market.
    public func run(_ config: FundingConfig, migrate: Bool = true, logger: Logger,
                    progress: @escaping @Sendable (BackfillProgress) -> Void = { _ in })
        async throws -> BackfillReport
    {
        guard days > 0 else { throw ConfigError(key: "--days", message: "must be positive") }
        if migrate {
            guard let source = SQLSource.locate() else {
                throw ConfigError(key: "FUNDINGD_SQL_DIR", message: "no schema/ directory found; set FUNDINGD_SQL_DIR")
            }
            _ = try await DatabaseSetup.migrate(url: try DatabaseSetup.ownerURL(config: config), source: source,
                                                logger: logger)
        }
        let writerURL = try config.databaseURL ?? LocalCluster().url(role: .writer)
        let schedules = try config.dexSchedules(only: dexes)
        let fetcher = AsyncHTTPFetcher(
            timeout: config.requestTimeout, retry: RetryPolicy(maxAttempts: config.retryAttempts),
            logger: Logger(label: "fundingd.http"))
        let client = PostgresClient(configuration: try writerURL.clientConfiguration(applicationName: "fundingd-backfill"),
                                    backgroundLogger: logger)
        let options = Backfill<AsyncHTTPFetcher>.Options(
            start: until.addingTimeInterval(-Double(days) * 86_400), until: until, symbols: symbols,
            pageDeadline: config.venueDeadline)
        return try await withThrowingTaskGroup(of: BackfillReport?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            let backfill = Backfill(fetcher: fetcher, store: SettlementStore(client: client, logger: logger),
                                    logger: logger)
            return try await backfill.run(schedules, options: options, progress: progress)
        }
    }
}
