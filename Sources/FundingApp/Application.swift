import AsyncHTTPClient
import Foundation
import FundingAPI
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import ServiceLifecycle

/// What `fundingd` runs.
public enum RunMode: Sendable {
    /// Collect continuously (or one cycle and exit when `once`).
    case ingest(once: Bool)
    /// The HTTP API and WebSocket streams only.
    case api(APISettings)
    /// The whole service: ingest and the API in one process.
    case all(APISettings)
}

/// The composition root: builds every service from configuration, in the order the `ServiceGroup` starts them
/// (pool → ingest → HTTP) so that shutdown stops HTTP first and the pool last.
/// `onServerRunning` receives the bound HTTP port (useful with port 0).
/// `demo` adds the replayed venues as a service ahead of ingest (configuration must already point the venues at it:
/// see `DemoVenues.configure`).
public func buildApplication(
    _ config: FundingConfig, mode: RunMode, dexes: [String]? = nil, migrate: Bool = true, demo: DemoVenues? = nil,
    logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> ServiceGroup {
    let demoServices: [ServiceGroupConfiguration.ServiceConfiguration] = demo.map {
        [.init(service: $0.server.application(port: $0.port, logger: Logger(label: "fundingd.demo-venues")))]
    } ?? []
    let ownerURL = try DatabaseSetup.ownerURL(config: config)
    if migrate {
        guard let source = SQLSource.locate() else {
            throw ConfigError(key: "FUNDINGD_SQL_DIR", message: "no schema/ directory found; set FUNDINGD_SQL_DIR")
        }
        _ = try await DatabaseSetup.migrate(url: ownerURL, source: source, logger: logger)
    }
    // The local cluster has a dedicated writer role; an explicit DATABASE_URL is used as given.
    let writerURL = try config.databaseURL ?? LocalCluster().url(role: .writer)
    let pool = PostgresClient(configuration: try writerURL.clientConfiguration(applicationName: "fundingd-ingest"),
                              backgroundLogger: logger)

    switch mode {
    case .api(let settings), .all(let settings):
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if case .all = mode {
            services.append(.init(service: pool))
            services += demoServices
        }
        let api = try buildAPI(config, settings: settings, logger: logger)
        services += api.pools.map { .init(service: $0) }
        if case .all = mode {
            services.append(.init(service: try buildIngest(config, pool: pool, leaderURL: writerURL, dexes: dexes,
                                                           logger: logger)))
        }
        services.append(.init(service: CycleListener(url: try config.readerURL(), hub: api.deps.hub,
                                                            cache: api.deps.cache, logger: logger)))
        services.append(.init(service: ResponseCacheRefresher(cache: api.deps.cache)))
        services.append(.init(service: buildAPIApplication(api.deps, onServerRunning: onServerRunning)))
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                 logger: logger))
    case .ingest(let once):
        let ingest = try buildIngest(config, pool: pool, leaderURL: writerURL, dexes: dexes, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: pool)] + demoServices
        if once {
            services.append(.init(service: IngestOnce(ingest: ingest),
                                  successTerminationBehavior: .gracefullyShutdownGroup))
        } else {
            services.append(.init(service: ingest))
        }
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                 logger: logger))
    }
}

/// The API's pools and dependencies: a reader pool (role `fundingd_reader`, statement timeout) and a small writer
/// pool for admin writes. The pools are services: run them before anything queries.
public func buildAPI(_ config: FundingConfig, settings: APISettings, logger: Logger) throws
    -> (deps: APIDependencies, pools: [PostgresClient])
{
    var readerConfig = try config.readerURL().clientConfiguration(applicationName: "fundingd-api")
    readerConfig.options.additionalStartupParameters.append(("statement_timeout", "\(settings.statementTimeoutMs)"))
    readerConfig.options.additionalStartupParameters.append(("plan_cache_mode", settings.planCacheMode))
    readerConfig.options.maximumConnections = settings.readerPoolSize
    readerConfig.options.minimumConnections = min(2, settings.readerPoolSize)
    let reader = PostgresClient(configuration: readerConfig, backgroundLogger: logger)
    var writerConfig = try config.writerURL().clientConfiguration(applicationName: "fundingd-admin")
    writerConfig.options.additionalStartupParameters.append(("statement_timeout", "\(settings.statementTimeoutMs)"))
    writerConfig.options.maximumConnections = 2
    let writer = PostgresClient(configuration: writerConfig, backgroundLogger: logger)
    let database = APIDatabase(reader: reader, writer: writer, logger: logger,
                               readerPoolSize: settings.readerPoolSize,
                               checkoutTimeout: settings.databaseCheckoutTimeout,
                               circuit: DatabaseCircuit(openDuration: settings.databaseCircuitOpen))
    return (APIDependencies(database: database, settings: settings, logger: logger), [reader, writer])
}

/// The ingest service for `config`, writing through `pool`.
public func buildIngest(
    _ config: FundingConfig, pool: PostgresClient, leaderURL: DatabaseURL?, dexes: [String]?, logger: Logger
) throws -> IngestService {
    let fetcher = AsyncHTTPFetcher(
        timeout: config.requestTimeout, retry: RetryPolicy(maxAttempts: config.retryAttempts),
        logger: Logger(label: "fundingd.http"))
    let collector = DexCollector(
        fetcher: fetcher, validator: SnapshotValidator(maxAbsRatePerHour: config.maxRatePerHour),
        deadline: config.venueDeadline, logger: logger)
    var settings = IngestService.Settings()
    settings.bufferCapacity = config.bufferCycles
    return IngestService(
        schedules: try config.dexSchedules(only: dexes), collector: collector,
        writer: CycleWriter(client: pool, logger: logger),
        leader: leaderURL.map { LeaderLock(url: $0, logger: logger) }, settings: settings,
        logger: logger)
}

/// One collection cycle as a service, so `fundingd ingest --once` runs inside the same group as the pool.
struct IngestOnce: Service {
    let ingest: IngestService

    func run() async throws {
        try await ingest.runOnce()
    }
}
