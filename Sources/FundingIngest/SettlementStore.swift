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

    /// Gaps in the stored settlements of `dex`'s markets with funding times in `[start, until)` not yet re-asked
    /// (`settlement_gaps`): per venue symbol, the funding times on either side of each gap.
    public func gaps(dex: String, start: Date, until: Date) async throws -> [String: [ClosedRange<Date>]] {
        let client = client, logger = logger
        return try await withDeadline(deadline, "settlement_gaps(\(dex))") {
            let rows = try await client.query(
                "SELECT dex_symbol, gap_from, gap_to FROM settlement_gaps(\(dex), \(start), \(until))", logger: logger)
            var gaps: [String: [ClosedRange<Date>]] = [:]
            for try await (dexSymbol, from, to) in rows.decode((String, Date, Date).self) {
                gaps[dexSymbol, default: []].append(from...to)
            }
            return gaps
        }
    }

    /// Records that a gap was asked about again and what that wrote (`settlement_gap_checked`).
    public func gapChecked(dex: String, dexSymbol: String, gap: ClosedRange<Date>, found: Int) async throws {
        let client = client, logger = logger
        let (from, to, found) = (gap.lowerBound, gap.upperBound, Int32(clamping: found))
        try await withDeadline(deadline, "settlement_gap_checked(\(dex), \(dexSymbol))") {
            _ = try await client.query(
                "SELECT settlement_gap_checked(\(dex), \(dexSymbol), \(from), \(to), \(found))", logger: logger)
        }
    }
}
