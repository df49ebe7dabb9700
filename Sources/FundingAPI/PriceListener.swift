import Foundation
import FundingCore
import FundingStore
import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on `fundingd_prices` (sent by `prices_apply()` after each flush) on one dedicated connection and tells
/// the `PriceHub`, which pushes to WebSocket subscribers. The payload is advisory (any role may NOTIFY): it only
/// triggers a re-read of the tables, so a forged one costs one read and can inject nothing. Reconnects with backoff;
/// after a reconnect the hub pushes at once. `url` must point at the primary (a hot standby refuses LISTEN).
public struct PriceListener: Service {
    public static let channel = "fundingd_prices"

    let url: DatabaseURL
    let hub: PriceHub
    let logger: Logger
    let timeout: Duration

    public init(url: DatabaseURL, hub: PriceHub, logger: Logger, timeout: Duration = .seconds(5)) {
        self.url = url
        self.hub = hub
        self.logger = logger
        self.timeout = timeout
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(250)
            while !Task.isCancelled {
                do {
                    let connection = try await withDeadline(timeout, "price listener connect") {
                        try await PostgresConnection.connect(
                            configuration: try url.connectionConfiguration(), id: 2, logger: logger)
                    }
                    do {
                        try await connection.listen(on: Self.channel) { notifications in
                            delay = .milliseconds(250)
                            await hub.flushed()
                            for try await _ in notifications { await hub.flushed() }
                        }
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("price listener disconnected; retrying",
                                   metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }
}
