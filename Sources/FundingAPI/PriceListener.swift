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
            await NotificationLoop(url: url, channel: Self.channel, connectionID: 2, timeout: timeout, logger: logger)
                .run { _, notifications, _ in
                    // A push at once: on a reconnect, flushes may have been missed.
                    await hub.flushed()
                    for try await _ in notifications { await hub.flushed() }
                }
        }
    }
}
