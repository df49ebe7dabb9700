import Foundation
import FundingCore

/// A minimal HTTP client as adapters see it: the ingest module supplies one built on AsyncHTTPClient (with
/// timeouts and retries), tests supply one that answers from recorded fixtures.
public protocol HTTPFetching: Sendable {
    /// GET `baseURL + path` (path includes any query string) and return the body of a 2xx answer.
    func get(_ path: String, baseURL: String) async throws -> [UInt8]
    /// POST a JSON body to `baseURL + path` and return the body of a 2xx answer.
    func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8]
}

/// What one fetch of a venue produced.
public struct VenueFetchResult: Sendable {
    /// Normalised snapshots, one per perpetual market that parsed.
    public var snapshots: [MarketSnapshot]
    /// Markets deliberately not turned into snapshots, counted by reason (`delisted`, `spot`, `relayed`, ...).
    public var skipped: [String: Int]

    public init(snapshots: [MarketSnapshot] = [], skipped: [String: Int] = [:]) {
        self.snapshots = snapshots
        self.skipped = skipped
    }

    public mutating func skip(_ reason: String, count: Int = 1) {
        skipped[reason, default: 0] += count
    }
}

/// A venue's payload was not what its documentation and recordings say: the venue's rows are dropped,
/// other venues are unaffected.
public struct VenuePayloadError: Error, Sendable, CustomStringConvertible {
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

/// One venue: the endpoints it calls and the mapping from their JSON to `MarketSnapshot`s.
public protocol VenueAdapter: Sendable {
    static var descriptor: DexDescriptor { get }
    /// Fetches every perpetual market of the venue through `client`, stamping rows with `now` when the venue
    /// gives no time of its own.
    func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult
}
