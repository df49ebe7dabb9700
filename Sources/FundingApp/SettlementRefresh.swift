import Foundation
import FundingCore
import Logging
import ServiceLifecycle

/// Keeps `funding_settlements` current inside the daemon: every `interval` it runs the backfill over the last
/// `lookbackDays`. The stored progress makes each run ask only for markets with a funding time due since the last
/// one, so a run costs about one request per settlement. Runs in `fundingd run` and continuous `fundingd ingest`;
/// `FUNDINGD_SETTLEMENT_INTERVAL_SECONDS=0` turns it off. Only the ingest leader refreshes (`isLeader`): a standby
/// daemon beside it would repeat every request to the venues (the writes would stay idempotent).
public struct SettlementRefresh: Service {
    let config: FundingConfig
    let dexes: [String]?
    let interval: Duration
    let lookbackDays: Int
    /// Before the first run: the daemon's first cycle creates the markets a new database lacks.
    let initialDelay: Duration
    /// Whether this daemon leads ingest now (asked before each run).
    let isLeader: @Sendable () -> Bool
    let logger: Logger

    public init(config: FundingConfig, dexes: [String]?, interval: Duration, lookbackDays: Int,
                initialDelay: Duration = .seconds(60), isLeader: @escaping @Sendable () -> Bool = { true },
                logger: Logger) {
        self.config = config
        self.dexes = dexes
        self.interval = interval
        self.lookbackDays = lookbackDays
        self.initialDelay = initialDelay
        self.isLeader = isLeader
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(initialDelay: initialDelay, interval: interval, logger: logger,
                                  failure: "settlement refresh failed") {
            guard let report = try await refreshOnce() else {
                logger.debug("settlement refresh skipped: another daemon leads ingest")
                return
            }
            logger.info("settlements refreshed", metadata: [
                "markets": "\(report.markets)", "fetched": "\(report.marketsFetched)",
                "failed": "\(report.marketsFailed)", "requests": "\(report.requests)",
                "settlements": "\(report.settlementsWritten)", "gaps": "\(report.gapsChecked)"])
        }
    }

    /// One refresh: the backfill over the lookback, or nil on a standby. Each written page stays written when a
    /// shutdown cancels the run.
    func refreshOnce() async throws -> BackfillReport? {
        guard isLeader() else { return nil }
        return try await BackfillRun(days: lookbackDays, dexes: dexes).run(config, migrate: false, logger: logger)
    }
}
