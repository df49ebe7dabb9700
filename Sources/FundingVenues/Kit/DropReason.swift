/// Why a perpetual the venue trades was **dropped**: a value the row cannot exist without was missing or bad.
/// A drop is a problem (the run is `partial`): the market exists but this cycle has no row for it.
public enum DropReason: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case missingFundingRate = "missing_funding_rate"
    case missingFundingInterval = "missing_funding_interval"
    /// A price needed to convert the quoted rate into a fraction (Kraken quotes an absolute amount).
    case missingPrice = "missing_price"
    /// The quote / settlement asset could not be read from the venue's data.
    case unknownQuote = "unknown_quote"
    /// A rate row (or other per-market row) whose market the venue's market list does not name.
    case unknownMarket = "unknown_market"
    /// A row whose values contradict each other or the venue's documentation.
    case malformed

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
