/// Why a market a venue listed is not collected **by design**: it is not a perpetual this service tracks, or it is
/// not (or no longer) trading. Exclusions are counted, never reported as problems.
public enum ExclusionReason: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// A dated (delivery) future (`BTC-28MAR25`, `BTCUSDT_250328`).
    case datedFuture = "dated_future"
    /// An option or perpetual option.
    case option
    /// A spot market listed next to the perpetuals.
    case spot
    /// Any other instrument kind that is not a perpetual (index, prediction market, ...).
    case notPerpetual = "not_perpetual"
    /// A row the venue relays from another exchange (Lighter's `funding-rates`).
    case relayed
    /// Delisted, settled or closing.
    case delisted
    /// Listed but not trading: pre-launch, paused, trading disabled, not `live`.
    case inactive
    /// Quoted in a non-USD asset (`ETHBTC`): prices and volume would not be USD.
    case nonUSDQuote = "non_usd_quote"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
