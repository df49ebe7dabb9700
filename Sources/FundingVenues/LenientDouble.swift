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

/// Decoding and small fetch helpers shared by the adapters in this file set (hyperliquid, lighter, edgex, paradex).
enum VenueDecoding {
    /// Decodes a venue payload, turning any decoding failure into a `VenuePayloadError` for that dex only.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, dex: String, endpoint: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: describe(error))
        } catch {
            throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .dataCorrupted(let c): return "malformed JSON at \(path(c)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "missing field \(path(c)).\(key.stringValue)"
        case .typeMismatch(_, let c): return "unexpected type at \(path(c)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "null at \(path(c))"
        @unknown default: return "\(error)"
        }
    }

    /// The next top of the hour strictly after `date` (UTC), for venues that settle hourly on the hour.
    static func nextTopOfHour(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (floor(seconds / 3600) + 1) * 3600)
    }

    /// Milliseconds elapsed since `start` on the continuous clock.
    static func elapsedMilliseconds(since start: ContinuousClock.Instant) -> Int {
        let d = ContinuousClock.now - start
        return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Runs `body` over `items` with at most `maxInFlight` calls running at once, returning results in input order.
    static func boundedMap<T: Sendable, R: Sendable>(
        _ items: [T], maxInFlight: Int, _ body: @escaping @Sendable (T) async -> R
    ) async -> [R] {
        guard !items.isEmpty else { return [] }
        return await withTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            let limit = max(1, maxInFlight)
            while next < min(limit, items.count) {
                let index = next, item = items[index]
                group.addTask { (index, await body(item)) }
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < items.count {
                    let nextIndex = next, item = items[nextIndex]
                    group.addTask { (nextIndex, await body(item)) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }

    /// Appends a partial result's snapshots to `result` and adds its skip counts.
    static func merge(_ part: VenueFetchResult, into result: inout VenueFetchResult) {
        result.snapshots += part.snapshots
        for (reason, count) in part.skipped { result.skip(reason, count: count) }
    }
}
