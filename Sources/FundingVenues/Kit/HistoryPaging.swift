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
    static func required(time: Date?, rate: Double?, intervalHours: Double? = nil, markPrice: Double? = nil,
                         indexPrice: Double? = nil, dex: String, endpoint: String, fields: String) throws -> SettlementRow {
        guard let time, let rate else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "a row without \(fields)")
        }
        return SettlementRow(fundingTime: time, fundingRate: rate, intervalHours: intervalHours, markPrice: markPrice,
                             indexPrice: indexPrice)
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
        FundingHistoryPage(settlements: settlements(rows, request: request, defaultInterval: defaultInterval),
                           next: next(after: rows, request: request, pageSize: pageSize, direction: direction))
    }

    /// One page of a venue that pages **newest first by an opaque token** and has no time filter (Drift `page`,
    /// Pacifica `cursor`, Backpack `offset`): `rows` in the venue's order, `token` the venue's continuation (nil or
    /// empty: no older rows). The walk starts at the newest row whatever the range, so the rows newer than
    /// `request.end` are read and dropped until the range is reached.
    ///
    /// The next request carries `token` in `cursor` and **narrows `end` to the oldest row seen** (the venue's
    /// order guarantees every settlement at or after it has been answered), so `FundingHistoryPage.covered(by:)`
    /// reports `[oldest row, end)` for this page: a backfill killed mid-walk has stored exactly the part it fetched,
    /// and a resumed one asks only for what lies before it (a fresh walk from the newest row, as the token of a
    /// killed run is gone). Keeping `end` would make every page but the last cover nothing (correct, but a resumed
    /// walk would start over); moving `start` would claim older settlements not yet read. The walk ends when the
    /// venue has no more rows or the oldest row is at or before `request.start`.
    ///
    /// Rows out of that order fail the page (`dex`/`endpoint` name it): the stop rule and the narrowed `end`
    /// rely on it, and a walk over rows in another order would skip settlements while claiming the range.
    static func newestFirst(_ rows: [SettlementRow], token: String?, request: FundingHistoryRequest,
                            defaultInterval: Double, dex: String, endpoint: String) throws -> FundingHistoryPage {
        for (newer, older) in zip(rows, rows.dropFirst()) where older.fundingTime > newer.fundingTime {
            throw VenuePayloadError(dex: dex, endpoint: endpoint,
                                    reason: "rows are not newest first (\(older.fundingTime) after \(newer.fundingTime))")
        }
        var next: FundingHistoryRequest?
        if let token, !token.isEmpty, let oldest = rows.last?.fundingTime, oldest > request.start {
            next = request
            next?.cursor = token
            next?.end = min(request.end, oldest)
        }
        return FundingHistoryPage(settlements: settlements(rows, request: request, defaultInterval: defaultInterval),
                                  next: next)
    }

    /// Where a walk **by page number** stands (Bitget `pageNo`, MEXC `page_num`: newest first, no time filter), as
    /// `numberedPage` hands it on in `FundingHistoryRequest.cursor`: `"<page>:<ms>"`, the page to ask for and the
    /// oldest funding time answered so far; no cursor is page 1.
    struct PageCursor: Equatable {
        var page: Int
        /// Epoch milliseconds of the oldest row of the pages before; nil on page 1.
        var before: Int64?

        var text: String { before.map { "\(page):\($0)" } ?? "\(page)" }
    }

    /// The position a page-number request asks for; a cursor this kit did not write fails.
    static func pageCursor(_ request: FundingHistoryRequest, dex: String, endpoint: String) throws -> PageCursor {
        guard let position = PageCursor(request.cursor) else {
            throw VenuePayloadError(dex: dex, endpoint: endpoint,
                                    reason: "not a page cursor: \"\(request.cursor ?? "")\"")
        }
        return position
    }

    /// What a page-number walk asks for next: `request` with its page size pinned in `limit` (`newestFirstLimit`
    /// on the first page, then kept for the whole walk, as the pages count in it) and the page number.
    static func numberedRequest(_ request: FundingHistoryRequest, maximum: Int, dex: String, endpoint: String) throws
        -> (request: FundingHistoryRequest, page: Int)
    {
        var pinned = request
        pinned.limit = newestFirstLimit(request, maximum: maximum)
        return (pinned, try pageCursor(request, dex: dex, endpoint: endpoint).page)
    }

    /// One page of a venue walked **newest first by page number** (`newestFirst` with the next page number as the
    /// token; `more`: the venue may hold older pages, a full page on Bitget, `currentPage` < `totalPage` on MEXC).
    /// Page numbers count from the newest settlement, so one published mid-walk shifts every row one place older:
    /// the next page repeats a row (stored once) and skips none. A venue that ignores the page number would answer
    /// page 1 for ever, and a resumed walk reads pages entirely newer than its range (nothing narrows), so the
    /// cursor also carries the oldest time answered: a page reaching no further back fails instead of walking on.
    /// The page size must stay the same through a walk (the pages count in it): `numberedRequest` pins it.
    static func numberedPage(_ rows: [SettlementRow], more: Bool, request: FundingHistoryRequest,
                             defaultInterval: Double, dex: String, endpoint: String) throws -> FundingHistoryPage {
        let position = try pageCursor(request, dex: dex, endpoint: endpoint)
        let oldest = rows.map(\.fundingTime).min().map(milliseconds)
        if let before = position.before, let oldest, oldest >= before {
            throw VenuePayloadError(dex: dex, endpoint: endpoint,
                                    reason: "page \(position.page) reaches no further back than page \(position.page - 1)")
        }
        let token = more ? oldest.map { PageCursor(page: position.page + 1, before: $0).text } : nil
        return try newestFirst(rows, token: token, request: request, defaultInterval: defaultInterval, dex: dex,
                               endpoint: endpoint)
    }

    /// How many rows to ask of a newest-first venue (`newestFirst`) when the request names no limit: one per hour of
    /// the range (the most frequent schedule) plus a day of rows newer than its end (a backfill's range ends minutes
    /// before now), at least 100 and at most the venue's `maximum`. The daemon's refresh asks for an hour or two at a
    /// time, so it reads one small page instead of the venue's largest (Pacifica's 4,000 rows, ~166 days); a range
    /// far from now takes more pages to reach.
    static func newestFirstLimit(_ request: FundingHistoryRequest, maximum: Int) -> Int {
        if let limit = request.limit { return max(1, min(limit, maximum)) }
        let hours = max(0, request.end.timeIntervalSince(request.start) / 3600).rounded(.up)
        return min(maximum, max(100, Int(min(hours, Double(maximum))) + 24))
    }

    /// The rows inside the requested range as settlements, oldest first, one per funding time, each with an interval
    /// (stated, else the time since the previous row, else to the next one, else the market's or venue's default).
    static func settlements(_ rows: [SettlementRow], request: FundingHistoryRequest,
                            defaultInterval: Double) -> [SettledFunding] {
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
        return settlements
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

    /// A venue's continuation token as a query value: base64 tokens carry `+`, `/` and `=`, which a server would
    /// read as a space or a separator; everything but RFC 3986's unreserved characters is percent-encoded.
    static func queryValue(_ token: String) -> String {
        token.addingPercentEncoding(withAllowedCharacters: unreserved) ?? token
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A venue time in epoch milliseconds for a query string.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Epoch milliseconds as ISO-8601 UTC with milliseconds and the `Z` for a query string
    /// (`2024-11-25T23:59:59.999Z`: dYdX, BitMEX). From whole milliseconds, so `end - 1 ms` is exact (a `Date` a
    /// millisecond before a whole second formats as .998), and with the zone, which a server may otherwise read as
    /// its local time.
    static func isoMilliseconds(_ ms: Int64) -> String {
        let fraction = (ms % 1000 + 1000) % 1000
        let whole = Date(timeIntervalSince1970: TimeInterval((ms - fraction) / 1000)).formatted(.iso8601)
        return whole.dropLast() + "." + String(fraction + 1000).dropFirst() + "Z"  // "…:59Z" → "…:59.999Z"
    }
}

extension HistoryPaging.PageCursor {
    /// The position a request's cursor names: page 1 without one; nil for a cursor of another form.
    init?(_ cursor: String?) {
        guard let cursor else {
            self.init(page: 1, before: nil)
            return
        }
        let parts = cursor.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let page = Int(parts[0]), page >= 1 else { return nil }
        let before = parts.count == 2 ? Int64(parts[1]) : nil
        guard parts.count == 1 || before != nil else { return nil }
        self.init(page: page, before: before)
    }
}
