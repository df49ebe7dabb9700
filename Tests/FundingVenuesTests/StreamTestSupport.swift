import Foundation
import FundingVenues

/// Reading the stream fixtures (`Tests/Fixtures/<venue>/stream-*.jsonl`, one frame a line) and comparing JSON.
enum StreamFixtures {
    /// The frames of one `.jsonl` fixture, in order.
    static func lines(_ folder: String, _ file: String) throws -> [[UInt8]] {
        String(decoding: try Fixtures.data(folder, file), as: UTF8.self)
            .split(separator: "\n").map { Array($0.utf8) }
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
