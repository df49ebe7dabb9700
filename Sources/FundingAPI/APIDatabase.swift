import Foundation
import FundingCore
import Logging
import Metrics
import PostgresNIO
import Synchronization

/// The API's database access: a read-only pool (role `fundingd_reader`, with a statement timeout) for every query
/// and a separate writer pool for admin writes. Each method is one call into the SQL of `schema/` with bound
/// parameters; PostgreSQL errors become `APIError`s here.
///
/// Every call first gets a connection within `checkoutTimeout` or fails with 503. When no other call of the pool
/// is running, nothing is reaching the database: `database_unavailable`, and `circuit` opens, failing further calls
/// at once until a probe gets through, so with the database away requests answer in milliseconds and do not pile
/// up waiting for connections. When other calls hold connections the database is there but every one is busy:
/// `database_busy`, and the circuit stays closed (load is shed, not mistaken for an outage).
public struct APIDatabase: Sendable {
    public let reader: PostgresClient
    public let writer: PostgresClient?
    public let logger: Logger
    /// How long a call may wait for a pooled connection.
    public let checkoutTimeout: Duration
    public let circuit: DatabaseCircuit

    let poolMetrics: PoolMetrics

    public init(reader: PostgresClient, writer: PostgresClient?, logger: Logger, readerPoolSize: Int = 8,
                checkoutTimeout: Duration = .seconds(1), circuit: DatabaseCircuit = DatabaseCircuit()) {
        self.reader = reader
        self.writer = writer
        self.logger = logger
        self.checkoutTimeout = checkoutTimeout
        self.circuit = circuit
        self.poolMetrics = PoolMetrics(size: readerPoolSize)
    }

    /// Set once the pool handed out a connection.
    private final class Lease: Sendable {
        let taken = Atomic<Bool>(false)
    }

    private struct CheckoutTimeout: Error {}

    /// Runs `body` on a connection of `client` leased within `checkoutTimeout` (see the type's comment).
    func withConnection<T: Sendable>(_ client: PostgresClient, pool: String,
                                     _ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        try circuit.admit()
        let lease = Lease()
        let timeout = checkoutTimeout
        let metrics = poolMetrics
        do {
            let result = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        lease.taken.store(true, ordering: .sequentiallyConsistent)
                        metrics.leased(pool, 1)
                        defer { metrics.leased(pool, -1) }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if !lease.taken.load(ordering: .sequentiallyConsistent) { throw CheckoutTimeout() }
                    return nil
                }
                while let next = try await group.next() {
                    if let value = next {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
            circuit.succeeded()
            return result
        } catch is CheckoutTimeout where poolMetrics.leasedCount(pool) > 0 {
            circuit.released()
            Counter(label: "fundingd_db_checkout_busy_total", dimensions: [("pool", pool)]).increment()
            throw APIError(.serviceUnavailable, code: "database_busy", message: """
                every database connection stayed busy for \(timeout.wholeMilliseconds) ms; retry shortly
                """)
        } catch is CheckoutTimeout {
            let reason = "no database connection within \(timeout.wholeMilliseconds) ms"
            circuit.failed(reason)
            logger.warning("database unavailable", metadata: ["reason": "\(reason)"])
            throw APIError.databaseUnavailable(reason)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == nil {
            let reason = "connection failed (\(error.code))"
            circuit.failed(reason)
            logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.databaseUnavailable(reason)
        } catch let error as PSQLError {
            // The server answered: it is there.
            circuit.succeeded()
            throw error
        } catch {
            circuit.released()
            throw error
        }
    }

    /// Runs `query` on `client` and maps every row; PostgreSQL errors become `APIError`s.
    func rows<T: Sendable>(_ query: PostgresQuery, on client: PostgresClient? = nil,
                           _ transform: @escaping @Sendable (PostgresRow) throws -> T) async throws -> [T] {
        let pool = client == nil ? "reader" : "writer"
        let start = ContinuousClock.now
        poolMetrics.begin(pool)
        defer { poolMetrics.end(pool, elapsed: ContinuousClock.now - start) }
        let logger = self.logger
        do {
            return try await withConnection(client ?? reader, pool: pool) { connection in
                var out: [T] = []
                for try await row in try await connection.query(query, logger: logger) {
                    out.append(try transform(row))
                }
                return out
            }
        } catch let error as PSQLError {
            let mapped = Self.map(error, logger: logger)
            Counter(label: "fundingd_db_query_errors_total", dimensions: [("pool", pool), ("code", mapped.code)])
                .increment()
            throw mapped
        }
    }

    /// Runs a named prepared statement on the reader pool (planned once per connection).
    func execute<S: PostgresPreparedStatement & Sendable>(_ statement: S) async throws -> [S.Row]
        where S.Row: Sendable
    {
        let start = ContinuousClock.now
        poolMetrics.begin("reader")
        defer { poolMetrics.end("reader", elapsed: ContinuousClock.now - start) }
        let logger = self.logger
        do {
            return try await withConnection(reader, pool: "reader") { connection in
                var out: [S.Row] = []
                for try await row in try await connection.execute(statement, logger: logger) { out.append(row) }
                return out
            }
        } catch let error as PSQLError {
            let mapped = Self.map(error, logger: logger)
            Counter(label: "fundingd_db_query_errors_total", dimensions: [("pool", "reader"), ("code", mapped.code)])
                .increment()
            throw mapped
        }
    }

    static func map(_ error: PSQLError, logger: Logger) -> APIError {
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "query failed"
            switch state {
            case "57014": return .queryTimeout
            case "22023", "22P02", "22003", "22007", "22008": return APIError(.badRequest, code: "invalid_parameter",
                                                                            message: message)
            case "P0002": return APIError(.notFound, code: "not_found", message: message)
            default:
                logger.error("query failed", metadata: ["sqlstate": "\(state)", "message": "\(message)"])
                return .internalError
            }
        }
        logger.error("database error", metadata: ["error": "\(String(reflecting: error))"])
        return .databaseUnavailable
    }

    // MARK: names

    public func dexNames() async throws -> [String] {
        try await rows("SELECT name FROM dexes") { try $0.decode(String.self) }
    }

    public func symbolNames() async throws -> [String] {
        try await rows("SELECT symbol FROM symbols") { try $0.decode(String.self) }
    }

    // MARK: latest rates

    /// Latest state of every active market matching the filters (`nil` = any).
    public func latestRates(dexes: [String]? = nil, symbols: [String]? = nil, quote: String? = nil)
        async throws -> [FundingRateRow]
    {
        try await rows("""
            SELECT \(unescaped: FundingRateRow.columns) FROM \(unescaped: Self.latestSource)
            WHERE (\(dexes)::text[] IS NULL OR dex = ANY(\(dexes)::text[]))
              AND (\(symbols)::text[] IS NULL OR symbol = ANY(\(symbols)::text[]))
              AND (\(quote)::text IS NULL OR quote = \(quote)::text)
            ORDER BY symbol, dex, dex_symbol
            """) { try FundingRateRow(row: $0) }
    }

    /// The relation the latest rates are read from (schema/0011_latest_funding_rates.sql).
    static let latestSource = "latest_funding_rates"

    // MARK: dexes and health

    /// `dex_health` rows (one per active dex), optionally one dex.
    public func dexHealth(dex: String? = nil) async throws -> [DexHealthRow] {
        try await rows("""
            SELECT dex, display_name, kind, maker_fee, taker_fee, fee_tiers, funding_interval_hours,
                   collection_interval_seconds, markets, newest_data, data_age_seconds, last_successful_fetch,
                   last_error_at, last_error, consecutive_errors, last_run_at, last_run_status, status
            FROM dex_health WHERE (\(dex)::text IS NULL OR dex = \(dex)::text) ORDER BY dex
            """) { try DexHealthRow($0) }
    }

    /// Whether the reader is a hot standby and its replay lag in seconds (schema/0060 `replica_status()`).
    public func replicaStatus() async throws -> (inRecovery: Bool, lagSeconds: Double?) {
        try await rows("SELECT in_recovery, replay_lag_seconds FROM replica_status()") {
            try $0.decode((Bool, Double?).self)
        }.first ?? (false, nil)
    }

    /// Waits (polling every 20 ms, at most `timeout`) until the reader has replayed the primary's WAL up to `lsn`
    /// (from `cycle_notice()`); at once on a primary. `false` when the deadline passed first.
    public func waitForReplay(to lsn: String, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let caught = try await rows("SELECT replica_caught_up(\(lsn))") { try $0.decode(Bool.self) }.first ?? true
            if caught { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The symbols each active dex lists (all dexes, or one), sorted.
    public func dexSymbolNames(dex: String? = nil) async throws -> [String: [String]] {
        let rows = try await rows("""
            SELECT dex, array_agg(DISTINCT symbol ORDER BY symbol) FROM dex_markets
            WHERE (\(dex)::text IS NULL OR dex = \(dex)::text) GROUP BY dex
            """) { (try $0.decode((String, [String]).self)) }
        return Dictionary(rows, uniquingKeysWith: { a, _ in a })
    }

    /// `dex_collection_stats` rows: each active dex's collection runs of the last 24 hours.
    public func dexCollectionStats() async throws -> [DexCollectionStatsRow] {
        try await rows("""
            SELECT dex, runs_24h, failed_24h, partial_24h, error_rate_percent, avg_collection_latency_ms
            FROM dex_collection_stats ORDER BY dex
            """) { try DexCollectionStatsRow($0) }
    }

    /// Active markets of `dex` with OI, volume, interval and last update.
    public func dexMarkets(dex: String) async throws -> [DexMarketRow] {
        try await rows("""
            SELECT symbol, dex_symbol, quote, margin, multiplier, funding_interval_hours, funding_rate,
                   open_interest_usd, volume_24h_usd, last_update
            FROM dex_markets WHERE dex = \(dex) ORDER BY symbol, dex_symbol
            """) { try DexMarketRow($0) }
    }

    /// Admin: new base fees and tiers through `set_dex_fees` on the writer connection.
    public func setFees(dex: String, makerFee: Double, takerFee: Double, feeTiersJSON: String?) async throws
        -> DexFeesRow
    {
        guard let writer else {
            throw APIError(.serviceUnavailable, code: "admin_unavailable", message: "no writer connection configured")
        }
        let updated = try await rows("""
            SELECT dex, maker_fee, taker_fee, fee_tiers, updated_at
            FROM set_dex_fees(\(dex), \(makerFee), \(takerFee), \(feeTiersJSON)::jsonb)
            """, on: writer) { try DexFeesRow($0) }
        guard let row = updated.first else { throw APIError.dexNotFound(dex) }
        return row
    }

    // MARK: history

    /// `funding_history(...)` rows.
    public func history(dex: String, symbol: String, from: Date, to: Date, interval: String) async throws
        -> [ResultRow]
    {
        try await rows("""
            SELECT dex_symbol, quote, time, funding_rate, funding_interval_hours, rate_8h, rate_min, rate_max,
                   sample_count, mark_price, open_interest_usd, volume_24h_usd
            FROM funding_history(\(dex), \(symbol), \(from), \(to), \(interval))
            """) { try ResultRow(row: $0) }
    }

    /// `funding_history_stats(...)` rows (one per market).
    public func historyStats(dex: String, symbol: String, from: Date, to: Date, interval: String) async throws
        -> [ResultRow]
    {
        try await rows("""
            SELECT dex_symbol, samples, mean_rate, min_rate, max_rate, stddev_rate, mean_rate_8h, mean_apr,
                   first_time, last_time
            FROM funding_history_stats(\(dex), \(symbol), \(from), \(to), \(interval))
            """) { try ResultRow(row: $0) }
    }

    // MARK: analytics

    /// `current_opportunities(...)` (same rows as `opportunities(...)`) sorted and limited, with the count before the
    /// limit.
    public func opportunities(_ q: OpportunityQuery) async throws -> (rows: [ResultRow], total: Int) {
        Self.splitTotal(try await execute(OpportunitiesStatement(query: q)))
    }

    /// A read-only call whose rows carry `count(*) OVER () AS total_count` (the count before its LIMIT): the rows
    /// without that column, and the count.
    public func resultRowsWithTotal(_ query: PostgresQuery) async throws -> (rows: [ResultRow], total: Int) {
        Self.splitTotal(try await resultRows(query))
    }

    static func splitTotal(_ rows: [ResultRow]) -> (rows: [ResultRow], total: Int) {
        var total = 0
        let stripped = rows.map { row -> ResultRow in
            var r = row
            if let i = r.columns.firstIndex(of: "total_count") {
                if case .int(let n) = r.values[i] { total = n }
                r.columns.remove(at: i)
                r.values.remove(at: i)
            }
            return r
        }
        return (stripped, total)
    }

    /// Any read-only analytics call whose rows are shaped as they come.
    /// Id columns (`market_id`, ...) never reach a response: the API speaks names.
    public func resultRows(_ query: PostgresQuery) async throws -> [ResultRow] {
        let skipped = Self.idColumns
        return try await rows(query) { try ResultRow(row: $0, skipping: skipped) }
    }

    static let idColumns: Set<String> = ["market_id", "dex_id", "symbol_id"]
}

/// Database pool metrics: queries in flight (a gauge against the pool size), query durations, errors by code.
final class PoolMetrics: Sendable {
    private let inFlight = Mutex<[String: Int]>([:])

    init(size: Int) {
        Gauge(label: "fundingd_db_pool_max_connections", dimensions: [("pool", "reader")]).record(size)
    }

    func begin(_ pool: String) {
        let n = inFlight.withLock { $0[pool, default: 0] += 1; return $0[pool]! }
        Gauge(label: "fundingd_db_queries_in_flight", dimensions: [("pool", pool)]).record(n)
    }

    func end(_ pool: String, elapsed: Duration) {
        let n = inFlight.withLock { $0[pool, default: 1] -= 1; return $0[pool]! }
        Gauge(label: "fundingd_db_queries_in_flight", dimensions: [("pool", pool)]).record(n)
        Metrics.Timer(label: "fundingd_db_query_duration_seconds", dimensions: [("pool", pool)])
            .recordNanoseconds(Int64(elapsed.components.seconds) * 1_000_000_000
                               + Int64(elapsed.components.attoseconds / 1_000_000_000))
    }

    /// Current in-flight counts (the JSON metrics summary).
    var snapshot: [String: Int] { inFlight.withLock { $0 } }

    /// Connections each pool has handed out right now (a call holding one is talking to the database).
    private let leases = Mutex<[String: Int]>([:])

    func leased(_ pool: String, _ delta: Int) {
        leases.withLock { $0[pool, default: 0] += delta }
    }

    func leasedCount(_ pool: String) -> Int { leases.withLock { $0[pool] ?? 0 } }
}
