import Foundation
import FundingCore
import FundingStore
import FundingVenues
import Logging
import PostgresNIO

/// The backfill's database calls (schema/0080_funding_settlements.sql): the markets of a dex with the range already
/// fetched, and one page of settlements written per call, each within `deadline`.
public struct SettlementStore: Sendable {
    /// One market to backfill, as `backfill_markets(dex)` lists it.
    public struct Market: Sendable, Hashable {
        public var dexSymbol: String
        public var symbol: String
        public var intervalHours: Double?
        /// The range of settled funding already fetched, nil when none.
        public var covered: Range<Date>?
    }

    public let client: PostgresClient
    public let deadline: Duration
    public let logger: Logger

    public init(client: PostgresClient, deadline: Duration = .seconds(30), logger: Logger) {
        self.client = client
        self.deadline = deadline
        self.logger = logger
    }

    public func markets(dex: String) async throws -> [Market] {
        let client = client, logger = logger
        return try await withDeadline(deadline, "backfill_markets(\(dex))") {
            let rows = try await client.query(
                "SELECT dex_symbol, symbol, funding_interval_hours, covered_from, covered_to FROM backfill_markets(\(dex))",
                logger: logger)
            var markets: [Market] = []
            for try await (dexSymbol, symbol, interval, from, to) in rows.decode((String, String, Double?, Date?, Date?).self) {
                let covered = from.flatMap { f in to.map { f..<max(f, $0) } }
                markets.append(Market(dexSymbol: dexSymbol, symbol: symbol, intervalHours: interval, covered: covered))
            }
            return markets
        }
    }

    /// Writes `settlements` of one market and records `covered` as fetched, atomically; returns the rows inserted
    /// or changed (0 when the page repeated what was stored).
    @discardableResult
    public func apply(dex: String, dexSymbol: String, settlements: [SettledFunding], covered: Range<Date>)
        async throws -> Int
    {
        let times = settlements.map { CopyText.microseconds($0.fundingTime) }
        let rates = settlements.map(\.fundingRate)
        let hours = settlements.map(\.fundingIntervalHours)
        // Optional prices as text ('' = absent), as the snapshot write path sends them (see StagedColumns).
        let marks = settlements.map { $0.markPrice.map(\.description) ?? "" }
        let indexes = settlements.map { $0.indexPrice.map(\.description) ?? "" }
        let from = covered.lowerBound, to = covered.upperBound
        let client = client, logger = logger
        return try await withDeadline(deadline, "settlements_apply(\(dex), \(dexSymbol))") {
            let rows = try await client.query("""
                SELECT settlements_apply(\(dex), \(dexSymbol), \(times), \(rates), \(hours), \(marks), \(indexes),
                                         \(from), \(to))
                """, logger: logger)
            var changed = 0
            for try await n in rows.decode(Int.self) { changed = n }
            return changed
        }
    }
}
