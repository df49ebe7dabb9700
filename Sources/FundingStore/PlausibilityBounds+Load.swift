import FundingCore
import Logging
import PostgresNIO

extension PlausibilityBounds {
    /// The rows of `plausibility_bounds` (schema/0055), the one declaration the write path enforces. A row whose
    /// measure this build does not know is skipped (the database still enforces it).
    public static func load(_ connection: PostgresConnection, logger: Logger) async throws -> PlausibilityBounds {
        var bounds: [Measure: Bound] = [:]
        let rows = try await connection.query(
            "SELECT measure, min_value, min_inclusive, max_value FROM plausibility_bounds", logger: logger)
        for try await (measure, min, minInclusive, max) in rows.decode((String, Double, Bool, Double).self) {
            guard let m = Measure(rawValue: measure) else { continue }
            bounds[m] = Bound(min: min, minInclusive: minInclusive, max: max)
        }
        return PlausibilityBounds(bounds)
    }
}
