import FundingStore
import Logging
import PostgresNIO

/// One ingest leader per database: a session-level advisory lock held on a dedicated connection. When that
/// connection dies the lock is released by the server, so another daemon can take over.
public actor LeaderLock {
    /// Any constant all daemons agree on.
    public static let defaultKey: Int64 = 0x66756e_64_6c65_6164  // "fundlead"

    let url: DatabaseURL
    let key: Int64
    let logger: Logger
    private var connection: PostgresConnection?

    public init(url: DatabaseURL, key: Int64 = LeaderLock.defaultKey, logger: Logger) {
        self.url = url
        self.key = key
        self.logger = logger
    }

    /// Tries to take the lock on a fresh connection; `true` when this process is now the leader.
    public func tryAcquire() async throws -> Bool {
        await release()
        let conn = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 2,
                                                        logger: logger)
        let rows = try await conn.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
        var acquired = false
        for try await value in rows.decode(Bool.self) { acquired = value }
        if acquired {
            connection = conn
        } else {
            try? await conn.close()
        }
        return acquired
    }

    /// Whether the lock's connection still answers (and so the lock is still held).
    public func isHeld() async -> Bool {
        guard let conn = connection else { return false }
        do {
            _ = try await conn.query("SELECT 1", logger: logger).collect()
            return true
        } catch {
            return false
        }
    }

    public func release() async {
        let conn = connection
        connection = nil
        try? await conn?.close()
    }
}
