import Foundation

/// A venue that publishes settled funding per market (declared here; implemented by the history work).
///
/// Paginated: the caller asks for one market and a time range, and follows `FundingHistoryPage.next` until it is
/// nil. The adapter maps its venue's paging (cursor, `startTime`/`endTime`, page size) onto that.
public protocol FundingHistorySource: VenueAdapter {
    /// One page of settlements of `request.dexSymbol` with `request.start <= fundingTime < request.end`.
    func fundingHistory(
        _ request: FundingHistoryRequest, client: some HTTPFetching, baseURL: String
    ) async throws -> FundingHistoryPage
}

/// A request for settled funding of one market over a time range.
public struct FundingHistoryRequest: Sendable, Hashable {
    /// The venue's own market name (`MarketSnapshot.dexSymbol`).
    public var dexSymbol: String
    public var start: Date
    public var end: Date
    /// The venue's continuation token from the previous page, when it pages by cursor.
    public var cursor: String?
    /// Largest page wanted; nil leaves it to the venue's documented maximum.
    public var limit: Int?

    public init(dexSymbol: String, start: Date, end: Date, cursor: String? = nil, limit: Int? = nil) {
        self.dexSymbol = dexSymbol
        self.start = start
        self.end = end
        self.cursor = cursor
        self.limit = limit
    }
}

/// One settled funding payment, in the units of `MarketSnapshot`.
public struct SettledFunding: Sendable, Hashable {
    public var dexSymbol: String
    /// When the payment was settled (the venue's funding time: data, not an observation time).
    public var fundingTime: Date
    /// Fraction per `fundingIntervalHours`, as charged.
    public var fundingRate: Double
    public var fundingIntervalHours: Double
    /// Mark price at settlement, when the venue reports it.
    public var markPrice: Double?

    public init(dexSymbol: String, fundingTime: Date, fundingRate: Double, fundingIntervalHours: Double,
                markPrice: Double? = nil) {
        self.dexSymbol = dexSymbol
        self.fundingTime = fundingTime
        self.fundingRate = fundingRate
        self.fundingIntervalHours = fundingIntervalHours
        self.markPrice = markPrice
    }
}

/// One page of settled funding, oldest first, and the request for the following page (nil: the range is done).
public struct FundingHistoryPage: Sendable {
    public var settlements: [SettledFunding]
    public var next: FundingHistoryRequest?

    public init(settlements: [SettledFunding], next: FundingHistoryRequest?) {
        self.settlements = settlements
        self.next = next
    }
}
