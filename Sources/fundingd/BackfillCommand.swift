import ArgumentParser
import Foundation
import FundingApp
import Logging

/// `fundingd backfill`: settled funding of every known market over the last N days, resumable.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Fetch the settled funding history of every collected market into funding_settlements.",
        discussion: """
            Resumable: each market's fetched range is stored with its rows, so a killed run continues where it \
            stopped and a repeated run fetches only settlements due since. Markets are those the daemon has \
            collected (run `fundingd ingest --once` first on a new database). Safe beside a running daemon.
            """)

    @Option(help: "Days of history to fetch, ending now.")
    var days = 30

    @Option(help: "Comma-separated dexes (default: FUNDINGD_DEXES or all with history).")
    var dexes: String?

    @Option(help: "Comma-separated symbols (BTC) or venue symbols (BTCUSDT) to restrict to.")
    var symbols: String?

    @Option(help: "End of the window, ISO-8601 (default: now less 2 minutes, so settlements have been published).")
    var until: String?

    @Flag(name: .customLong("no-migrate"), help: "Do not apply pending migrations at start.")
    var noMigrate = false

    func run() async throws {
        let logger = Logger(label: "fundingd.backfill")
        let config = try await FundingConfig.load()
        var end: Date?
        if let until {
            guard let date = try? Date(until, strategy: .iso8601) else {
                throw ValidationError("--until must be an ISO-8601 time such as 2026-01-31T00:00:00Z")
            }
            end = date
        }
        let run = BackfillRun(days: days, until: end, dexes: Self.list(dexes),
                              symbols: Self.list(symbols).map(Set.init))
        let meter = ProgressMeter(terminal: isatty(STDERR_FILENO) == 1, logger: logger)
        let report = try await run.run(config, migrate: !noMigrate, logger: logger) { meter.update($0) }
        meter.finish()
        print("backfill: \(report.markets) markets, \(report.marketsFetched) fetched, \(report.marketsUpToDate) up to date, "
              + "\(report.marketsFailed) failed; \(report.requests) requests, \(report.settlementsWritten) settlements written; "
              + "\(report.gapsChecked) gaps asked again, \(report.gapSettlements) settlements refilled")
        if !report.withoutHistory.isEmpty {
            print("no settled history from: \(report.withoutHistory.joined(separator: ", "))")
        }
        if !report.withoutMarkets.isEmpty {
            print("no collected markets (run `fundingd ingest --once` first): \(report.withoutMarkets.joined(separator: ", "))")
        }
        for failure in report.failures { print("failed: \(failure)") }
        if report.marketsFailed > 0 { throw ExitCode(2) }
    }

    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}

/// Progress over all dexes: a one-line bar on a terminal (markets done / total, rows, rate, ETA), a structured log
/// line per dex every 10 markets otherwise.
final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var byDex: [String: BackfillProgress] = [:]
    private let started = Date()
    private let terminal: Bool
    private let logger: Logger

    init(terminal: Bool, logger: Logger) {
        self.terminal = terminal
        self.logger = logger
    }

    func update(_ progress: BackfillProgress) {
        lock.lock()
        defer { lock.unlock() }
        byDex[progress.dex] = progress
        if terminal {
            let done = byDex.values.map(\.marketsDone).reduce(0, +)
            let total = byDex.values.map(\.marketsTotal).reduce(0, +)
            let rows = byDex.values.map(\.settlementsWritten).reduce(0, +)
            let elapsed = max(Date().timeIntervalSince(started), 0.001)
            let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
            let line = String(format: "\r%d/%d markets, %d rows, %.0f rows/s, ETA %.0f s   ", done, total, rows,
                              Double(rows) / elapsed, eta)
            FileHandle.standardError.write(Data(line.utf8))
        } else if progress.marketsDone % 10 == 0 || progress.marketsDone == progress.marketsTotal {
            logger.info("backfill progress", metadata: [
                "dex": "\(progress.dex)", "markets_done": "\(progress.marketsDone)",
                "markets_total": "\(progress.marketsTotal)", "settlements": "\(progress.settlementsWritten)",
                "requests": "\(progress.requests)", "failures": "\(progress.failures)"])
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
