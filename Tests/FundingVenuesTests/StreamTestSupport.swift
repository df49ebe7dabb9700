import Foundation
import Testing
@testable import FundingVenues

/// What the `<Venue>StreamTests` share: reading a `stream-*.jsonl` fixture, comparing JSON requests, and the
/// checks every `LiveStreamSource` must pass (batching, malformed frames, refused requests).
enum StreamFixtures {
    /// The frames of `Tests/Fixtures/<folder>/<file>`, one per non-empty line, as received.
    static func lines(_ folder: String, _ file: String) throws -> [[UInt8]] {
        let text = String(decoding: try Fixtures.data(folder, file), as: UTF8.self)
        return text.split(separator: "\n").filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// A JSON text as a Foundation object, so two documents compare equal whatever their key order.
    static func json(_ bytes: [UInt8]) throws -> NSObject {
        try JSONSerialization.jsonObject(with: Data(bytes)) as! NSObject
    }

    static func json(_ text: String) throws -> NSObject { try json(Array(text.utf8)) }

    /// A JSON object without `key` (a request id the venue leaves to the client).
    static func json(_ bytes: [UInt8], without key: String) throws -> NSDictionary {
        let object = try json(bytes) as! NSDictionary
        let copy = object.mutableCopy() as! NSMutableDictionary
        copy.removeObject(forKey: key)
        return copy
    }

    static func json(_ text: String, without key: String) throws -> NSDictionary { try json(Array(text.utf8), without: key) }

    /// `frame` with the first `target` replaced by `replacement` (the target must occur).
    static func replacing(_ target: String, with replacement: String, in frame: [UInt8]) -> [UInt8] {
        let text = String(decoding: frame, as: UTF8.self)
        #expect(text.contains(target), "fixture frame lacks \(target)")
        return Array(text.replacingOccurrences(of: target, with: replacement).utf8)
    }

    /// `frame` cut in half: no longer JSON.
    static func truncated(_ frame: [UInt8]) -> [UInt8] {
        Array(frame.prefix(frame.count / 2))
    }

    /// The markets `source` subscribes in each message for `channel`, given `count` made-up names: every name
    /// once, in order, at most `symbolsPerMessage` per message.
    static func batches(_ source: some LiveStreamSource, _ channel: StreamChannel, count: Int,
                        symbols: ([UInt8]) throws -> [String]) throws -> [[String]] {
        let names = (0..<count).map { "SYM\($0)" }
        let batches = try source.subscribeMessages(channel, dexSymbols: names).map(symbols)
        #expect(batches.flatMap { $0 } == names)
        #expect(batches.allSatisfy { $0.count <= source.streamLimits.symbolsPerMessage })
        return batches
    }
}

/// Comparing requests by value (`JSONValue` is the fixture catalog's loose JSON; member order does not matter).
extension JSONValue {
    init(_ bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    init(_ text: String) throws {
        try self.init(Array(text.utf8))
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    /// The strings in this value: itself, or an array's string members.
    var strings: [String] {
        switch self {
        case .string(let s): [s]
        case .array(let a): a.flatMap(\.strings)
        default: []
        }
    }
}

/// `a` within `tolerance` of `b` (times from nanosecond or millisecond epochs, decimal prices).
func near(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}

/// A client that answers every POST with `answer` and remembers what was asked.
actor RecordingPostClient: HTTPFetching {
    let answer: [UInt8]
    private(set) var requests: [(path: String, baseURL: String)] = []

    init(answer: [UInt8]) { self.answer = answer }

    func get(_ path: String, baseURL: String) async throws -> [UInt8] {
        throw HTTPFetchError.timeout(url: baseURL + path)
    }

    func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
        requests.append((path, baseURL))
        return answer
    }
}
