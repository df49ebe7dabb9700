import Foundation
import Hummingbird

/// The request context of every HTTP route: Hummingbird's basic context, with the API's JSON encoder for
/// `ResponseEncodable` answers, so a `Codable` response writes timestamps exactly as the rest of the API does
/// (ISO 8601 UTC with `Z` and microseconds when present, `JSONWriter.timestamp`). A non-finite number has no JSON
/// form: the encoder refuses it, and `NullWhenAbsent` writes it as null, as `JSONWriter` does.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    public var responseEncoder: JSONEncoder { Self.encoder }

    /// One configured encoder: `JSONEncoder` is safe to share once configured.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(JSONWriter.timestamp(date))
        }
        // Keys in a fixed (alphabetical) order: the encoder's own order changes from run to run, and a reader
        // comparing two answers, or a cache validator, should see the same bytes for the same content.
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// An optional response field that is written as `null` when absent instead of being left out: a documented field
/// is always present, so a client can tell "unknown" from "not sent". Synthesized `Encodable` leaves a plain
/// optional out.
@propertyWrapper
public struct NullWhenAbsent<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = wrappedValue, !Self.isNonFinite(value) {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }

    /// A NaN or infinite Double has no JSON form: null, as JSONWriter writes it.
    static func isNonFinite(_ value: Value) -> Bool {
        guard let d = value as? Double else { return false }
        return !d.isFinite
    }
}

/// Two encodable values as one JSON object: the fields of `first`, then those of `second` (a SQL row with the
/// fields a route adds to it). Both must encode as objects.
struct MergedObject<First: Encodable & Sendable, Second: Encodable & Sendable>: Encodable, Sendable {
    var first: First
    var second: Second

    init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    func encode(to encoder: any Encoder) throws {
        try first.encode(to: encoder)
        try second.encode(to: encoder)
    }
}

extension MergedObject: ResponseEncodable {}
