/// The WebSocket streams.
public enum StreamChannel: String, Sendable, CaseIterable {
    case fundingRates = "funding-rates"
    case opportunities

    public var path: String { "/api/v1/ws/\(rawValue)" }
}
