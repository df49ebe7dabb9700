import Foundation
import FundingStore
import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on `fundingd_cycle` over one dedicated connection and hands every notification to the hub, so pushes
/// follow the write path instead of polling. Reconnects with backoff; after a reconnect the hub is told about a
/// cycle at once, so anything written while the connection was down reaches subscribers. Every notification first
/// drops the response cache, so a REST call made after a push sees the data of that push.
public struct CycleListener: Service {
    public static let channel = "fundingd_cycle"

    let url: DatabaseURL
    let hub: StreamHub
    let cache: ResponseCache
    let logger: Logger

    public init(url: DatabaseURL, hub: StreamHub, cache: ResponseCache, logger: Logger) {
        self.url = url
        self.hub = hub
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(250)
            var reconnecting = false
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration: try url.connectionConfiguration(), id: 1, logger: logger)
                    do {
                        try await connection.listen(on: Self.channel) { notifications in
                            logger.info("listening for ingest cycles", metadata: ["channel": "\(Self.channel)"])
                            delay = .milliseconds(250)
                            if reconnecting {
                                cache.invalidate()
                                await hub.cycleCompleted(payload: "{}")
                            }
                            for try await notification in notifications {
                                cache.invalidate()
                                await hub.cycleCompleted(payload: notification.payload)
                            }
                        }
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("cycle listener disconnected; retrying",
                                   metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                }
                reconnecting = true
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }
}
