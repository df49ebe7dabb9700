import Foundation

/// One settlement as a venue's history answer gives it, before the kit fills in what the venue leaves out.
struct SettlementRow: Sendable, Hashable {
    var fundingTime: Date
    /// Fraction per interval (the adapter has converted percent or other units).
    var fundingRate: Double
    /// The interval the venue states for this row; nil: inferred from the neighbouring settlements.
    var intervalHours: Double?
    var markPrice: Double?
    var indexPrice: Double?
}

extension SettlementRow {
    /// A venue row as a settlement; a row without its time or rate fails the page (`fields` names them in the
    /// error): dropping it silently would leave a gap that looks fetched.
    static func required(time: Date?, rate: Double?, markPrice: Double? = nil, indexPrice: Double? = nil,
                         dex: String, endpoint: String, fields: String) throws -> SettlementRow {
        guard let time, let rate else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "a row without \(fields)")
        }
        return SettlementRow(fundingTime: time, fundingRate: rate, markPrice: markPrice, indexPrice: indexPrice)
    }
}

/// Turns one venue answer into a `FundingHistoryPage`: the rows inside the requested range, oldest first, one per
/// funding time, each with an interval, and the request for the next page. Every history adapter pages through
/// here, so stitching (no duplicates, no gaps) is written once.
enum HistoryPaging {
    /// Which way a venue pages through time.
    enum Direction: Sendable {
        /// Oldest first from a start time (Binance `startTime`, Hyperliquid `startTime`): the next page starts
        /// just after the newest row.
        case forward
        /// Newest first up to an end time (Bybit `endTime`, OKX `after`, dYdX `effectiveBeforeOrAt`): the next page
        /// ends just before the oldest row.
        case backward
        /// By fixed time windows of this many seconds, short enough that no window can hold a full page (Gate,
        /// whose answer order within a range is not documented): the next page starts where the window ended,
        /// whatever the answer held. The adapter rejects a full page, which would mean rows were cut off.
        case windows(TimeInterval)
    }

    /// The end of the window a `.windows(span)` request asks for.
    static func windowEnd(_ request: FundingHistoryRequest, span: TimeInterval) -> Date {
        min(request.end, request.start.addingTimeInterval(span))
    }

    /// `rows` is the whole answer (the venue may return rows outside the range); `pageSize` is the number of rows
    /// asked for: an answer shorter than it is the last page. `defaultInterval` is the venue's default interval.
    static func page(_ rows: [SettlementRow], request: FundingHistoryRequest, pageSize: Int, direction: Direction,
                     defaultInterval: Double) -> FundingHistoryPage {
        var byTime: [Date: SettlementRow] = [:]
        for row in rows where row.fundingTime >= request.start && row.fundingTime < request.end {
            byTime[row.fundingTime] = row
        }
        let sorted = byTime.values.sorted { $0.fundingTime < $1.fundingTime }
        let fallback = request.intervalHours ?? defaultInterval
        var settlements: [SettledFunding] = []
        for (i, row) in sorted.enumerated() {
            let interval = row.intervalHours
                ?? (i > 0 ? hours(from: sorted[i - 1].fundingTime, to: row.fundingTime) : nil)
                ?? (i + 1 < sorted.count ? hours(from: row.fundingTime, to: sorted[i + 1].fundingTime) : nil)
                ?? fallback
            settlements.append(SettledFunding(
                dexSymbol: request.dexSymbol, fundingTime: row.fundingTime, fundingRate: row.fundingRate,
                fundingIntervalHours: interval, markPrice: row.markPrice, indexPrice: row.indexPrice))
        }
        return FundingHistoryPage(settlements: settlements,
                                  next: next(after: rows, request: request, pageSize: pageSize, direction: direction))
    }

    /// The next page's request, or nil when the answer was short (the range is done) or would not advance.
    static func next(after rows: [SettlementRow], request: FundingHistoryRequest, pageSize: Int,
                     direction: Direction) -> FundingHistoryRequest? {
        if case .windows(let span) = direction {
            let end = windowEnd(request, span: span)
            guard end < request.end else { return nil }
            var next = request
            next.start = end
            return next
        }
        guard rows.count >= pageSize, let oldest = rows.map(\.fundingTime).min(),
              let newest = rows.map(\.fundingTime).max() else { return nil }
        var next = request
        switch direction {
        case .forward:
            // Venue times are whole milliseconds: 1 ms past the newest row is the first time not yet answered.
            next.start = newest.addingTimeInterval(0.001)
            guard next.start > request.start, next.start < request.end else { return nil }
        case .backward:
            next.end = oldest
            guard next.end < request.end, next.end > request.start else { return nil }
        case .windows:
            return nil  // answered above
        }
        return next
    }

    /// Hours between two consecutive settlements, to the minute (venues stamp settlements a few ms to a few hundred
    /// ms after the hour: Hyperliquid 1683849600048 then 1683878400388 is 8 h).
    static func hours(from earlier: Date, to later: Date) -> Double? {
        let minutes = (later.timeIntervalSince(earlier) / 60).rounded()
        return minutes > 0 ? minutes / 60 : nil
    }

    /// A venue time in epoch milliseconds for a query string.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
