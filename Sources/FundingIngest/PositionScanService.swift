import Foundation
import FundingCore
import FundingStore
import FundingVenues
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Where the position scanner keeps its addresses and writes its scans (the database in production, a fake in tests).
public protocol PositionStore: Sendable {
    /// Adds addresses to scan; returns how many were new. Discovered ones only while fewer than `limit` are tracked.
    func track(_ addresses: [String], source: String, limit: Int) async throws -> Int
    /// Up to `limit` addresses due for a scan, most overdue first.
    func due(limit: Int, priorityEvery: Duration, backgroundEvery: Duration) async throws -> [String]
    /// Writes one scan; returns the address's tier after it.
    func write(address: String, time: Date, positions: [HyperliquidPosition], priorityPercent: Double) async throws
        -> String
}

/// The scanner's calls on a `DedicatedConnection` of their own (`fundingd-positions`).
public struct PostgresPositionStore: PositionStore {
    let connection: DedicatedConnection
    let logger: Logger

    public init(url: DatabaseURL, logger: Logger) {
        self.connection = DedicatedConnection(url: url, applicationName: "fundingd-positions", firstID: 400,
                                              logger: logger)
        self.logger = logger
    }

    public func track(_ addresses: [String], source: String, limit: Int) async throws -> Int {
        let logger = self.logger
        return try await connection.run("track addresses", timeout: .seconds(10)) { connection in
            try await PositionWriter.track(addresses, source: source, maxDiscovered: limit, on: connection,
                                           logger: logger)
        }
    }

    public func due(limit: Int, priorityEvery: Duration, backgroundEvery: Duration) async throws -> [String] {
        let logger = self.logger
        return try await connection.run("due addresses", timeout: .seconds(10)) { connection in
            try await PositionWriter.due(limit: limit, priorityEvery: priorityEvery, backgroundEvery: backgroundEvery,
                                         on: connection, logger: logger)
        }
    }

    public func write(address: String, time: Date, positions: [HyperliquidPosition], priorityPercent: Double)
        async throws -> String
    {
        let logger = self.logger
        return try await connection.run("position scan write", timeout: .seconds(10)) { connection in
            try await PositionWriter.write(address: address, time: time, positions: positions,
                                           priorityPercent: priorityPercent, on: connection, logger: logger).tier
        }
    }

    public func close() async {
        await connection.close()
    }
}

/// Scans Hyperliquid accounts' public positions (`clearinghouseState`) one address at a time, at a fixed pace inside
/// Hyperliquid's rate limit, and writes each scan through `PositionStore`.
///
/// Which address is next is the database's decision (`hyperliquid_due_addresses`): never-scanned addresses first,
/// then the most overdue against their tier's period; an address with a position near liquidation (tier priority,
/// set by `hyperliquid_positions_apply`) is due every `priorityEvery`, the rest every `backgroundEvery`. An address
/// whose scan fails (venue error, malformed answer) is skipped for `failureBackoff`, so it cannot crowd out the
/// others; a database outage pauses scanning (positions are snapshots: a missed scan is taken again later).
public struct PositionScanService<Client: HTTPFetching>: Service {
    public struct Settings: Sendable {
        /// Addresses from `FUNDINGD_HYPERLIQUID_ADDRESSES`, tracked as `configured` at start.
        public var configured: [String] = []
        /// Requests per minute (each weighs 2 of the 1200 per minute Hyperliquid allows an IP).
        public var scansPerMinute: Int = 120
        public var priorityEvery: Duration = .seconds(60)
        public var backgroundEvery: Duration = .seconds(900)
        /// A position whose liquidation price is within this percent of the mark makes its address priority.
        public var priorityPercent: Double = 5
        public var failureBackoff: Duration = .seconds(300)
        /// The wait after the database could not be reached, or when no address is due.
        public var idleWait: Duration = .seconds(5)
        /// The most discovered addresses tracked at once (configured ones do not count).
        public var maxDiscovered: Int = 2000
        /// A streamed Hyperliquid trade of at least this notional (USD) makes its two accounts tracked; nil = none.
        public var discoverAbove: Double? = 100_000

        public init() {}

        /// The time between two requests.
        public var spacing: Duration { .milliseconds(60_000 / max(1, scansPerMinute)) }
    }

    let client: Client
    let baseURL: String
    let store: any PositionStore
    let settings: Settings
    let logger: Logger
    let failures = FailedAddresses()
    /// Accounts discovered since the last call (Hyperliquid's public trades, through the `PriceBook`).
    let discovered: @Sendable () -> [String]

    public init(client: Client, baseURL: String, store: any PositionStore, settings: Settings, logger: Logger,
                discovered: @escaping @Sendable () -> [String] = { [] }) {
        self.client = client
        self.baseURL = baseURL
        self.store = store
        self.settings = settings
        self.logger = logger
        self.discovered = discovered
    }

    public func run() async throws {
        // Graceful shutdown cancels the loop wherever it waits (a scan in flight is abandoned: it is taken again).
        do {
            try await scanLoop()
        } catch is CancellationError {}
    }

    func scanLoop() async throws {
        try await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var tracked = settings.configured.isEmpty
            var next = clock.now
            while !Task.isCancelled {
                if !tracked {
                    do {
                        let added = try await store.track(settings.configured, source: "configured",
                                                          limit: settings.maxDiscovered)
                        logger.info("tracking Hyperliquid addresses", metadata: [
                            "configured": "\(settings.configured.count)", "new": "\(added)"])
                        tracked = true
                    } catch {
                        logger.warning("could not record the configured addresses; retrying",
                                       metadata: ["error": "\(String(reflecting: error))"])
                        try await Task.sleep(for: settings.idleWait)
                        continue
                    }
                }
                let found = discovered()
                if !found.isEmpty {
                    // Lost if the database is away: large traders trade again.
                    if let added = try? await store.track(found, source: "discovered", limit: settings.maxDiscovered),
                       added > 0 {
                        logger.info("discovered Hyperliquid addresses", metadata: ["new": "\(added)"])
                    }
                }
                let batch = max(1, settings.scansPerMinute / 6)
                let due: [String]
                do {
                    due = try await store.due(limit: batch, priorityEvery: settings.priorityEvery,
                                              backgroundEvery: settings.backgroundEvery)
                } catch {
                    logger.warning("could not read the addresses due; retrying",
                                   metadata: ["error": "\(String(reflecting: error))"])
                    try await Task.sleep(for: settings.idleWait)
                    continue
                }
                let now = clock.now
                let scannable = due.filter { !failures.isBackingOff($0, at: now) }
                if scannable.isEmpty {
                    try await Task.sleep(for: settings.idleWait)
                    continue
                }
                for address in scannable {
                    // A fixed cadence: one request per `spacing`, however long each takes.
                    next = max(next + settings.spacing, clock.now)
                    try await Task.sleep(until: next, clock: clock)
                    await scan(address)
                }
            }
        }
    }

    /// Scans one address and writes what it found. Returns the address's tier, or nil when the scan failed.
    @discardableResult
    public func scan(_ address: String) async -> String? {
        let scan: HyperliquidPositionScan
        do {
            scan = try await HyperliquidAdapter.positions(address: address, client: client, baseURL: baseURL)
        } catch {
            failures.record(address, until: ContinuousClock.now + settings.failureBackoff)
            Counter(label: "fundingd_position_scan_failures_total", dimensions: [("stage", "venue")]).increment()
            logger.warning("position scan failed", metadata: ["address": "\(address)", "error": "\(error)"])
            return nil
        }
        if scan.malformed > 0 {
            Counter(label: "fundingd_position_scan_malformed_total").increment(by: scan.malformed)
            logger.warning("position entries left out", metadata: [
                "address": "\(address)", "malformed": "\(scan.malformed)"])
        }
        do {
            let tier = try await store.write(address: address, time: Date(), positions: scan.positions,
                                             priorityPercent: settings.priorityPercent)
            failures.clear(address)
            Counter(label: "fundingd_position_scans_total", dimensions: [("tier", tier)]).increment()
            return tier
        } catch {
            // Not written: the address stays due; a short pause keeps a database outage from spending requests.
            failures.record(address, until: ContinuousClock.now + settings.idleWait)
            Counter(label: "fundingd_position_scan_failures_total", dimensions: [("stage", "database")]).increment()
            logger.warning("position scan not written", metadata: [
                "address": "\(address)", "error": "\(String(reflecting: error))"])
            return nil
        }
    }
}

/// Addresses whose last scan failed, and until when they are skipped.
final class FailedAddresses: Sendable {
    private let until = Mutex<[String: ContinuousClock.Instant]>([:])

    func record(_ address: String, until instant: ContinuousClock.Instant) {
        until.withLock { $0[address] = instant }
    }

    func clear(_ address: String) {
        _ = until.withLock { $0.removeValue(forKey: address) }
    }

    func isBackingOff(_ address: String, at now: ContinuousClock.Instant) -> Bool {
        until.withLock { map in
            guard let end = map[address] else { return false }
            if end <= now { map.removeValue(forKey: address); return false }
            return true
        }
    }
}
