import Foundation

/// What the `LiveStreamSource` venues share to build requests and read messages: JSON bytes for a request, symbols
/// in batches, one decode, and a field a message must carry.
enum StreamFraming {
    /// `value` as compact JSON bytes; keys sorted so the bytes are stable, `/` not escaped (KuCoin topics).
    static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `items` in consecutive groups of at most `size` (a size below 1 counts as 1).
    static func batches<T>(_ items: [T], of size: Int) -> [[T]] {
        let size = max(1, size)
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    /// One message decoded as `T`; anything that is not the JSON `T` expects throws a decoding error.
    static func decode<T: Decodable>(_ type: T.Type, _ message: [UInt8]) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(message))
    }

    /// `value`, or a decoding error naming `field` when the message lacks it (or it is `null`).
    static func required<T>(_ value: T?, _ field: String) throws -> T {
        guard let value else {
            throw DecodingError.valueNotFound(
                T.self, .init(codingPath: [], debugDescription: "stream message without \(field)"))
        }
        return value
    }
}
