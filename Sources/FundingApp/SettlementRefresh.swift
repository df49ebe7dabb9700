import Foundation
import FundingCore
import Logging
import ServiceLifecycle

/// Keeps `funding_settlements` current inside the daemon: every `interval` it runs the backfill over the last
/// `lookbackDays`. The stored progress makes each run ask only for markets with a funding time due since the last
/// one, so a run costs about one request per settlement. Runs in `fundingd run` and continuous `fundingd ingest`;
/// `FUNDINGD_SETTLEMENT_INTERVAL_SECONDS=0` turns it off. Not leader-elected: a second daemon repeats the requests,
/// and the writes stay idempotent.
public struct SettlementRefresh: Service {
    let config: FundingConfig
    let dexes: [String]?
    let interval: Duration
    let lookbackDays: Int
    /// Before the first run: the daemon's first cycle creates the markets a new database lacks.
    let initialDelay: Duration
    let logger: Logger

    public init(config: FundingConfig, dexes: [String]?, interval: Duration, lookbackDays: Int,
                initialDelay: Duration = .seconds(60), logger: Logger) {
        self.config = config
        self.dexes = dexes
        self.interval = interval
        self.lookbackDays = lookbackDays
        self.initialDelay = initialDelay
        self.logger = logger
    }

    public func run() async throws {
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
                // Cancelled on shutdown (SIGTERM must not wait for a long run); each written page stays written.
                let run = BackfillRun(days: lookbackDays, dexes: dexes)
                let (config, logger) = (config, logger)
                let report = try await cancelWhenGracefulShutdown {
                    try await run.run(config, migrate: false, logger: logger)
                }
                logger.info("settlements refreshed", metadata: [
                    "markets": "\(report.markets)", "fetched": "\(report.marketsFetched)",
                    "failed": "\(report.marketsFailed)", "requests": "\(report.requests)",
                    "settlements": "\(report.settlementsWritten)"])
            } catch is CancellationError {
                return
            } catch {
                logger.warning("settlement refresh failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
