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

    /// Hours between the settlements this venue's history lists, when that is not the market's funding interval
    /// (Deribit: hourly rows of continuous funding, whose snapshots quote an 8 h rate); nil: the market's interval.
    /// A backfill asks again once a settlement is due on this schedule.
    static var settlementIntervalHours: Double? { get }
}

extension FundingHistorySource {
    public static var settlementIntervalHours: Double? { nil }
}

/// A request for settled funding of one market over a time range.
public struct FundingHistoryRequest: Sendable, Hashable {
    /// The venue's own market name (`MarketSnapshot.dexSymbol`).
    public var dexSymbol: String
    public var start: Date
    public var end: Date
    /// The venue's continuation token from the previous page, when it pages by cursor. A venue walked newest first
    /// by cursor hands it on with `end` narrowed to the oldest row already answered
    /// (`HistoryPaging.newestFirst`), so the range still describes what is left to read.
    public var cursor: String?
    /// Largest page wanted; nil leaves it to the venue's documented maximum.
    public var limit: Int?
    /// The market's known funding interval (`markets.funding_interval_hours`), used for a settlement whose
    /// interval neither the venue states nor neighbouring settlements reveal (a page of one row).
    public var intervalHours: Double?

    public init(dexSymbol: String, start: Date, end: Date, cursor: String? = nil, limit: Int? = nil,
                intervalHours: Double? = nil) {
        self.dexSymbol = dexSymbol
        self.start = start
        self.end = end
        self.cursor = cursor
        self.limit = limit
        self.intervalHours = intervalHours
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
    /// Index (oracle) price at settlement, when the venue reports it.
    public var indexPrice: Double?

    public init(dexSymbol: String, fundingTime: Date, fundingRate: Double, fundingIntervalHours: Double,
                markPrice: Double? = nil, indexPrice: Double? = nil) {
        self.dexSymbol = dexSymbol
        self.fundingTime = fundingTime
        self.fundingRate = fundingRate
        self.fundingIntervalHours = fundingIntervalHours
        self.markPrice = markPrice
        self.indexPrice = indexPrice
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

    /// The part of `request`'s range this page settled: all of it on the last page; otherwise up to where the next
    /// page starts (a venue paged forward) or from where it ends (a venue paged backward, newest first).
    ///
    /// A newest-first walk by cursor (same `start`, `end` narrowed to the oldest row answered, the token in
    /// `cursor`) therefore covers `[oldest row, end)`: what a killed backfill has stored is exactly what it read,
    /// and the range before it is fetched again on resume. A next request that keeps `start` and `end` and only
    /// changes `cursor` covers nothing (`end..<end`) until the last page covers the whole range: never more than
    /// was read, but a resumed walk starts over.
    public func covered(by request: FundingHistoryRequest) -> Range<Date> {
        guard let next else { return request.start..<request.end }
        if next.start > request.start { return request.start..<max(request.start, next.start) }
        return min(request.end, next.end)..<request.end
    }
}
