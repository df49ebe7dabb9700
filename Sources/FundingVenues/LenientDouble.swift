import Foundation

/// A number that venues write either as a JSON number (`27350.8981`) or as a decimal string (`"0.0000125"`).
/// `null` and the empty string (Paradex writes `""` for an empty book side) read as absent (`value == nil`);
/// any other string that is not a number is a decoding error, so a malformed payload surfaces as
/// `VenuePayloadError` instead of a silent zero.
public struct LenientDouble: Decodable, Sendable, Hashable {
    public var value: Double?

    public init(_ value: Double?) {
        self.value = value
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = nil
        } else if let number = try? container.decode(Double.self) {
            value = number
        } else {
            let text = try container.decode(String.self).trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                value = nil
            } else if let number = Double(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \"\(text)\"")
            }
        }
    }

    /// A venue timestamp in milliseconds since 1970 as a `Date`.
    public var millisecondsDate: Date? {
        value.map { Date(timeIntervalSince1970: $0 / 1000) }
    }
}

extension Optional where Wrapped == LenientDouble {
    /// The number, or `nil` when the field was missing, `null` or `""`.
    var number: Double? { self?.value }
}

/// Small helpers shared by the adapters.
enum VenueDecoding {
    /// The next top of the hour strictly after `date` (UTC), for venues that settle hourly on the hour.
    static func nextTopOfHour(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (floor(seconds / 3600) + 1) * 3600)
    }

    /// Appends a partial result's snapshots to `result` and adds its skip counts.
    static func merge(_ part: VenueFetchResult, into result: inout VenueFetchResult) {
        result.snapshots += part.snapshots
        for (reason, count) in part.skipped { result.skip(reason, count: count) }
    }
}
