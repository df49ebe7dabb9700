import Logging
import ServiceLifecycle

/// Runs `body` after `initialDelay` and then every `interval` until graceful shutdown, which also cancels a run in
/// progress (SIGTERM must not wait for a long one). A failed run is logged as `failure` and the loop goes on: a
/// periodic job's fault must not stop the daemon.
func repeatUntilShutdown(initialDelay: Duration, interval: Duration, logger: Logger, failure: String,
                         _ body: @escaping @Sendable () async throws -> Void) async {
    var delay = initialDelay
    while true {
        let wait = delay
        do {
            try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        } catch {
            return  // shutting down
        }
        delay = interval
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            return
        } catch {
            logger.warning("\(failure)", metadata: ["error": "\(error)"])
        }
    }
}
