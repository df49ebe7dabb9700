import Foundation
import FundingCore

/// One venue: its descriptor and the all-markets snapshot, the capability every registered venue has.
///
/// Further capabilities are separate protocols a venue adopts when it implements them, so adding one never
/// touches the venues that do not: `FundingHistorySource` (settled funding, paginated by market and time range)
/// and `LiveStreamSource` (top of book, trades). `capabilities` lists what a venue offers.
///
/// Timestamp policy: a snapshot's `time` is the moment this daemon observed the venue; the collector stamps it
/// (one time per dex and cycle). Adapters set it to `now` and never parse a venue's "sample time"; they parse
/// only venue times that are data (next funding time, a settlement's funding time).
public protocol VenueAdapter: Sendable {
    /// The one source of the venue's metadata; its `dexes` row is written from it.
    static var descriptor: DexDescriptor { get }
    /// Fetches every perpetual market of the venue through `client`. Throws only when the venue's answer as a
    /// whole is unusable; a failed sub-request or a bad row is recorded on the result and costs its markets only.
    func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult
}

/// What a venue can deliver.
public struct VenueCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Every perpetual market's current state in one fetch (`VenueAdapter.fetch`).
    public static let snapshot = VenueCapabilities(rawValue: 1 << 0)
    /// Settled funding per market and time range (`FundingHistorySource`).
    public static let fundingHistory = VenueCapabilities(rawValue: 1 << 1)
    /// Best bid / ask updates (`LiveStreamSource` with `.topOfBook`).
    public static let topOfBookStream = VenueCapabilities(rawValue: 1 << 2)
    /// Public trades (`LiveStreamSource` with `.trades`).
    public static let tradeStream = VenueCapabilities(rawValue: 1 << 3)
}

extension VenueAdapter {
    /// The descriptor through an instance, for code holding `any VenueAdapter`.
    public var descriptor: DexDescriptor { Self.descriptor }

    /// Derived from the protocols the venue adopts, so it cannot disagree with them.
    public var capabilities: VenueCapabilities {
        var capabilities: VenueCapabilities = .snapshot
        if self is any FundingHistorySource { capabilities.insert(.fundingHistory) }
        if let streams = self as? any LiveStreamSource {
            if streams.streamChannels.contains(.topOfBook) { capabilities.insert(.topOfBookStream) }
            if streams.streamChannels.contains(.trades) { capabilities.insert(.tradeStream) }
        }
        return capabilities
    }
}
