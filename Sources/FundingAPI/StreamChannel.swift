/// The WebSocket streams.
public enum StreamChannel: String, Sendable, CaseIterable {
    case fundingRates = "funding-rates"
    case opportunities
    case prices
    case priceSpreads = "price-spreads"
    case leaderboards

    public var path: String { "/api/v1/ws/\(rawValue)" }
}
