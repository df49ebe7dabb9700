/// A venue's payload was not what its documentation and recordings say: the venue's rows (or the sub-request's)
/// are dropped, other venues are unaffected.
public struct VenuePayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var dex: String
    public var endpoint: String
    public var reason: String

    public init(dex: String, endpoint: String, reason: String) {
        self.dex = dex
        self.endpoint = endpoint
        self.reason = reason
    }

    public var description: String { "\(dex) \(endpoint): \(reason)" }
}
