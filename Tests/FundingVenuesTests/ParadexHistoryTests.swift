import Foundation
@testable import FundingVenues
import Testing

/// Paradex's settled funding, resampled from its continuous funding index (`ParadexAdapter` "Settled funding
/// history"): one row per funding period, the index's move over the spot price. The recording is the docs' example
/// (illustrative values, structure only), so the numbers come from a simulated venue that accrues its index as the
/// docs' formula does, with expected values worked out by hand.
@Suite("Paradex settled funding from the funding index", .timeLimit(.minutes(1)))
struct ParadexHistoryTests {
    static func date(_ iso: String) -> Date { VenueTime.iso8601(iso)! }

    /// `funding/data` of one market: a sample every 5 s from 2025-12-31T00:00Z for `days` days, except inside
    /// `paused` (epoch-second ranges); `rate` (per 8 h) and `spot` (USDC) as functions of the time in seconds; the
    /// index accrues as the docs say, `premium × Δt / 8 h` with `premium = rate × spot` from the previous sample,
    /// nothing over a gap of more than 30 s. Answers `start_at <= created_at <= end_at`, `page_size` rows, newest or
    /// oldest first, and counts the requests.
    final class IndexVenue: HTTPFetching, @unchecked Sendable {
        struct Sample {
            var time: Double
            var index: Double
            var rate: Double
            var premium: Double
        }

        static let origin = 1_767_139_200.0  // 2025-12-31T00:00:00Z
        let samples: [Sample]
        let newestFirst: Bool
        private let lock = NSLock()
        private var asked = 0
        var requests: Int { lock.withLock { asked } }

        init(days: Double = 3, paused: [Range<Double>] = [], newestFirst: Bool = true,
             rate: @escaping (Double) -> Double = { _ in 0.0001 }, spot: @escaping (Double) -> Double = { _ in 60_000 }) {
            var samples: [Sample] = []
            var t = Self.origin
            while t < Self.origin + days * 86_400 {
                if !paused.contains(where: { $0.contains(t) }) {
                    var index = 100.0
                    if let last = samples.last {
                        let gap = t - last.time
                        index = last.index + (gap > 30 ? 0 : last.premium * gap / 28_800)
                    }
                    samples.append(Sample(time: t, index: index, rate: rate(t), premium: rate(t) * spot(t)))
                }
                t += 5
            }
            self.samples = samples
            self.newestFirst = newestFirst
        }

        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            lock.withLock { asked += 1 }
            let (route, query) = FixtureCatalog.split(path)
            guard route == "/v1/funding/data", query["market"] == "BTC-USD-PERP" else {
                throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
            }
            let from = Double(query["start_at"]!)! / 1000, to = Double(query["end_at"]!)! / 1000
            let pageSize = Int(query["page_size"]!)!
            let inRange = samples.filter { $0.time >= from && $0.time <= to }
            let rows = (newestFirst ? Array(inRange.reversed()) : inRange).prefix(pageSize).map { s in
                #"{"market":"BTC-USD-PERP","created_at":\#(Int64(s.time * 1000)),"funding_index":"\#(s.index)","funding_rate":"\#(s.rate)","funding_rate_8h":"\#(s.rate)","funding_period_hours":8,"funding_premium":"\#(s.premium)"}"#
            }
            return Array(#"{"next":null,"prev":null,"results":[\#(rows.joined(separator: ","))]}"#.utf8)
        }

        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            throw HTTPFetchError.status(404, url: path, retryAfterSeconds: nil)
        }
    }

    static func request(_ from: String, _ to: String, hours: Double? = 8) -> FundingHistoryRequest {
        FundingHistoryRequest(dexSymbol: "BTC-USD-PERP", start: date(from), end: date(to), intervalHours: hours)
    }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        a.map { abs($0 - b) <= tolerance * max(1, abs(b)) } ?? false
    }

    @Test("steady funding: one row per 8 h period at 00, 08, 16 UTC, each the rate of the period; one request per boundary, the opening one included")
    func steady() async throws {
        let venue = IndexVenue()
        let page = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), client: venue, baseURL: "")
        // Rate 0.0001 per 8 h at spot 60,000: premium 6 USDC per unit per 8 h, so the index moves 6 per period and
        // the row is 6 / 60,000 = 0.0001 per 8 h.
        #expect(page.settlements.map(\.fundingTime)
            == ["2026-01-01T00:00:00Z", "2026-01-01T08:00:00Z", "2026-01-01T16:00:00Z"].map(Self.date))
        #expect(page.settlements.allSatisfy { Self.close($0.fundingRate, 0.0001) })
        #expect(page.settlements.map(\.fundingIntervalHours) == [8, 8, 8])
        #expect(page.settlements.allSatisfy { Self.close($0.indexPrice, 60_000) && $0.markPrice == nil })
        #expect(venue.requests == 4)  // 2025-12-31T16:00 (the first row's opening) and the three boundaries
        #expect(page.next == nil)  // 12 periods a page: one day fits
        // The order of `results` is not documented; the latest sample is chosen either way.
        let ascending = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), client: IndexVenue(newestFirst: false),
            baseURL: "")
        #expect(ascending.settlements == page.settlements)
    }

    @Test("the row is the index's move over the spot at its boundary: a period half at 60,000 and half at 66,000 settles 0.0001 × 63,000 / 66,000")
    func spotChange() async throws {
        let change = Self.date("2026-01-01T04:00:00Z").timeIntervalSince1970
        let venue = IndexVenue(spot: { $0 < change ? 60_000 : 66_000 })
        let page = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T08:00:00Z", "2026-01-01T08:00:01Z"), client: venue, baseURL: "")
        // 00:00–04:00 accrues 0.0001 × 60,000 × 4/8 = 3, 04:00–08:00 0.0001 × 66,000 × 4/8 = 3.3: 6.3 over spot
        // 66,000 at 08:00 = 0.0000954545…; the price stored is that spot.
        #expect(page.settlements.count == 1)
        #expect(Self.close(page.settlements.first?.fundingRate, 6.3 / 66_000))
        #expect(Self.close(page.settlements.first?.indexPrice, 66_000))
    }

    @Test("a pause across a boundary: the minute before it has no sample, the hour before it gives the frozen index; no funding accrues while paused")
    func pause() async throws {
        let paused = Self.date("2026-01-01T07:50:00Z").timeIntervalSince1970..<Self.date("2026-01-01T08:10:00Z").timeIntervalSince1970
        let venue = IndexVenue(paused: [paused])
        let page = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T08:00:00Z", "2026-01-01T16:00:01Z"), client: venue, baseURL: "")
        // The last sample before the pause is 07:49:55: the index froze there. 00:00 → 07:49:55 is 28,195 s of
        // 0.0001 per 28,800 s; 08:10:00 → 16:00 is 28,200 s.
        #expect(page.settlements.map(\.fundingTime) == ["2026-01-01T08:00:00Z", "2026-01-01T16:00:00Z"].map(Self.date))
        #expect(Self.close(page.settlements.first?.fundingRate, 0.0001 * 28_195 / 28_800))
        #expect(Self.close(page.settlements.last?.fundingRate, 0.0001 * 28_200 / 28_800))
        #expect(page.settlements.map(\.fundingIntervalHours) == [8, 8])
        #expect(venue.requests == 4)  // 00:00, 08:00 (the minute, then the hour), 16:00
    }

    @Test("a boundary without any index (a pause longer than the hour before it): the two periods around it make one 16 h row")
    func unknownBoundary() async throws {
        let paused = Self.date("2026-01-01T06:00:00Z").timeIntervalSince1970..<Self.date("2026-01-01T09:00:00Z").timeIntervalSince1970
        let venue = IndexVenue(paused: [paused])
        let page = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), client: venue, baseURL: "")
        // 08:00 is unknown; 16:00's row runs from 00:00: accrued 00:00 → 05:59:55 (the last sample before the pause,
        // 21,595 s) and 09:00 → 16:00 (25,200 s), 46,795 s of 0.0001 per 28,800 s, over 16 h.
        #expect(page.settlements.map(\.fundingTime) == ["2026-01-01T00:00:00Z", "2026-01-01T16:00:00Z"].map(Self.date))
        #expect(page.settlements.map(\.fundingIntervalHours) == [8, 16])
        #expect(Self.close(page.settlements.last?.fundingRate, 0.0001 * 46_795 / 28_800))
        // Realised funding over the day is all there: the full first period plus the merged row.
        #expect(Self.close(page.settlements.map(\.fundingRate).reduce(0, +), 0.0001 + 0.0001 * 46_795 / 28_800))
    }

    @Test("the spot comes from the newest sample with a non-zero rate when the boundary's own rate is zero")
    func zeroRate() async throws {
        let boundary = Self.date("2026-01-01T08:00:00Z").timeIntervalSince1970
        let venue = IndexVenue(rate: { $0 == boundary ? 0 : 0.0001 })
        let page = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T08:00:00Z", "2026-01-01T08:00:01Z"), client: venue, baseURL: "")
        // The 08:00 sample has rate and premium 0 (no spot there); 07:59:55 gives 60,000. Its zero premium accrues
        // only after 08:00, so the row is the full 0.0001.
        #expect(Self.close(page.settlements.first?.indexPrice, 60_000))
        #expect(Self.close(page.settlements.first?.fundingRate, 0.0001))
    }

    @Test("a 1 h market: hourly rows of 1/8 of the 8 h rate, 12 a page, the next page starting where the window ended")
    func hourlyPaging() async throws {
        let venue = IndexVenue()
        let request = Self.request("2026-01-01T00:00:00Z", "2026-01-02T06:00:00Z", hours: 1)
        var rows: [SettledFunding] = []
        var covered: [Range<Date>] = []
        var next: FundingHistoryRequest? = request
        while let current = next, covered.count < 10 {
            let page = try await ParadexAdapter().fundingHistory(current, client: venue, baseURL: "")
            rows += page.settlements
            covered.append(page.covered(by: current))
            next = page.next
        }
        // 30 hourly boundaries in 12 + 12 + 6; each page probes one more boundary than it has rows.
        #expect(covered == [Self.date("2026-01-01T00:00:00Z")..<Self.date("2026-01-01T12:00:00Z"),
                            Self.date("2026-01-01T12:00:00Z")..<Self.date("2026-01-02T00:00:00Z"),
                            Self.date("2026-01-02T00:00:00Z")..<Self.date("2026-01-02T06:00:00Z")])
        #expect(venue.requests == 13 + 13 + 7)
        #expect(rows.map(\.fundingTime) == (0..<30).map { Self.date("2026-01-01T00:00:00Z").addingTimeInterval(Double($0) * 3600) })
        #expect(rows.allSatisfy { Self.close($0.fundingRate, 0.0001 / 8) && $0.fundingIntervalHours == 1 })
        // Without a known interval the period is Paradex's default, 8 h.
        #expect(ParadexAdapter.periodHours(Self.request("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", hours: nil)) == 8)
        // A range shorter than a period and off the grid holds no boundary: no request, nothing to store.
        let none = try await ParadexAdapter().fundingHistory(
            Self.request("2026-01-01T09:00:00Z", "2026-01-01T15:00:00Z"), client: venue, baseURL: "")
        #expect(none.settlements.isEmpty && none.next == nil && venue.requests == 33)
    }

    @Test("the docs' example decodes (index 0.00012345 at 2023-05-22T23:00Z, spot premium / rate); later, full or earlier answers give no index; no row without an earlier index")
    func docsExample() async throws {
        let data = try Fixtures.data("paradex", "funding_data.json")
        let at = Self.date("2023-05-22T23:00:00Z")
        // Illustrative values: spot 0.00004567 / 0.00000567 = 8.05 is not a price, only the arithmetic.
        #expect(try ParadexAdapter.latest(data, atOrBefore: at, pageSize: 1000)
            == ParadexAdapter.IndexPoint(index: 0.00012345, spot: 0.00004567 / 0.00000567))
        #expect(try ParadexAdapter.latest(data, atOrBefore: at.addingTimeInterval(-1), pageSize: 1000) == nil)
        #expect(try ParadexAdapter.latest(data, atOrBefore: at, pageSize: 1) == nil)  // a full page may be cut
        // Through the recording: 23:00 has the index, 22:00 (its opening) has none, so no row is made.
        let page = try await ParadexAdapter().fundingHistory(
            Self.request("2023-05-22T23:00:00Z", "2023-05-23T00:00:00Z", hours: 1), client: Fixtures.client("paradex"),
            baseURL: "")
        #expect(page.settlements.isEmpty && page.next == nil)
        // A sample without its index fails the page.
        #expect(throws: VenuePayloadError.self) {
            try ParadexAdapter.latest(Array(#"{"results":[{"created_at":1684796400000,"funding_rate":"0.0001"}]}"#.utf8),
                                      atOrBefore: at, pageSize: 1000)
        }
    }

    @Test("an index that moved without any spot price fails the page; an index that did not move settles 0")
    func noSpot() throws {
        let t0 = Self.date("2026-01-01T00:00:00Z"), t1 = Self.date("2026-01-01T08:00:00Z")
        #expect(throws: VenuePayloadError.self) {
            try ParadexAdapter.rows([(t0, ParadexAdapter.IndexPoint(index: 1, spot: nil)), (t1, ParadexAdapter.IndexPoint(index: 2, spot: nil))])
        }
        #expect(try ParadexAdapter.rows([(t0, ParadexAdapter.IndexPoint(index: 1, spot: nil)), (t1, ParadexAdapter.IndexPoint(index: 1, spot: nil))])
            .map(\.fundingRate) == [0])
        // The opening boundary's spot serves when the closing one has none.
        #expect(try ParadexAdapter.rows([(t0, ParadexAdapter.IndexPoint(index: 1, spot: 50)), (t1, ParadexAdapter.IndexPoint(index: 2, spot: nil))])
            .map(\.fundingRate) == [1.0 / 50])
    }
}
