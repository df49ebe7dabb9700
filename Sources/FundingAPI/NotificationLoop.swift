import Foundation
import FundingCore
import FundingStore
import Logging
import PostgresNIO

/// LISTEN on one channel over a dedicated connection for as long as the task runs: connects within `timeout`,
/// hands each session's notifications to a handler, and reconnects with backoff (250 ms doubling to 10 s) when the
/// connection fails. `url` must point at the primary: a hot standby refuses LISTEN.
struct NotificationLoop {
    let url: DatabaseURL
    let channel: String
    let connectionID: Int
    let timeout: Duration
    let logger: Logger

    /// Runs until cancelled. `handle` gets the connection, its notifications and whether this is a reconnect (so
    /// anything sent while the connection was down may have been missed).
    func run(_ handle: (PostgresConnection, PostgresNotificationSequence, _ reconnected: Bool) async throws -> Void)
        async
    {
        var delay = Duration.milliseconds(250)
        var reconnected = false
        while !Task.isCancelled {
            do {
                let connection = try await withDeadline(timeout, "\(channel) listener connect") { [url, connectionID, logger] in
                    try await PostgresConnection.connect(
                        configuration: try url.connectionConfiguration(), id: connectionID, logger: logger)
                }
                do {
                    try await connection.listen(on: channel) { notifications in
                        logger.info("listening", metadata: ["channel": "\(channel)"])
                        delay = .milliseconds(250)
                        try await handle(connection, notifications, reconnected)
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { break }
                logger.warning("listener disconnected; retrying",
                               metadata: ["channel": "\(channel)", "error": "\(error)", "retry_in": "\(delay)"])
            }
            reconnected = true
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(10))
        }
    }
}
