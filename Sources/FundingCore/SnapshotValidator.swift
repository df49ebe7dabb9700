/// Why a snapshot was refused before it reached the database.
public enum SnapshotRejection: String, Sendable, Hashable, CaseIterable {
    case nonFiniteNumber = "non_finite_number"
    case negativePrice = "negative_price"
    case absurdRate = "absurd_rate"
    case badInterval = "bad_interval"
    case emptySymbol = "empty_symbol"
    case badMultiplier = "bad_multiplier"
}

/// The reliability rule of DESIGN.md: absurd data (NaN, negative prices, |rate| > 5 % per hour) is rejected
/// and counted, never written.
public struct SnapshotValidator: Sendable {
    /// Largest accepted |funding rate per hour| as a fraction (0.05 = 5 % per hour).
    public var maxAbsRatePerHour: Double

    public init(maxAbsRatePerHour: Double = 0.05) {
        self.maxAbsRatePerHour = maxAbsRatePerHour
    }

    /// `nil` when the snapshot is acceptable, otherwise the first reason it is not.
    public func rejection(for s: MarketSnapshot) -> SnapshotRejection? {
        if s.symbol.isEmpty || s.dexSymbol.isEmpty { return .emptySymbol }
        guard s.multiplier.isFinite, s.multiplier > 0 else { return .badMultiplier }
        guard s.fundingIntervalHours.isFinite, s.fundingIntervalHours > 0 else { return .badInterval }
        let measures: [Double?] = [
            s.fundingRate, s.predictedRate, s.markPrice, s.indexPrice, s.openInterestBase, s.openInterestUSD,
            s.volume24hUSD, s.bestBid, s.bestAsk,
        ]
        if measures.contains(where: { $0.map { !$0.isFinite } ?? false }) { return .nonFiniteNumber }
        let prices: [Double?] = [s.markPrice, s.indexPrice, s.bestBid, s.bestAsk]
        if prices.contains(where: { ($0 ?? 0) < 0 }) { return .negativePrice }
        if abs(s.rate1h) > maxAbsRatePerHour { return .absurdRate }
        if let p = s.predictedRate, abs(p / s.fundingIntervalHours) > maxAbsRatePerHour { return .absurdRate }
        return nil
    }
}
