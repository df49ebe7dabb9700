import FundingCore
import FundingStore
import Logging
import NIOCore
import PostgresNIO

/// What a leadership check found.
public enum LeaderCheck: Sendable, Equatable {
    /// This process holds the ingest lock.
    case leader
    /// Another process holds it.
    case standby
    /// The database did not answer; nothing is known.
    case unreachable(String)
}

/// Decides which daemon collects. The daemon's is `LeaderLock`; tests use fakes.
public protocol LeaderElecting: Sendable {
    /// Verifies the lock is still held, or tries to take it. Returns within its own deadline.
    func check() async -> LeaderCheck
    /// Gives the lock up (shutdown).
    func release() async
}

/// One ingest leader per database: a session-level advisory lock held on a dedicated connection. When that
/// connection dies the server releases the lock, so another daemon can take over.
///
/// Every check runs under a deadline. A held lock is verified in `pg_locks` on its own connection (not just a
/// `SELECT 1`); after any error that connection is thrown away and the next check starts on a fresh one, so a
/// restarted server or a terminated backend is noticed, and a lock held by nobody is taken again.
public actor LeaderLock: LeaderElecting {
    /// Any constant all daemons agree on.
    public static let defaultKey: Int64 = 0x66756e_64_6c65_6164  // "fundlead"

    let url: DatabaseURL
    let key: Int64
    let timeout: Duration
    let logger: Logger
    private var connection: PostgresConnection?

    public init(url: DatabaseURL, key: Int64 = LeaderLock.defaultKey, timeout: Duration = .seconds(5),
                logger: Logger) {
        self.url = url
        self.key = key
        self.timeout = timeout
        self.logger = logger
    }

    public func check() async -> LeaderCheck {
        do {
            if let held = connection {
                if try await stillHeld(on: held) { return .leader }
                // The session is alive but the lock is gone: take it again below, on a fresh connection.
                await drop()
            }
            return try await acquire() ? .leader : .standby
        } catch {
            await drop()
            return .unreachable("\(error)")
        }
    }

    public func release() async {
        await drop()
    }

    private func stillHeld(on connection: PostgresConnection) async throws -> Bool {
        let key = self.key
        let logger = self.logger
        // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
        let high = Int64(UInt64(bitPattern: key) >> 32)
        let low = Int64(UInt64(bitPattern: key) & 0xffff_ffff)
        return try await withDeadline(timeout, "leader lock check", abort: { connection.close().whenComplete { _ in } },
                                      failEarly: connection.failWhenClosed) {
            let rows = try await connection.query("""
                SELECT count(*) > 0 FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND classid::bigint = \(high) AND objid::bigint = \(low) AND objsubid = 1
                """, logger: logger)
            var held = false
            for try await value in rows.decode(Bool.self) { held = value }
            return held
        }
    }

    private func acquire() async throws -> Bool {
        var options = try url.connectionConfiguration(applicationName: "fundingd-leader")
        options.options.connectTimeout = .milliseconds(timeout.wholeMilliseconds)
        let configuration = options
        let logger = self.logger
        let key = self.key
        let timeout = self.timeout
        let fresh = try await withDeadline(timeout + .seconds(1), "leader lock connect") {
            try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        }
        do {
            let acquired = try await withDeadline(timeout, "leader lock", abort: { fresh.close().whenComplete { _ in } },
                                                  failEarly: fresh.failWhenClosed) {
                let rows = try await fresh.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
                var acquired = false
                for try await value in rows.decode(Bool.self) { acquired = value }
                return acquired
            }
            if acquired {
                connection = fresh
            } else {
                await fresh.closeWithinDeadline()
            }
            return acquired
        } catch {
            fresh.close().whenComplete { _ in }
            throw error
        }
    }

    private func drop() async {
        guard let old = connection else { return }
        connection = nil
        await old.closeWithinDeadline()
    }
}
