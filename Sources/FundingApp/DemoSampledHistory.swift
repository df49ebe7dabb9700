import Foundation
import FundingCore
import FundingStore
import Logging
import PostgresNIO
import ServiceLifecycle

/// `fundingd run --demo`'s sampled history: for every demo market, snapshots from the `DemoMarket` model before
/// its first collected one, so the market page's charts (mark, open interest, volume, the sampled rate from the
/// rollups) are full at once instead of after days. Written through the daemon's write path (`CycleWriter` with
/// `joined`: `ingest_stage_joined` + `ingest_apply`, no collection runs), then the rollups are refreshed
/// (`CALL refresh_rollups()`) so their views show it at once.
///
/// Cheap enough for a fresh demo on 2 cores: hourly samples over the last `Schedule.hourlyHours`, one every
/// `Schedule.olderStepHours` before that, back to `Schedule.days` (216 rows per market, about 700,000 for the
/// demo's 3,200 markets, instead of 2.3 million hourly; measured 33 to 85 s with the refresh on a shared 2-core
/// machine). A market that already has samples back there (a restarted demo) gets nothing. Markets the demo does
/// not model (a builder dex's) get nothing either. BitMEX's quanto contracts get open interest and volume here
/// though their adapter reports none. Demo only: no real deployment runs this.
public struct DemoSampledHistory: Service {
    /// Which sample times to seed.
    public struct Schedule: Sendable {
        /// How far back, in days (the write path drops rows older than `raw_retention`, 30 days: the first sample
        /// is one hour later than this).
        public var days: Double = 30
        /// Hourly samples over this many hours before now.
        public var hourlyHours: Double = 48
        /// Before that, one sample every this many hours (on the UTC grid of that step).
        public var olderStepHours: Double = 4

        public init() {}

        /// The sample times from `days` before `now` up to (not including) `end`: on whole hours, every
        /// `olderStepHours` before `hourlyHours` ago and every hour after.
        public func times(now: Date, until end: Date) -> [Date] {
            let t = now.timeIntervalSince1970
            let start = t - days * 86_400 + 3_600
            let stop = min(end.timeIntervalSince1970, t)
            let hourlyFrom = max(start, t - hourlyHours * 3_600)
            func grid(from: Double, to: Double, step: Double) -> [Date] {
                guard from < to else { return [] }
                return stride(from: (from / step).rounded(.up) * step, to: to, by: step)
                    .map { Date(timeIntervalSince1970: $0) }
            }
            let hourlyStart = (hourlyFrom / 3_600).rounded(.up) * 3_600
            return grid(from: start, to: min(stop, hourlyStart), step: olderStepHours * 3_600)
                + grid(from: hourlyStart, to: stop, step: 3_600)
        }
    }

    /// One market as `market_sample_span(dex)` lists it.
    struct Market: Sendable {
        var dexSymbol: String
        var symbol: String
        var quote: String
        var margin: Margin
        var multiplier: Double
        var firstSample: Date?
    }

    let url: DatabaseURL
    let dexes: [String]
    let shapes: DemoShapes
    let schedule: Schedule
    /// The first run waits for the first ingest cycle to create the markets; later runs (every minute: a venue with
    /// per-market requests, OKX, may not have finished its first cycle by then) catch markets that appeared.
    let initialDelay: Duration
    let interval: Duration
    /// How long the first fill waits for every demo venue's first cycle.
    let patience: Duration = .seconds(90)
    /// Rows per write (one `ingest_stage` + `ingest_apply` transaction).
    let batchRows: Int
    let logger: Logger

    public init(url: DatabaseURL, dexes: [String], demo: DemoVenues, schedule: Schedule = Schedule(),
                initialDelay: Duration = .seconds(20), interval: Duration = .seconds(60), logger: Logger) {
        self.init(url: url, dexes: dexes, shapes: demo.shapes, schedule: schedule, initialDelay: initialDelay,
                  interval: interval, logger: logger)
    }

    init(url: DatabaseURL, dexes: [String], shapes: DemoShapes, schedule: Schedule = Schedule(),
         initialDelay: Duration = .seconds(20), interval: Duration = .seconds(60), batchRows: Int = 50_000,
         logger: Logger) {
        self.url = url
        self.dexes = dexes
        self.shapes = shapes
        self.schedule = schedule
        self.initialDelay = initialDelay
        self.interval = interval
        self.batchRows = batchRows
        self.logger = logger
    }

    public func run() async throws {
        let client = PostgresClient(configuration: try url.clientConfiguration(applicationName: "fundingd-demo-history"),
                                    backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            // The first fill waits (every 5 s, up to `patience`) until every demo venue has finished its first cycle
            // (OKX's, one request per market, takes half a minute), so one rollup refresh covers them all.
            var delay = initialDelay
            var patientUntil: ContinuousClock.Instant?
            while true {
                let wait = delay
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                } catch {
                    return  // shutting down
                }
                let deadline = patientUntil ?? ContinuousClock.now + patience
                patientUntil = deadline
                let waitForEveryVenue = ContinuousClock.now < deadline
                do {
                    let started = ContinuousClock.now
                    let written = try await cancelWhenGracefulShutdown {
                        try await fill(client, now: Date(), waitForEveryVenue: waitForEveryVenue)
                    }
                    guard let (rows, markets) = written else {
                        delay = .seconds(5)
                        continue
                    }
                    patientUntil = .now  // waited once; later fills catch the markets that appear
                    delay = interval
                    if rows > 0 {
                        logger.info("demo sampled history written and rolled up", metadata: [
                            "rows": "\(rows)", "markets": "\(markets)",
                            "seconds": "\(String(format: "%.1f", Self.seconds(ContinuousClock.now - started)))",
                        ])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    delay = interval
                    logger.warning("demo sampled history failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Writes the samples every demo market of `dexes` lacks before its first one, then refreshes the rollups;
    /// returns the rows inserted and the markets given any. With `waitForEveryVenue`, writes nothing and returns
    /// nil while a demo venue among `dexes` has no markets yet.
    func fill(_ client: PostgresClient, now: Date, waitForEveryVenue: Bool = false) async throws
        -> (rows: Int, markets: Int)?
    {
        var listed: [(dex: String, markets: [Market])] = []
        for dex in dexes {
            listed.append((dex, try await Self.markets(client, dex: dex, logger: logger)))
        }
        if waitForEveryVenue, listed.contains(where: { shapes.venues[$0.dex] != nil && $0.markets.isEmpty }) {
            return nil
        }
        let writer = CycleWriter(client: client, logger: logger)
        var pending: [MarketSnapshot] = []
        var rows = 0, markets = 0
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let batch = pending
            pending = []
            let result = try await withDeadline(.seconds(120), "demo sampled history: write \(batch.count) rows") {
                try await writer.write(snapshots: batch, runs: [], joined: true)
            }
            rows += result.rowsInserted
        }
        for (dex, list) in listed {
            for market in list {
                let samples = snapshots(dex: dex, market: market, now: now)
                guard !samples.isEmpty else { continue }
                markets += 1
                pending += samples
                if pending.count >= batchRows { try await flush() }
            }
        }
        try await flush()
        if rows > 0 {
            try await withDeadline(.seconds(300), "demo sampled history: CALL refresh_rollups()") {
                _ = try await client.query("CALL refresh_rollups()", logger: logger).collect()
            }
        }
        return (rows, markets)
    }

    /// `market`'s samples before its first one (all of them when it has none), as its venue's adapter would have
    /// parsed them from the demo's answers at those times; none for a market the demo does not model.
    func snapshots(dex: String, market: Market, now: Date) -> [MarketSnapshot] {
        guard let (asset, share, hours) = shapes.model(dex: dex, dexSymbol: market.dexSymbol) else { return [] }
        let step = hours * 3_600
        return schedule.times(now: now, until: market.firstSample ?? now).map { t in
            let q = shapes.market.quote(asset, dex: dex, share: share, intervalHours: hours, at: t)
            let next = Date(timeIntervalSince1970: ((t.timeIntervalSince1970 / step).rounded(.down) + 1) * step)
            // Prices per contract unit, open interest in contract units, as `MarketSnapshot` says.
            return MarketSnapshot(dex: dex, dexSymbol: market.dexSymbol, symbol: market.symbol, quote: market.quote,
                                  margin: market.margin, multiplier: market.multiplier, time: t, fundingRate: q.rate,
                                  fundingIntervalHours: hours, nextFundingTime: next,
                                  markPrice: q.mark * market.multiplier, indexPrice: q.index * market.multiplier,
                                  openInterestBase: q.openInterestBase / market.multiplier,
                                  openInterestUSD: q.openInterestUSD, volume24hUSD: q.volume24hUSD,
                                  bestBid: q.bid * market.multiplier, bestAsk: q.ask * market.multiplier)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// `market_sample_span(dex)` (schema/0103).
    static func markets(_ client: PostgresClient, dex: String, logger: Logger) async throws -> [Market] {
        try await withDeadline(.seconds(30), "market_sample_span(\(dex))") {
            let rows = try await client.query(
                "SELECT dex_symbol, symbol, quote, margin, multiplier, first_sample FROM market_sample_span(\(dex))",
                logger: logger)
            var markets: [Market] = []
            for try await (dexSymbol, symbol, quote, margin, multiplier, first) in rows.decode(
                (String, String, String?, String, Double, Date?).self)
            {
                markets.append(Market(dexSymbol: dexSymbol, symbol: symbol, quote: quote ?? "USD",
                                      margin: Margin(rawValue: margin) ?? .linear, multiplier: multiplier,
                                      firstSample: first))
            }
            return markets
        }
    }
}
