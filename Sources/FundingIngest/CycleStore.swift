import FundingCore
import FundingStore
import Logging
import NIOCore
import PostgresNIO

/// Where the writer puts cycles. The daemon's is `PostgresCycleStore`; tests use fakes.
public protocol CycleStore: Sendable {
    /// Writes `cycle` atomically (all of it or nothing) or throws.
    func write(_ cycle: PendingCycle) async throws -> CycleWriteResult
    /// Releases the store's connections (the service calls it once, when it stops).
    func close() async
}

extension CycleStore {
    public func close() async {}
}

/// An error a store throws when the database refused the data itself (see `WriteFailure.refused`).
public protocol WriteRefusal: Error {}

/// The database could not be reached at all (connect failed or timed out), as opposed to a connection that was
/// lost mid-write: the writer backs off exponentially only for this.
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public var underlying: any Error
    public init(_ underlying: any Error) { self.underlying = underlying }
    public var description: String { "database unreachable: \(underlying)" }
}

/// How the writer treats a failed write.
public enum WriteFailure: Sendable, Equatable {
    /// The database refused the data itself (a constraint, a bad value, a raised error): writing the same cycle
    /// again fails again, so it is dropped and logged instead of blocking the queue.
    case refused
    /// Anything else (connection lost or refused, server shutting down, deadline, serialization failure): the
    /// cycle stays buffered and is retried on a fresh connection.
    case transient

    /// SQLSTATE classes whose errors are about the data, not the moment: 22 data exception, 23 integrity
    /// violation, 42 syntax or access rule, P0 PL/pgSQL raise, XX internal. Class 08 (connection), 40 (rollback),
    /// 53 (resources), 55 (object state), 57 (operator intervention: shutdown, cannot connect now) and every
    /// non-server error are transient.
    public static func classify(_ error: any Error) -> WriteFailure {
        if error is any WriteRefusal { return .refused }
        var error = error
        if let tx = error as? PostgresTransactionError {
            guard let inner = tx.closureError ?? tx.commitError ?? tx.beginError else { return .transient }
            error = inner
        }
        guard let psql = error as? PSQLError, psql.code == .server,
              let state = psql.serverInfo?[.sqlState] else { return .transient }
        return ["22", "23", "42", "P0", "XX"].contains(String(state.prefix(2))) ? .refused : .transient
    }
}

/// A connection that closed under a query: the server ended the session (terminated backend, restart).
public struct ConnectionLost: Error, CustomStringConvertible {
    public var description: String { "the database connection closed during the operation" }
}

extension PostgresConnection {
    /// For `withDeadline(failEarly:)`: fails the operation as soon as this connection's channel closes.
    @Sendable func failWhenClosed(_ fail: @escaping @Sendable (any Error) -> Void) {
        closeFuture.whenComplete { _ in fail(ConnectionLost()) }
    }

    /// Closes the connection, waiting at most 2 s: closing a dead connection can itself wait on the dead peer.
    func closeWithinDeadline() async {
        _ = try? await withDeadline(.seconds(2), "close connection") { try await self.close() }
    }
}

/// One dedicated writer connection, opened lazily and thrown away after any error that is not a clean refusal, so
/// an operation after a lost connection (a terminated backend, a restarted server) always starts on a fresh one.
/// Not a pool: the deadline has to be able to close the very connection a stuck statement is on, which is what
/// makes it fail instead of hanging.
public actor DedicatedConnection {
    let url: DatabaseURL
    let applicationName: String
    let connectTimeout: Duration
    let logger: Logger
    private var connection: PostgresConnection?
    private var nextConnectionID: Int

    public init(url: DatabaseURL, applicationName: String, connectTimeout: Duration = .seconds(5), firstID: Int = 100,
                logger: Logger) {
        self.url = url
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.nextConnectionID = firstID
        self.logger = logger
    }

    /// Runs `body` on the connection within `timeout`; a transient failure discards the connection.
    public func run<T: Sendable>(_ operation: String, timeout: Duration,
                                 _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connected()
        do {
            return try await withDeadline(timeout, operation,
                                          abort: { connection.close().whenComplete { _ in } },
                                          failEarly: connection.failWhenClosed) {
                try await body(connection)
            }
        } catch {
            if WriteFailure.classify(error) == .transient || connection.isClosed { await discard() }
            throw error
        }
    }

    /// Closes the connection (shutdown).
    public func close() async {
        await discard()
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        await discard()
        var options = try url.connectionConfiguration(applicationName: applicationName)
        options.options.connectTimeout = .milliseconds(connectTimeout.wholeMilliseconds)
        let configuration = options
        nextConnectionID += 1
        let id = nextConnectionID
        let logger = self.logger
        do {
            let fresh = try await withDeadline(connectTimeout + .seconds(1), "database connect") {
                try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
            }
            connection = fresh
            return fresh
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw DatabaseUnreachable(error)
        }
    }

    private func discard() async {
        guard let old = connection else { return }
        connection = nil
        await old.closeWithinDeadline()
    }
}

/// Writes cycles on one `DedicatedConnection` (`fundingd-writer`).
public struct PostgresCycleStore: CycleStore {
    public struct Settings: Sendable {
        public var connectTimeout: Duration = .seconds(5)
        /// The longest one cycle's transaction may take before its connection is closed.
        public var writeTimeout: Duration = .seconds(30)
        /// Markets missing from this many answered runs of their venue become inactive.
        public var vanishGraceCycles: Int = 3
        public init() {}
    }

    let settings: Settings
    let logger: Logger
    let connection: DedicatedConnection

    public init(url: DatabaseURL, settings: Settings = Settings(), logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.connection = DedicatedConnection(url: url, applicationName: "fundingd-writer",
                                              connectTimeout: settings.connectTimeout, logger: logger)
    }

    public func write(_ cycle: PendingCycle) async throws -> CycleWriteResult {
        let logger = self.logger
        let grace = settings.vanishGraceCycles
        return try await connection.run("cycle write", timeout: settings.writeTimeout) { connection in
            try await CycleWriter.write(snapshots: cycle.snapshots, runs: cycle.runs, vanishGraceCycles: grace,
                                        on: connection, logger: logger)
        }
    }

    /// Closes the connection (shutdown).
    public func close() async {
        await connection.close()
    }
}
