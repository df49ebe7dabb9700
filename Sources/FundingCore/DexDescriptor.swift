/// Whether a venue is a centralised exchange or an on-chain / decentralised one.
public enum DexKind: String, Sendable, Hashable, Codable {
    case cex
    case dex
}

/// Static facts about a venue that the adapters and the migrations agree on.
public struct DexDescriptor: Sendable, Hashable {
    /// Lower-case name used in SQL, JSON and `FUNDINGD_<NAME>_BASE_URL`.
    public var name: String
    public var displayName: String
    public var kind: DexKind
    /// Public API base URL (scheme and host, no trailing slash).
    public var defaultBaseURL: String
    /// The venue's usual funding interval; adapters still report each market's own.
    public var defaultFundingIntervalHours: Double

    public init(name: String, displayName: String, kind: DexKind, defaultBaseURL: String,
                defaultFundingIntervalHours: Double) {
        self.name = name
        self.displayName = displayName
        self.kind = kind
        self.defaultBaseURL = defaultBaseURL
        self.defaultFundingIntervalHours = defaultFundingIntervalHours
    }

    /// The environment variable that overrides this dex's base URL, e.g. `FUNDINGD_HYPERLIQUID_BASE_URL`.
    public var baseURLEnvironmentKey: String { "FUNDINGD_\(name.uppercased())_BASE_URL" }
}
