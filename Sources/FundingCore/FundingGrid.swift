import Foundation

/// A market's funding times: multiples of its interval since 1970 (00:00, 08:00 and 16:00 UTC for 8 h; every hour
/// for 1 h). The backfill's due-time rule, Paradex's period boundaries and the demo's settlements all use this grid.
public enum FundingGrid {
    /// The first funding time at or after `date`.
    public static func next(onOrAfter date: Date, intervalHours: Double) -> Date {
        let step = intervalHours * 3600
        return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / step).rounded(.up) * step)
    }

    /// Every funding time in `[start, end)`, oldest first; none for a non-positive interval or an empty range.
    public static func times(from start: Date, to end: Date, intervalHours: Double) -> [Date] {
        let step = intervalHours * 3600
        guard step > 0 else { return [] }
        var times: [Date] = []
        var t = next(onOrAfter: start, intervalHours: intervalHours).timeIntervalSince1970
        while t < end.timeIntervalSince1970 {
            times.append(Date(timeIntervalSince1970: t))
            t += step
        }
        return times
    }
}
