/// Why a snapshot was refused before it reached the database.
public enum SnapshotRejection: String, Sendable, Hashable, CaseIterable {
    case nonFiniteNumber = "non_finite_number"
    case negativePrice = "negative_price"
    case absurdRate = "absurd_rate"
    case badInterval = "bad_interval"
    case emptySymbol = "empty_symbol"
    case badMultiplier = "bad_multiplier"
    /// A number outside its plausibility bound (open interest, volume, price, latency).
    case outOfBounds = "out_of_bounds"
}

/// The reliability rule: absurd data (NaN, infinities, negative prices, numbers outside their plausibility
/// bounds, |rate| beyond its bound per hour) is rejected and counted, never written. The bounds come from the
/// database (`PlausibilityBounds`), the same rows `ingest_apply()` enforces; the checks here only spare the write
/// and attribute the rejection to its dex.
public struct SnapshotValidator: Sendable {
    public var bounds: PlausibilityBounds

    public init(bounds: PlausibilityBounds = .unknown) {
        self.bounds = bounds
    }

    /// `nil` when the snapshot is acceptable, otherwise the first reason it is not.
    public func rejection(for s: MarketSnapshot) -> SnapshotRejection? {
        if s.symbol.isEmpty || s.dexSymbol.isEmpty { return .emptySymbol }
        guard s.multiplier.isFinite, s.multiplier > 0, bounds.admits(s.multiplier, as: .multiplier) else {
            return .badMultiplier
        }
        guard s.fundingIntervalHours.isFinite, s.fundingIntervalHours > 0,
              bounds.admits(s.fundingIntervalHours, as: .fundingIntervalHours)
        else { return .badInterval }
        let measures: [Double?] = [
            s.fundingRate, s.predictedRate, s.markPrice, s.indexPrice, s.openInterestBase, s.openInterestUSD,
            s.volume24hUSD, s.bestBid, s.bestAsk,
        ]
        if measures.contains(where: { $0.map { !$0.isFinite } ?? false }) { return .nonFiniteNumber }
        let prices: [(Double?, PlausibilityBounds.Measure)] = [
            (s.markPrice, .markPrice), (s.indexPrice, .indexPrice), (s.bestBid, .bestBid), (s.bestAsk, .bestAsk),
        ]
        if prices.contains(where: { ($0.0 ?? 0) < 0 }) { return .negativePrice }
        if !bounds.admits(s.rate1h, as: .fundingRate) { return .absurdRate }
        if let p = s.predictedRate, !bounds.admits(p / s.fundingIntervalHours, as: .predictedRate) {
            return .absurdRate
        }
        let others: [(Double?, PlausibilityBounds.Measure)] = prices + [
            (s.openInterestBase, .openInterestBase), (s.openInterestUSD, .openInterestUSD),
            (s.volume24hUSD, .volume24hUSD), (s.collectionLatencyMs.map(Double.init), .collectionLatencyMs),
        ]
        if others.contains(where: { !bounds.admits($0.0, as: $0.1) }) { return .outOfBounds }
        return nil
    }
}
