import Foundation

/// A number as venues send it: a JSON number, a numeric string (`"0.00010000"`), or an empty string / `null`
/// for "no value" (Bybit and OKX send `""` for fields that do not apply).
///
/// A string that is not a number (`"abc"`) is a malformed payload and fails decoding, so the adapter throws
/// `VenuePayloadError` instead of writing a made-up value. Non-finite values (`"NaN"`) decode as they are and
/// are left to `SnapshotValidator`.
public struct LenientDouble: Decodable, Sendable, Hashable {
    /// `nil` for `""` and `null`.
    public var value: Double?

    public init(_ value: Double?) {
        self.value = value
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            value = nil
        } else if let d = try? c.decode(Double.self) {
            value = d
        } else if let s = try? c.decode(String.self) {
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.isEmpty {
                value = nil
            } else if let d = Double(t) {
                value = d
            } else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number: \"\(s)\"")
            }
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number or numeric string")
        }
    }
}

extension Optional where Wrapped == LenientDouble {
    /// The number, or `nil` when the field was absent, `null` or `""`.
    var number: Double? { self?.value ?? nil }
}
