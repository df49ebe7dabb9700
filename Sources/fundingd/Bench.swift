import ArgumentParser
import Foundation
import FundingApp
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO

/// Benchmarks that print figures (never assertions): `bench/write_path.sh` drives them beside psql.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (print figures).", subcommands: [WritePath.self, StreamParse.self, PriceFlush.self, StreamLatency.self])

    /// Runs `body` with a client of `DATABASE_URL` (a scratch database).
    static func withScratchClient(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Void)
        async throws
    {
        let logger = Logger(label: "bench")
        let config = try await FundingConfig.load()
        guard let url = config.databaseURL else { throw ValidationError("set DATABASE_URL to a scratch database") }
        let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client, logger)
        }
    }

    /// A duration in seconds.
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// `dex/dex_symbol` → markets.id, for COPY text with market ids.
    static func marketIDs(_ client: PostgresClient, logger: Logger) async throws -> [String: Int] {
        var ids: [String: Int] = [:]
        let query: PostgresQuery = "SELECT d.name || '/' || m.dex_symbol, m.id FROM markets m JOIN dexes d ON d.id = m.dex_id"
        for try await (key, id) in try await client.query(query, logger: logger).decode((String, Int).self) {
            ids[key] = id
        }
        return ids
    }

    struct WritePath: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write-path",
            abstract: "Write N synthetic snapshots through the daemon's CycleWriter (COPY + ingest_apply) and time it.")

        @Option(help: "Snapshots in the cycle.") var rows: Int = 10_000
        @Option(help: "Distinct markets (spread over the dexes).") var markets: Int = 5_000
        @Option(help: "Time slot (hours after the base) so repeated runs never collide.") var slot: Int = 1
        @Option(help: "Also write the same rows, for the next slot and with market ids, as COPY text for psql \\copy into funding_rates.")
        var dumpCopy: String?

        func run() async throws {
            try await Bench.withScratchClient { client, logger in
                let writer = CycleWriter(client: client, logger: logger)
                // Slot 0 seeds the markets, so the timed cycle finds them known, as a running daemon does.
                let seed = try await writer.write(snapshots: Self.snapshots(rows: markets, markets: markets, slot: 0),
                                                  runs: [])
                if seed.marketsCreated > 0 { print("seeded \(seed.marketsCreated) markets") }

                let batch = Self.snapshots(rows: rows, markets: markets, slot: slot)
                let start = ContinuousClock.now
                let result = try await writer.write(snapshots: batch, runs: [])
                let seconds = Bench.seconds(ContinuousClock.now - start)
                print(String(format: "write_path rows=%d inserted=%d seconds=%.3f rows_per_s=%.0f", rows,
                             result.rowsInserted, seconds, Double(rows) / seconds))

                if let path = dumpCopy {
                    let ids = try await Bench.marketIDs(client, logger: logger)
                    var text = ""
                    text.reserveCapacity(rows * 160)
                    for s in Self.snapshots(rows: rows, markets: markets, slot: slot + 1) {
                        let id = ids["\(s.dex)/\(s.dexSymbol)"]!
                        text += "\(CopyText.timestamp(s.time))\t\(id)\t\(s.fundingRate)\t\(s.fundingIntervalHours)\t\(s.predictedRate!)\t\(CopyText.timestamp(s.nextFundingTime!))\t\(s.markPrice!)\t\(s.indexPrice!)\t\(s.openInterestBase!)\t\(s.openInterestUSD!)\t\(s.volume24hUSD!)\t\(s.bestBid!)\t\(s.bestAsk!)\t\(s.collectionLatencyMs!)\n"
                    }
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                }
            }
        }

        static let dexes = ["hyperliquid", "lighter", "edgex", "paradex", "grvt", "binance", "bybit", "okx"]

        /// Deterministic synthetic cycle: `rows` snapshots over `markets` markets, one minute apart per round,
        /// in the hour `slot` after a base 20 days back (inside the raw retention).
        static func snapshots(rows: Int, markets: Int, slot: Int) -> [MarketSnapshot] {
            let base = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600 - 20 * 86_400
            return (0..<rows).map { i in
                let m = i % markets
                let round = i / markets
                let time = Date(timeIntervalSince1970: base + Double(slot) * 3600 + Double(round) * 60)
                let mark = 100 + Double(m % 97) / 10
                return MarketSnapshot(
                    dex: dexes[m % dexes.count], dexSymbol: "SYM\(m)USDT", symbol: "SYM\(m)", quote: "USDT",
                    time: time, fundingRate: Double((i * 7919) % 2001 - 1000) * 1e-7, fundingIntervalHours: 8,
                    predictedRate: 0.0001, nextFundingTime: time.addingTimeInterval(8 * 3600), markPrice: mark,
                    indexPrice: mark * 0.9999, openInterestBase: 1000 + Double(m), openInterestUSD: (1000 + Double(m)) * mark,
                    volume24hUSD: 1e7 + Double(m), bestBid: mark - 0.01, bestAsk: mark + 0.01, collectionLatencyMs: 50)
            }
        }

    }

    /// Frames parsed per CPU second, per venue, from each venue's recorded data frames (`bench/streams.sh`).
    struct StreamParse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stream-parse",
            abstract: "Parse each streaming venue's recorded frames in a loop on one thread; print frames per CPU second.")

        @Option(help: "Frames to parse per venue.") var frames: Int = 200_000

        func run() async throws {
            guard let root = SQLSource.locate()?.root else { throw ValidationError("run from the repository") }
            let fixtures = root.appendingPathComponent("Tests/Fixtures")
            let catalog = try FixtureCatalog(directory: fixtures)
            func row(_ cells: [String]) { print(cells.enumerated().map { i, c in
                i == 0 ? c.padding(toLength: 12, withPad: " ", startingAt: 0) : String(repeating: " ", count: max(0, 17 - c.count)) + c
            }.joined()) }
            row(["venue", "frames", "frames_per_cpu_s", "us_per_frame"])
            for adapter in Venues.all {
                guard let source = adapter as? any LiveStreamSource else { continue }
                let dex = source.descriptor.name
                guard let folder = catalog.folder(forDex: dex) else { continue }
                // The data frames only (acknowledgements and pongs are cheap and rare).
                var data: [[UInt8]] = []
                for channel in FundingVenues.StreamChannel.allCases {
                    let url = folder.appendingPathComponent("stream-\(channel.rawValue).jsonl")
                    guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
                    data += text.split(separator: "\n").map { Array($0.utf8) }
                        .filter { ((try? source.parseStreamMessage($0)) ?? []).isEmpty == false }
                }
                guard !data.isEmpty else {
                    row([dex, "-", "no data frame", "-"])
                    continue
                }
                let cpu0 = clock()
                var events = 0
                for i in 0..<frames { events += (try? source.parseStreamMessage(data[i % data.count]).count) ?? 0 }
                let cpu = Double(clock() - cpu0) / Double(CLOCKS_PER_SEC)
                precondition(events > 0)
                row([dex, "\(frames)", String(format: "%.0f", Double(frames) / cpu), String(format: "%.2f", cpu / Double(frames) * 1e6)])
            }
        }
    }

    /// One flush of N changed markets through `prices_apply()`, timed (`bench/streams.sh` compares it with psql
    /// \copy of the same rows into a price_samples-shaped table).
    struct PriceFlush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "price-flush",
            abstract: "Seed N markets, then time flushes of N changed markets through the daemon's PriceWriter.")

        @Option(help: "Changed markets per flush.") var markets: Int = 5_000
        @Option(help: "Timed flushes (the median is printed).") var runs: Int = 5
        @Option(help: "Also write N rows as COPY text (time, market_id, bid, ask, last, mark) for psql \\copy.")
        var dumpCopy: String?

        func run() async throws {
            try await Bench.withScratchClient { client, logger in
                _ = try await CycleWriter(client: client, logger: logger).write(
                    snapshots: WritePath.snapshots(rows: markets, markets: markets, slot: 0), runs: [])
                var times: [Double] = []
                for run in 0..<runs {
                    let now = Date()
                    let prices = (0..<markets).map { m in
                        let mid = 100 + Double(m % 97) / 10 + Double(run) * 0.01
                        return LivePrice(dex: WritePath.dexes[m % WritePath.dexes.count], dexSymbol: "SYM\(m)USDT",
                                         time: now, receivedAt: now, bid: mid - 0.01, bidSize: 1, ask: mid + 0.01,
                                         askSize: 2, last: mid, mark: mid)
                    }
                    let start = ContinuousClock.now
                    let result = try await client.withConnection { try await PriceWriter.write(prices, on: $0, logger: logger) }
                    times.append(Bench.seconds(ContinuousClock.now - start) * 1000)
                    precondition(result.rowsApplied == markets, "flush applied \(result.rowsApplied) of \(markets)")
                    try await Task.sleep(for: .milliseconds(1100))   // the next flush lands in another second
                }
                let median = times.sorted()[times.count / 2]
                print(String(format: "price_flush markets=%d runs=%d median_ms=%.1f min_ms=%.1f max_ms=%.1f", markets,
                             runs, median, times.min()!, times.max()!)
                      + " each_ms=" + times.map { String(format: "%.0f", $0) }.joined(separator: ","))
                if let path = dumpCopy {
                    let ids = try await Bench.marketIDs(client, logger: logger)
                    let time = CopyText.timestamp(Date().addingTimeInterval(5))
                    var text = ""
                    for m in 0..<markets {
                        let id = ids["\(WritePath.dexes[m % WritePath.dexes.count])/SYM\(m)USDT"]!
                        let mid = 100 + Double(m % 97) / 10
                        text += "\(time)\t\(id)\t\(mid - 0.01)\t\(mid + 0.01)\t\(mid)\t\(mid)\n"
                    }
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                }
            }
        }
    }
}
