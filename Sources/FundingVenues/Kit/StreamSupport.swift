import Foundation

/// Small pieces the `LiveStreamSource` venues share: batching markets into subscribe messages, encoding a
/// request, decoding a message, and reading the venue time a stream event must carry.
enum StreamSupport {
    /// `items` in consecutive groups of at most `size` (at least 1), in order.
    static func batches<T>(_ items: [T], of size: Int) -> [[T]] {
        let size = max(1, size)
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    /// One request as UTF-8 JSON bytes.
    static func json(_ value: some Encodable) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    /// One request as JSON bytes with sorted keys (stable bytes) and `/` not escaped (KuCoin topics, Binance).
    static func stableJSON(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `value`, or a decoding error naming `field` when the message lacks it (or it is `null`).
    static func required<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else {
            throw DecodingError.valueNotFound(
                T.self, .init(codingPath: [], debugDescription: "stream message without \(field)"))
        }
        return value
    }

    /// One received message decoded as `type`; a malformed message throws the decoder's error.
    static func decode<T: Decodable>(_ type: T.Type, _ message: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(message))
    }

    /// A venue time that a stream event requires; a missing or zero time is a malformed message.
    static func time(_ value: LenientDouble?, _ unit: EpochUnit, field: String) throws -> Date {
        guard let date = value.date(unit) else { throw StreamPayloadError.missing(field) }
        return date
    }

    /// A number that a stream event requires (a trade's price and size).
    static func number(_ value: LenientDouble?, field: String) throws -> Double {
        guard let number = value.number else { throw StreamPayloadError.missing(field) }
        return number
    }
}

/// A stream message that decodes as JSON but lacks a field its event needs.
enum StreamPayloadError: Error, Hashable {
    case missing(String)
}

/// The `data` member of a stream message, decoded once the message's kind is known.
struct StreamPayload<T: Decodable>: Decodable {
    var data: T
}
