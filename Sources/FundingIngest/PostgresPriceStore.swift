import FundingCore
import FundingStore
import Logging
import PostgresNIO

/// Live prices in the database: flushes through `prices_apply()` and the stream market lists, on a
/// `DedicatedConnection` of their own (`fundingd-prices`), so a slow cycle write never delays a flush.
public struct PostgresPriceStore: PriceStore {
    let connection: DedicatedConnection
    let writeTimeout: Duration
    let logger: Logger

    public init(url: DatabaseURL, writeTimeout: Duration = .seconds(10), logger: Logger) {
        self.connection = DedicatedConnection(url: url, applicationName: "fundingd-prices", firstID: 300, logger: logger)
        self.writeTimeout = writeTimeout
        self.logger = logger
    }

    public func write(_ prices: [LivePrice], flows: [TradeFlow]) async throws -> Int {
        let logger = self.logger
        let (result, flow) = try await connection.run("price flush", timeout: writeTimeout) { connection in
            let result = prices.isEmpty ? PriceWriteResult(rowsIn: 0, rowsApplied: 0, rowsUnknownMarket: 0, rowsRejected: 0)
                : try await PriceWriter.write(prices, on: connection, logger: logger)
            let flow = flows.isEmpty ? nil : try await PriceWriter.writeTradeFlow(flows, on: connection, logger: logger)
            return (result, flow)
        }
        if let flow, flow.rowsRejected > 0 {
            logger.debug("trade flow skipped rows", metadata: ["rejected": "\(flow.rejected)"])
        }
        if result.rowsRejected > 0 || result.rowsUnknownMarket > 0 {
            logger.debug("price flush skipped rows", metadata: [
                "rejected": "\(result.rowsRejected)", "unknown_market": "\(result.rowsUnknownMarket)",
            ])
        }
        return result.rowsApplied
    }

    /// The venue symbols `dex`'s streams subscribe to.
    public func markets(dex: String) async throws -> [String] {
        let logger = self.logger
        return try await connection.run("stream markets", timeout: .seconds(10)) { connection in
            try await PriceWriter.activeMarkets(dex: dex, on: connection, logger: logger)
        }
    }

    /// `dex`'s markets with their last polled book and mark.
    public func marketQuotes(dex: String) async throws -> [MarketQuote] {
        let logger = self.logger
        return try await connection.run("stream market quotes", timeout: .seconds(10)) { connection in
            try await PriceWriter.marketQuotes(dex: dex, on: connection, logger: logger)
        }
    }

    public func close() async {
        await connection.close()
    }
}
