import Foundation
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import ServiceLifecycle

/// `fundingd run --demo`'s settled funding: 30 days of settlements for every demo market, so the history views
/// (realised returns, statistics, settled-vs-sampled charts) are full at once instead of after a month.
///
/// The recordings hold at most a few settlements per venue, months old, so the demo synthesises them on each
/// market's funding grid from the demo market's rate model (`DemoMarket.rate`). They are written through the real
/// write path (`settlements_apply`) with the 30-day range marked fetched. Demo only: no real deployment runs this.
public struct DemoSettlements: Service {
    let url: DatabaseURL
    let dexes: [String]
    let days: Int
    /// The first run waits for the first ingest cycle to create the markets; later runs catch markets that appeared.
    let initialDelay: Duration
    let interval: Duration
    let logger: Logger

    public init(url: DatabaseURL, dexes: [String], days: Int = 30, initialDelay: Duration = .seconds(20),
                interval: Duration = .seconds(300), logger: Logger) {
        self.url = url
        self.dexes = dexes
        self.days = days
        self.initialDelay = initialDelay
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let client = PostgresClient(configuration: try url.clientConfiguration(applicationName: "fundingd-demo-settlements"),
                                    backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let store = SettlementStore(client: client, logger: logger)
            let done = DoneMarkets()
            await repeatUntilShutdown(initialDelay: initialDelay, interval: interval, logger: logger,
                                      failure: "demo settlements failed") {
                let (written, filled) = try await fill(store, done: await done.markets)
                await done.set(filled)
                if written > 0 { logger.info("demo settlements written", metadata: ["rows": "\(written)"]) }
            }
        }
    }

    /// The markets already filled, across runs.
    actor DoneMarkets {
        var markets: Set<String> = []
        func set(_ markets: Set<String>) { self.markets = markets }
    }

    /// Writes the settlements of every market not in `done` (`dex/dexSymbol`); returns the rows written and `done`
    /// with those markets added.
    func fill(_ store: SettlementStore, done: Set<String>) async throws -> (written: Int, done: Set<String>) {
        var done = done
        let end = Date()
        let range = end.addingTimeInterval(-Double(days) * 86_400)..<end
        var written = 0
        for dex in dexes {
            for market in try await store.markets(dex: dex) where !done.contains("\(dex)/\(market.dexSymbol)") {
                let interval = market.intervalHours ?? 8
                let settlements = FundingGrid.times(from: range.lowerBound, to: range.upperBound, intervalHours: interval).map {
                    SettledFunding(dexSymbol: market.dexSymbol, fundingTime: $0,
                                   fundingRate: DemoMarket.rate(dex: dex, symbol: market.symbol, at: $0,
                                                                  intervalHours: interval),
                                   fundingIntervalHours: interval)
                }
                written += try await store.apply(dex: dex, dexSymbol: market.dexSymbol, settlements: settlements,
                                                 covered: range)
                done.insert("\(dex)/\(market.dexSymbol)")
            }
        }
        return (written, done)
    }
}
