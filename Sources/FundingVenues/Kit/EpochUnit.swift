import Foundation

/// The unit of a venue's epoch timestamps (`rawValue` = units per second). Each adapter names the unit its
/// venue documents; nothing guesses it from the magnitude.
public enum EpochUnit: Double, Sendable {
    case seconds = 1
    case milliseconds = 1_000
    case microseconds = 1_000_000
    case nanoseconds = 1_000_000_000
}

/// Venue times that are data (next funding time, settlement time), in the formats venues write them.
enum VenueTime {
    /// The next top of the hour strictly after `date` (UTC), for venues that settle hourly on the hour.
    static func nextTopOfHour(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (floor(seconds / 3600) + 1) * 3600)
    }

    /// An ISO-8601 time (`2025-10-13T16:00:00.000Z`, with or without fractional seconds).
    static func iso8601(_ text: String?) -> Date? {
        guard let text else { return nil }
        return (try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: .iso8601))
    }
}
