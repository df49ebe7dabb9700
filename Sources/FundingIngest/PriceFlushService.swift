import Foundation
import FundingCore
import Logging
import Metrics
import ServiceLifecycle

/// Where a flush of live prices and trade flow goes (the database in production, a recorder in tests).
public protocol PriceStore: Sendable {
    /// Writes one flush; returns the markets whose prices were written.
    func write(_ prices: [LivePrice], flows: [TradeFlow]) async throws -> Int
}

/// Writes the markets that changed in the `PriceBook`, and the trade flow counted, every `interval`
/// (`FUNDINGD_PRICE_FLUSH_MS`) in one call.
///
/// A failed write puts its markets back as changed and its trade flow back to be counted again, so the next flush writes their newest state: a database outage
/// costs the per-second samples of its duration, never a market's latest price. On shutdown one last flush runs.
public struct PriceFlushService: Service {
    let book: PriceBook
    let store: any PriceStore
    let interval: Duration
    let writeTimeout: Duration
    let logger: Logger

    public init(book: PriceBook, store: any PriceStore, interval: Duration, writeTimeout: Duration = .seconds(10),
                logger: Logger) {
        self.book = book
        self.store = store
        self.interval = interval
        self.writeTimeout = writeTimeout
        self.logger = logger
    }

    public func run() async throws {
        // Not cancelled on graceful shutdown: the loop ends within one interval and the last flush still runs.
        // Flushes start on a fixed cadence (a flush's own duration does not stretch the interval, so a price waits
        // at most one interval for its flush); after a flush longer than the interval the next one starts at once.
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            next = max(next + interval, clock.now)
            try? await Task.sleep(until: next, clock: clock)
            await flush()
        }
        if !Task.isCancelled { await flush() }
    }

    /// One flush: the changed markets in one write. Returns the markets written (0 when nothing changed or the write
    /// failed).
    @discardableResult
    public func flush() async -> Int {
        let prices = book.drainChanged()
        let flows = book.drainTradeFlow()
        guard !prices.isEmpty || !flows.isEmpty else { return 0 }
        let started = ContinuousClock.now
        do {
            let store = self.store
            let written = try await withDeadline(writeTimeout, "price flush") {
                try await store.write(prices, flows: flows)
            }
            Timer(label: "fundingd_price_flush_seconds").recordMilliseconds(
                (ContinuousClock.now - started).wholeMilliseconds)
            Counter(label: "fundingd_price_flush_markets_total").increment(by: written)
            return written
        } catch {
            book.markChanged(prices)
            book.restoreTradeFlow(flows)
            Counter(label: "fundingd_price_flush_failures_total").increment()
            logger.warning("price flush failed; its markets stay pending", metadata: [
                "markets": "\(prices.count)", "error": "\(error)",
            ])
            return 0
        }
    }
}
