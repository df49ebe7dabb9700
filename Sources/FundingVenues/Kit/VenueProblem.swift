/// Something that cost a venue's run markets: the collector records a run with problems as `partial`, with each
/// problem's `description` in the run's error.
public enum VenueProblem: Sendable, Hashable, CustomStringConvertible {
    /// `count` markets dropped for `reason`.
    case dropped(DropReason, count: Int)
    /// A sub-request (one category, one per-market call, one builder dex) failed; only its markets are lost.
    case requestFailed(FailedRequest)

    public var description: String {
        switch self {
        case .dropped(let reason, let count): "\(count) dropped: \(reason.rawValue)"
        case .requestFailed(let failure): failure.description
        }
    }
}

/// One failed sub-request of a venue fetch.
public struct FailedRequest: Sendable, Hashable, CustomStringConvertible {
    /// What was asked (`GET /v5/market/tickers?category=inverse`, `funding-rate BTC-USDT-SWAP`).
    public var request: String
    /// The error, as text.
    public var error: String
    /// Markets lost with it, when known (a failed category's markets are unknown: nil).
    public var marketsLost: Int?

    public init(request: String, error: any Error, marketsLost: Int?) {
        self.request = request
        self.error = "\(error)"
        self.marketsLost = marketsLost
    }

    public var description: String {
        "\(request) failed (\(error))" + (marketsLost.map { ", \($0) market\($0 == 1 ? "" : "s") lost" } ?? "")
    }
}
