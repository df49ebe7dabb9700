import Foundation
import FundingCore
import Testing

/// The validator applies whatever bounds it was given (the database's rows at run time); here a hand-made set.
@Suite("Snapshot validator with plausibility bounds")
struct SnapshotValidatorTests {
    static let bounds = PlausibilityBounds([
        .fundingRate: .init(min: -0.05, minInclusive: true, max: 0.05),
        .predictedRate: .init(min: -0.05, minInclusive: true, max: 0.05),
        .fundingIntervalHours: .init(min: 0, minInclusive: false, max: 168),
        .multiplier: .init(min: 0, minInclusive: false, max: 1e9),
        .markPrice: .init(min: 0, minInclusive: true, max: 1e9),
        .openInterestUSD: .init(min: 0, minInclusive: true, max: 1e12),
        .volume24hUSD: .init(min: 0, minInclusive: true, max: 1e13),
        .collectionLatencyMs: .init(min: 0, minInclusive: true, max: 86_400_000),
    ])

    static func row(rate: Double = 0.0001, interval: Double = 8, mark: Double? = 100, oi: Double? = 1e6,
                    volume: Double? = 1e7, predicted: Double? = nil, latency: Int? = 10) -> MarketSnapshot {
        MarketSnapshot(dex: "binance", dexSymbol: "BTCUSDT", symbol: "BTC", quote: "USDT", time: Date(timeIntervalSince1970: 0),
                       fundingRate: rate, fundingIntervalHours: interval, predictedRate: predicted, markPrice: mark,
                       openInterestUSD: oi, volume24hUSD: volume, collectionLatencyMs: latency)
    }

    @Test("rows inside every bound pass; each bound refuses its own number")
    func bounds() {
        let v = SnapshotValidator(bounds: Self.bounds)
        #expect(v.rejection(for: Self.row()) == nil)
        // 0.4 per 8 h = 0.05 per hour: on the bound, accepted; 0.41 / 8 = 0.05125 per hour: refused.
        #expect(v.rejection(for: Self.row(rate: 0.4)) == nil)
        #expect(v.rejection(for: Self.row(rate: 0.41)) == .absurdRate)
        #expect(v.rejection(for: Self.row(predicted: -0.5)) == .absurdRate)
        #expect(v.rejection(for: Self.row(oi: 1e308)) == .outOfBounds)
        #expect(v.rejection(for: Self.row(volume: 2e13)) == .outOfBounds)
        #expect(v.rejection(for: Self.row(latency: -1)) == .outOfBounds)
        #expect(v.rejection(for: Self.row(mark: -5)) == .negativePrice)
        #expect(v.rejection(for: Self.row(interval: 200)) == .badInterval)
        #expect(v.rejection(for: Self.row(rate: .nan)) == .nonFiniteNumber)
        #expect(v.rejection(for: Self.row(oi: .infinity)) == .nonFiniteNumber)
        // Absent optional numbers are not out of bounds.
        #expect(v.rejection(for: Self.row(mark: nil, oi: nil, volume: nil, latency: nil)) == nil)
    }

    @Test("without loaded bounds only the structural checks apply (the database still enforces its table)")
    func unknownBounds() {
        let v = SnapshotValidator()
        #expect(v.rejection(for: Self.row(oi: 1e308)) == nil)
        #expect(v.rejection(for: Self.row(rate: .nan)) == .nonFiniteNumber)
        #expect(v.rejection(for: Self.row(mark: -5)) == .negativePrice)
    }
}
