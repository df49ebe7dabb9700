/// An optional snapshot field a row was kept **without** because the venue publishes it but did not deliver it
/// this time (an enrichment request failed, a per-market value was absent). Counted per row and field.
public enum DegradedField: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case openInterest = "open_interest"
    case volume
    case bookTop = "book_top"
    case markPrice = "mark_price"
    case indexPrice = "index_price"
    case predictedRate = "predicted_rate"
    case nextFundingTime = "next_funding_time"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
