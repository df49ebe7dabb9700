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
        // Strings first: most venues quote numbers as strings, and a failed decode attempt costs a thrown error
        // (about a microsecond each, measured with `fundingd bench stream-parse`).
        if container.decodeNil() {
            value = nil
        } else if let text = try? container.decode(String.self) {
            let text = text.trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                value = nil
            } else if let number = Double(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number: \"\(text)\"")
            }
        } else {
            value = try container.decode(Double.self)
        }
    }

    /// A venue time (epoch in `unit`) as a `Date`; 0 and negatives read as absent (venues write 0 for "none").
    public func date(_ unit: EpochUnit) -> Date? {
        value.flatMap { $0 > 0 ? Date(timeIntervalSince1970: $0 / unit.rawValue) : nil }
    }
}

extension Optional where Wrapped == LenientDouble {
    /// The number, or `nil` when the field was missing, `null` or `""`.
    var number: Double? { self?.value }

    /// The venue time in `unit`, or `nil` when missing or 0.
    func date(_ unit: EpochUnit) -> Date? { self?.date(unit) }
}
