import Foundation
import FundingCore
import Logging
import PostgresNIO

/// The Hyperliquid position scanner's calls (schema/0095).
public enum PositionWriter {
    /// Adds `addresses` to scan with `source` (`configured` or `discovered`; discovered ones only while fewer than
    /// `maxDiscovered` are tracked); returns how many were new.
    public static func track(_ addresses: [String], source: String, maxDiscovered: Int,
                             on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "SELECT hyperliquid_track_addresses(\(addresses), \(source), \(maxDiscovered)::integer)", logger: logger)
        var added = 0
        for try await n in rows.decode(Int.self) { added = n }
        return added
    }

    /// Up to `limit` addresses due for a scan, most overdue first.
    public static func due(limit: Int, priorityEvery: Duration, backgroundEvery: Duration,
                           on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let priority = "\(priorityEvery.wholeMilliseconds) milliseconds"
        let background = "\(backgroundEvery.wholeMilliseconds) milliseconds"
        let rows = try await connection.query("""
            SELECT address FROM hyperliquid_due_addresses(\(limit)::integer, \(priority)::interval, \(background)::interval)
            """, logger: logger)
        var addresses: [String] = []
        for try await address in rows.decode(String.self) { addresses.append(address) }
        return addresses
    }

    /// Writes one scan of `address` at `time`; returns the positions written and the address's new tier.
    public static func write(address: String, time: Date, positions: [HyperliquidPosition], priorityPercent: Double,
                             on connection: PostgresConnection, logger: Logger) async throws
        -> (positions: Int, tier: String)
    {
        let json = String(decoding: try JSONEncoder().encode(positions), as: UTF8.self)
        let rows = try await connection.query("""
            SELECT positions, tier FROM hyperliquid_positions_apply(\(address), \(time), \(json)::jsonb,
                                                                    \(priorityPercent))
            """, logger: logger)
        var result = (positions: 0, tier: "background")
        for try await (n, tier) in rows.decode((Int, String).self) { result = (n, tier) }
        return result
    }
}
