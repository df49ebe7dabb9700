import ArgumentParser
import Foundation
import FundingApp
import FundingCore
import FundingStore
import Logging
import PostgresNIO

/// Benchmarks that print figures (never assertions): `bench/write_path.sh` drives them beside psql.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (print figures).", subcommands: [WritePath.self])

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
            let logger = Logger(label: "bench")
            let config = try await FundingConfig.load()
            guard let url = config.databaseURL else { throw ValidationError("set DATABASE_URL to a scratch database") }
            let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let writer = CycleWriter(client: client, logger: logger)
                // Slot 0 seeds the markets, so the timed cycle finds them known, as a running daemon does.
                let seed = try await writer.write(snapshots: Self.snapshots(rows: markets, markets: markets, slot: 0),
                                                  runs: [])
                if seed.marketsCreated > 0 { print("seeded \(seed.marketsCreated) markets") }

                let batch = Self.snapshots(rows: rows, markets: markets, slot: slot)
                let start = ContinuousClock.now
                let result = try await writer.write(snapshots: batch, runs: [])
                let seconds = Self.seconds(ContinuousClock.now - start)
                print(String(format: "write_path rows=%d inserted=%d seconds=%.3f rows_per_s=%.0f", rows,
                             result.rowsInserted, seconds, Double(rows) / seconds))

                if let path = dumpCopy {
                    var ids: [String: Int] = [:]
                    let query: PostgresQuery = "SELECT d.name || '/' || m.dex_symbol, m.id FROM markets m JOIN dexes d ON d.id = m.dex_id"
                    for try await (key, id) in try await client.query(query, logger: logger).decode((String, Int).self) {
                        ids[key] = id
                    }
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

        static func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
    }
}
