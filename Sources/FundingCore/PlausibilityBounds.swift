/// The plausibility bounds of the stored numbers: the rows of the database table `plausibility_bounds`
/// (schema/0055), which is their one declaration. The write path enforces them in SQL for every writer; the daemon
/// loads the same rows at start-up (`PlausibilityBounds.load` in FundingStore) so `SnapshotValidator` refuses, and
/// counts per dex, what the database would refuse anyway. No number is repeated here.
public struct PlausibilityBounds: Sendable, Hashable {
    /// What a bound applies to: a `funding_rates` column, or for the two rates the rate per hour.
    public enum Measure: String, Sendable, Hashable, CaseIterable {
        case fundingRate = "funding_rate"
        case predictedRate = "predicted_rate"
        case fundingIntervalHours = "funding_interval_hours"
        case multiplier
        case markPrice = "mark_price"
        case indexPrice = "index_price"
        case bestBid = "best_bid"
        case bestAsk = "best_ask"
        case openInterestBase = "open_interest_base"
        case openInterestUSD = "open_interest_usd"
        case volume24hUSD = "volume_24h_usd"
        case collectionLatencyMs = "collection_latency_ms"
    }

    /// One row: values in `min...max` are accepted (`min` itself only when `minInclusive`).
    public struct Bound: Sendable, Hashable {
        public var min: Double
        public var minInclusive: Bool
        public var max: Double

        public init(min: Double, minInclusive: Bool, max: Double) {
            self.min = min
            self.minInclusive = minInclusive
            self.max = max
        }

        public func admits(_ value: Double) -> Bool {
            (minInclusive ? value >= min : value > min) && value <= max
        }
    }

    public var bounds: [Measure: Bound]

    public init(_ bounds: [Measure: Bound]) {
        self.bounds = bounds
    }

    /// No bound loaded (the database could not be read at start-up): only the structural checks apply in Swift,
    /// and the write path still enforces the table.
    public static let unknown = PlausibilityBounds([:])

    /// `true` when `value` is absent, or present and within its bound (or no bound is known for `measure`).
    public func admits(_ value: Double?, as measure: Measure) -> Bool {
        guard let value, let bound = bounds[measure] else { return true }
        return bound.admits(value)
    }
}
