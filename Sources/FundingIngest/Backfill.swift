import Foundation
import FundingCore
import FundingVenues
import Logging

/// `fundingd backfill`: fetches the settled funding each venue publishes (`FundingHistorySource`) for every known
/// market over a time window, page by page, and writes each page with the range it covered
/// (`SettlementStore.apply`), so a killed run resumes where it stopped and a repeated run fetches only what is due.
/// It then refills gaps inside the fetched range (`settlement_gaps`: settlements further apart than 1.5 intervals),
/// asking the venue once per gap for the times between its two neighbours.
///
/// Dexes run in parallel, the markets of one dex one at a time and each page within `pageDeadline` (the
/// fetcher's own per-request timeout and retries apply inside it). Consecutive failures of a dex open its circuit
/// breaker as in the snapshot loop; its remaining markets are then reported failed, not hammered. Markets come from
/// the database (`backfill_markets`): a dex never collected has none, and the report says so.
public struct Backfill<Fetcher: HTTPFetching>: Sendable {
    public struct Options: Sendable {
        /// Settlements with `start <= funding time < until` are fetched.
        public var start: Date
        public var until: Date
        /// Normalised symbols (`BTC`) or venue symbols (`BTCUSDT`) to restrict to, upper-cased; nil = all.
        public var symbols: Set<String>?
        public var pageDeadline: Duration
        /// Consecutive failed pages of one dex before its remaining markets are given up.
        public var failureThreshold: Int

        public init(start: Date, until: Date, symbols: Set<String>? = nil, pageDeadline: Duration = .seconds(45),
                    failureThreshold: Int = 3) {
            self.start = start
            self.until = until
            self.symbols = symbols.map { Set($0.map { $0.uppercased() }) }
            self.pageDeadline = pageDeadline
            self.failureThreshold = failureThreshold
        }
    }

    /// Progress of one dex after each market (for a progress bar or log line).
    public struct Progress: Sendable {
        public var dex: String
        public var marketsDone: Int
        public var marketsTotal: Int
        public var settlementsWritten: Int
        public var requests: Int
        public var failures: Int
    }

    /// What a run did, per dex and in total.
    public struct Report: Sendable {
        public var markets = 0
        /// Markets whose missing range was fetched to the end.
        public var marketsFetched = 0
        /// Markets with nothing due (their range already reaches the last funding time before `until`).
        public var marketsUpToDate = 0
        public var marketsFailed = 0
        /// History pages asked for, answered or not (a page's retries inside the fetcher count once).
        public var requests = 0
        public var settlementsWritten = 0
        /// Gaps inside fetched ranges asked about again, and the settlements that wrote (included in
        /// `settlementsWritten`).
        public var gapsChecked = 0
        public var gapSettlements = 0
        /// "dex symbol: error" per failed market.
        public var failures: [String] = []
        /// Dexes whose venue publishes no settled history here.
        public var withoutHistory: [String] = []
        /// Dexes with history but no known market (never collected).
        public var withoutMarkets: [String] = []

        mutating func merge(_ other: Report) {
            markets += other.markets; marketsFetched += other.marketsFetched
            marketsUpToDate += other.marketsUpToDate; marketsFailed += other.marketsFailed
            requests += other.requests; settlementsWritten += other.settlementsWritten
            gapsChecked += other.gapsChecked; gapSettlements += other.gapSettlements
            failures += other.failures; withoutHistory += other.withoutHistory; withoutMarkets += other.withoutMarkets
        }
    }

    public let fetcher: Fetcher
    public let store: SettlementStore
    public let logger: Logger

    public init(fetcher: Fetcher, store: SettlementStore, logger: Logger) {
        self.fetcher = fetcher
        self.store = store
        self.logger = logger
    }

    public func run(_ schedules: [DexSchedule], options: Options,
                    progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Report {
        try await withThrowingTaskGroup(of: Report.self) { group in
            for schedule in schedules {
                group.addTask { try await self.run(schedule, options: options, progress: progress) }
            }
            var total = Report()
            for try await report in group { total.merge(report) }
            total.failures.sort()
            total.withoutHistory.sort()
            total.withoutMarkets.sort()
            return total
        }
    }

    func run(_ schedule: DexSchedule, options: Options, progress: @Sendable (Progress) -> Void) async throws -> Report {
        let dex = schedule.adapter.descriptor.name
        var report = Report()
        guard let source = schedule.adapter as? any FundingHistorySource else {
            report.withoutHistory = [dex]
            return report
        }
        let markets = try await store.markets(dex: dex).filter { market in
            options.symbols.map { $0.contains(market.symbol.uppercased()) || $0.contains(market.dexSymbol.uppercased()) } ?? true
        }
        if markets.isEmpty {
            report.withoutMarkets = [dex]
            return report
        }
        report.markets = markets.count
        let gaps = try await store.gaps(dex: dex, start: options.start, until: options.until)
        var breaker = CircuitBreaker<ContinuousClock.Instant>(failureThreshold: options.failureThreshold)
        for (i, market) in markets.enumerated() {
            try Task.checkCancellation()
            let ranges = Self.missing(market, start: options.start, until: options.until,
                                      everyHours: type(of: source).settlementIntervalHours)
            let marketGaps = gaps[market.dexSymbol] ?? []
            if ranges.isEmpty && marketGaps.isEmpty {
                report.marketsUpToDate += 1
            } else if !breaker.allowsRequest(at: .now) {
                report.marketsFailed += 1
                report.failures.append("\(dex) \(market.dexSymbol): skipped, circuit open after \(breaker.consecutiveFailures) consecutive failures")
            } else {
                do {
                    for range in ranges {
                        try await fetch(source, market: market, range: range, baseURL: schedule.baseURL, dex: dex,
                                        deadline: options.pageDeadline, report: &report)
                    }
                    for gap in marketGaps {
                        // Through the settlement after the gap, so its interval is inferred again from the refilled
                        // one before it (stored, it spans the whole gap).
                        let before = report.settlementsWritten
                        try await fetch(source, market: market,
                                        range: gap.lowerBound.addingTimeInterval(0.001)..<gap.upperBound.addingTimeInterval(0.001),
                                        baseURL: schedule.baseURL, dex: dex, deadline: options.pageDeadline,
                                        report: &report)
                        let found = report.settlementsWritten - before
                        try await store.gapChecked(dex: dex, dexSymbol: market.dexSymbol, gap: gap, found: found)
                        report.gapsChecked += 1
                        report.gapSettlements += found
                    }
                    breaker.recordSuccess()
                    if ranges.isEmpty { report.marketsUpToDate += 1 } else { report.marketsFetched += 1 }
                } catch let error as CancellationError {
                    throw error
                } catch {
                    _ = breaker.recordFailure(at: .now)
                    report.marketsFailed += 1
                    report.failures.append("\(dex) \(market.dexSymbol): \(error)")
                    logger.warning("backfill of a market failed", metadata: [
                        "dex": "\(dex)", "market": "\(market.dexSymbol)", "error": "\(error)"])
                }
            }
            progress(Progress(dex: dex, marketsDone: i + 1, marketsTotal: markets.count,
                              settlementsWritten: report.settlementsWritten, requests: report.requests,
                              failures: report.marketsFailed))
        }
        return report
    }

    /// Follows one range's pages to the end, writing each with the part of the range fetched so far.
    func fetch(_ source: any FundingHistorySource, market: SettlementStore.Market, range: Range<Date>, baseURL: String,
               dex: String, deadline: Duration, report: inout Report) async throws {
        var request = FundingHistoryRequest(dexSymbol: market.dexSymbol, start: range.lowerBound, end: range.upperBound,
                                            intervalHours: market.intervalHours)
        var fetched: Range<Date>?
        while true {
            try Task.checkCancellation()
            let current = request, fetcher = fetcher
            report.requests += 1
            let page = try await withDeadline(deadline, "\(dex) history \(market.dexSymbol)") {
                try await source.fundingHistory(current, client: fetcher, baseURL: baseURL)
            }
            let covered = page.covered(by: current)
            // Pages of one range are contiguous (forward or backward), so their union is one range.
            fetched = fetched.map { min($0.lowerBound, covered.lowerBound)..<max($0.upperBound, covered.upperBound) }
                ?? covered
            report.settlementsWritten += try await store.apply(
                dex: dex, dexSymbol: market.dexSymbol, settlements: page.settlements, covered: fetched!)
            guard let next = page.next else { return }
            guard next.start != current.start || next.end != current.end || next.cursor != current.cursor else {
                throw VenuePayloadError(dex: dex, endpoint: "history", reason: "the next page repeats the last one")
            }
            request = next
        }
    }

    /// The parts of `[start, until)` not yet fetched for `market`: before its fetched range, and after it when a
    /// funding time is due there. Funding times fall on multiples of the market's interval since 1970 (00:00,
    /// 08:00, 16:00 UTC for 8 h; every hour for 1 h), or of `everyHours` when the venue's history settles on
    /// another schedule, so a range that ends before the next one has nothing to fetch.
    static func missing(_ market: SettlementStore.Market, start: Date, until: Date, everyHours: Double? = nil)
        -> [Range<Date>]
    {
        guard start < until else { return [] }
        guard let covered = market.covered else { return [start..<until] }
        var ranges: [Range<Date>] = []
        if start < covered.lowerBound { ranges.append(start..<min(covered.lowerBound, until)) }
        let tail = max(covered.upperBound, start)
        if tail < until && nextFundingTime(onOrAfter: tail, intervalHours: everyHours ?? market.intervalHours) < until {
            ranges.append(tail..<until)
        }
        return ranges
    }

    /// The first funding time at or after `date` for a market settling every `intervalHours` (1 h when unknown,
    /// the most frequent schedule, so nothing due is ever skipped).
    static func nextFundingTime(onOrAfter date: Date, intervalHours: Double?) -> Date {
        FundingGrid.next(onOrAfter: date, intervalHours: intervalHours ?? 1)
    }
}
