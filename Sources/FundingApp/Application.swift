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
    // The collector's validator uses the database's plausibility bounds (one declaration, schema/0055).
    let bounds: PlausibilityBounds
    if case .api = mode { bounds = .unknown } else { bounds = await loadBounds(writerURL, logger: logger) }

    switch mode {
    case .api(let settings), .all(let settings):
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if case .all = mode {
            services += demoServices
        }
        var api = try buildAPI(config, settings: settings, logger: logger)
        services += api.pools.map { .init(service: $0) }
        if case .all = mode {
            let ingest = try buildIngest(config, url: writerURL, dexes: dexes, bounds: bounds, logger: logger)
            // /api/v1/health reports this process's writer (a stuck one makes it unhealthy).
            api.deps.ingestStatus = IngestServiceStatus(ingest: ingest)
            services.append(.init(service: ingest))
            if let refresh = settlementRefresh(config, dexes: dexes, ingest: ingest) { services.append(.init(service: refresh)) }
            let scan = try config.positionScanSettings()
            let book = PriceBook(discoverAbove: scan?.discoverAbove)
            services += try liveStreams(config, dexes: dexes, url: writerURL, demo: demo != nil, book: book,
                                        logger: logger).map { .init(service: $0) }
            services += try positionScanner(config, settings: scan, url: writerURL, book: book).map { .init(service: $0) }
            if let demo {
                let names = try config.dexSchedules(only: dexes).map(\.name)
                // History at once: the sampled snapshots the charts read, and settled funding.
                services.append(.init(service: DemoSampledHistory(url: writerURL, dexes: names, demo: demo,
                                                                  logger: Logger(label: "fundingd.demo-history"))))
                services.append(.init(service: DemoSettlements(url: writerURL, dexes: names,
                                                               logger: Logger(label: "fundingd.demo-settlements"))))
            }
        }
        services.append(.init(service: CycleListener(url: try config.listenURL(), hub: api.deps.hub,
                                                            cache: api.deps.cache, logger: logger,
                                                            replicaWait: try config.replicaWait())))
        services.append(.init(service: PriceListener(url: try config.listenURL(), hub: api.deps.priceHub,
                                                     logger: logger)))
        services.append(.init(service: LeaderboardPusher(hub: api.deps.leaderboardHub,
                                                         interval: api.deps.settings.leaderboardPushInterval)))
        services.append(.init(service: ResponseCacheRefresher(cache: api.deps.cache)))
        services.append(.init(service: buildAPIApplication(api.deps, onServerRunning: onServerRunning)))
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                 logger: logger))
    case .ingest(let once):
        let ingest = try buildIngest(config, url: writerURL, dexes: dexes, bounds: bounds, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = demoServices
        if once {
            services.append(.init(service: IngestOnce(ingest: ingest),
                                  successTerminationBehavior: .gracefullyShutdownGroup))
        } else {
            services.append(.init(service: ingest))
            if let refresh = settlementRefresh(config, dexes: dexes, ingest: ingest) { services.append(.init(service: refresh)) }
            let scan = try config.positionScanSettings()
            let book = PriceBook(discoverAbove: scan?.discoverAbove)
            services += try liveStreams(config, dexes: dexes, url: writerURL, demo: demo != nil, book: book,
                                        logger: logger).map { .init(service: $0) }
            services += try positionScanner(config, settings: scan, url: writerURL, book: book).map { .init(service: $0) }
        }
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                 logger: logger))
    }
}

/// The settled-funding refresh of a continuously running daemon, unless turned off.
func settlementRefresh(_ config: FundingConfig, dexes: [String]?, ingest: IngestService) -> SettlementRefresh? {
    config.settlementInterval.map {
        SettlementRefresh(config: config, dexes: dexes, interval: $0, lookbackDays: config.settlementLookbackDays,
                          isLeader: { ingest.stats.snapshot.isLeader }, logger: Logger(label: "fundingd.settlements"))
    }
}

/// The live-price services of the streaming venues among `dexes` (none when `FUNDINGD_STREAMS=none`): the stream
/// connections, which fill `book`, and its flusher (`FUNDINGD_PRICE_FLUSH_MS`), which writes on a
/// connection of its own to `url`. In the demo, `DemoPrices` fills the book for every streaming venue instead.
func liveStreams(_ config: FundingConfig, dexes: [String]?, url: DatabaseURL, demo: Bool, book: PriceBook,
                 logger: Logger) throws -> [any Service]
{
    let schedules = try config.dexSchedules(only: dexes)
    let store = PostgresPriceStore(url: url, logger: Logger(label: "fundingd.prices"))
    let flush = PriceFlushService(book: book, store: store, interval: try config.priceFlushInterval(),
                                  logger: Logger(label: "fundingd.prices"))
    if demo {
        let streaming = schedules.map(\.adapter).filter { $0 is any LiveStreamSource }.map(\.descriptor.name)
        guard !streaming.isEmpty, !config.streamsTurnedOff else { return [] }
        return [DemoPrices(dexes: streaming, book: book, store: store, tick: .milliseconds(500),
                           logger: Logger(label: "fundingd.demo-prices")), flush]
    }
    let venues = try config.streamVenues(collecting: schedules)
    guard !venues.isEmpty else { return [] }
    var settings = PriceStreamService<AsyncHTTPFetcher>.Settings()
    settings.channels = try config.streamChannels()
    let fetcher = AsyncHTTPFetcher(timeout: config.requestTimeout, retry: RetryPolicy(maxAttempts: config.retryAttempts),
                                   logger: Logger(label: "fundingd.http"))
    return [
        PriceStreamService(venues: venues, book: book, markets: { try await store.markets(dex: $0) }, http: fetcher,
                           settings: settings, logger: Logger(label: "fundingd.streams")),
        flush,
    ]
}

/// The Hyperliquid position scanner, when `FUNDINGD_HYPERLIQUID_ADDRESSES` lists addresses: it asks Hyperliquid's
/// base URL (`FUNDINGD_HYPERLIQUID_BASE_URL`: the demo's, a fixture server's, or the venue's), writes on a
/// connection of its own, and also tracks the accounts of large Hyperliquid trades that `book` collects (when
/// trades are streamed).
func positionScanner(_ config: FundingConfig, settings: PositionScanService<AsyncHTTPFetcher>.Settings?,
                     url: DatabaseURL, book: PriceBook) throws -> [any Service] {
    guard let settings else { return [] }
    let name = HyperliquidAdapter.descriptor.name
    let baseURL = try config.dexSchedules(only: [name]).first?.baseURL ?? HyperliquidAdapter.descriptor.defaultBaseURL
    let logger = Logger(label: "fundingd.positions")
    let fetcher = AsyncHTTPFetcher(timeout: config.requestTimeout, retry: RetryPolicy(maxAttempts: 1), logger: logger)
    return [PositionScanService(client: fetcher, baseURL: baseURL, store: PostgresPositionStore(url: url, logger: logger),
                                settings: settings, logger: logger, discovered: { book.drainDiscovered() })]
}

/// The API's pools and dependencies: a reader pool (role `fundingd_reader`, statement timeout) and a small pool
/// for the admin route's writes (role `fundingd_operator`). The pools are services: run them before anything queries.
public func buildAPI(_ config: FundingConfig, settings: APISettings, logger: Logger) throws
    -> (deps: APIDependencies, pools: [PostgresClient])
{
    var readerConfig = try config.readerURL().clientConfiguration(applicationName: "fundingd-api")
    readerConfig.options.additionalStartupParameters.append(("statement_timeout", "\(settings.statementTimeoutMs)"))
    readerConfig.options.additionalStartupParameters.append(("plan_cache_mode", settings.planCacheMode))
    readerConfig.options.maximumConnections = settings.readerPoolSize
    readerConfig.options.minimumConnections = min(2, settings.readerPoolSize)
    let reader = PostgresClient(configuration: readerConfig, backgroundLogger: logger)
    var writerConfig = try config.operatorURL().clientConfiguration(applicationName: "fundingd-admin")
    writerConfig.options.additionalStartupParameters.append(("statement_timeout", "\(settings.statementTimeoutMs)"))
    writerConfig.options.maximumConnections = 2
    let writer = PostgresClient(configuration: writerConfig, backgroundLogger: logger)
    let database = APIDatabase(reader: reader, writer: writer, logger: logger,
                               readerPoolSize: settings.readerPoolSize,
                               checkoutTimeout: settings.databaseCheckoutTimeout,
                               circuit: DatabaseCircuit(openDuration: settings.databaseCircuitOpen))
    return (APIDependencies(database: database, settings: settings, logger: logger), [reader, writer])
}

/// The plausibility bounds from the database, or `.unknown` (logged) when they cannot be read within 10 s: the
/// daemon still starts, and `ingest_apply()` enforces the bounds on every row anyway.
func loadBounds(_ url: DatabaseURL, logger: Logger) async -> PlausibilityBounds {
    do {
        return try await withDeadline(.seconds(10), "plausibility bounds") {
            var options = try url.connectionConfiguration()
            options.options.connectTimeout = .seconds(5)
            let connection = try await PostgresConnection.connect(configuration: options, id: 1, logger: logger)
            do {
                let bounds = try await PlausibilityBounds.load(connection, logger: logger)
                try? await connection.close()
                return bounds
            } catch {
                try? await connection.close()
                throw error
            }
        }
    } catch {
        logger.warning("plausibility bounds not loaded; the database enforces them on write",
                       metadata: ["error": "\(error)"])
        return .unknown
    }
}

/// The ingest service for `config`: writes on its own connection to `url` and takes the ingest lock there
/// (`leader: false` skips the lock, for tests that run one daemon alone); its validator uses `bounds`.
public func buildIngest(
    _ config: FundingConfig, url: DatabaseURL, dexes: [String]?, leader: Bool = true,
    bounds: PlausibilityBounds = .unknown, logger: Logger
) throws -> IngestService {
    let fetcher = AsyncHTTPFetcher(
        timeout: config.requestTimeout, retry: RetryPolicy(maxAttempts: config.retryAttempts),
        logger: Logger(label: "fundingd.http"))
    let collector = DexCollector(
        fetcher: fetcher, validator: SnapshotValidator(bounds: bounds),
        deadline: config.venueDeadline, logger: logger)
    var settings = IngestService.Settings()
    settings.bufferCapacity = config.bufferCycles
    var storeSettings = PostgresCycleStore.Settings()
    storeSettings.vanishGraceCycles = config.vanishGraceCycles
    return IngestService(
        schedules: try config.dexSchedules(only: dexes), collector: collector,
        store: PostgresCycleStore(url: url, settings: storeSettings, logger: logger),
        leader: leader ? LeaderLock(url: url, logger: logger) : nil, settings: settings, logger: logger)
}

/// The ingest service's state as `/api/v1/health` reads it, when both run in one process (`fundingd run`).
struct IngestServiceStatus: IngestStatusProviding {
    let ingest: IngestService

    func ingestStatus() async -> IngestStatus {
        let stats = ingest.stats.snapshot
        return IngestStatus(
            bufferedCycles: ingest.buffer.count, lastWriteAt: stats.lastWriteAt, lastWriteError: stats.lastWriteError,
            isLeader: stats.isLeader, cyclesDropped: stats.cyclesDropped,
            interval: ingest.schedules.map(\.interval).min() ?? .seconds(60))
    }
}

/// One collection cycle as a service, so `fundingd ingest --once` runs inside the same group as the pool.
struct IngestOnce: Service {
    let ingest: IngestService

    func run() async throws {
        try await ingest.runOnce()
    }
}
