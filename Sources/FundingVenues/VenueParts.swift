import Foundation
import FundingCore

/// A venue fetched in independent parts (Gate per settle currency, Bitget per product type, Deribit per
/// currency): each part's failure costs only that part's markets.
enum VenueParts {
    /// Runs `part` for every key with at most `limit` in flight and merges the results. A part that fails is
    /// counted once under `lost`; when every part fails, the first error is thrown so the collector records the
    /// venue as failed.
    static func collect<Key: Sendable>(
        _ keys: [Key], limit: Int, lost: String,
        _ part: @escaping @Sendable (Key) async throws -> VenueFetchResult
    ) async throws -> VenueFetchResult {
        let results = await PerMarketRequests.run(keys, limit: limit, part)
        var merged = VenueFetchResult()
        var firstError: (any Error)?
        for result in results {
            switch result {
            case .success(let r): VenueDecoding.merge(r, into: &merged)
            case .failure(let error):
                firstError = firstError ?? error
                merged.skip(lost)
            }
        }
        if let firstError, merged.skipped[lost] == keys.count { throw firstError }
        return merged
    }
}

extension Optional where Wrapped == LenientDouble {
    /// The number read as Unix seconds.
    var secondsDate: Date? { self?.value.map { Date(timeIntervalSince1970: $0) } }
    /// The number read as Unix milliseconds.
    var millisecondsDate: Date? { self?.value.map { Date(timeIntervalSince1970: $0 / 1000) } }
}

/// A venue field that is one object for a one-market request and an array for an all-markets request (MEXC
/// `ticker`, `funding_rate`, `detail` with and without `symbol`).
struct OneOrMany<Element: Decodable>: Decodable {
    var elements: [Element]

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        // An array's own errors (a bad row) must surface, so the shape is decided before decoding.
        if (try? decoder.unkeyedContainer()) != nil {
            elements = try container.decode([Element].self)
        } else {
            elements = [try container.decode(Element.self)]
        }
    }
}

extension VenueFetchResult {
    /// Counts `n` markets under `reason` when there are any (no zero entries in the counts).
    mutating func count(_ reason: String, _ n: Int) {
        if n > 0 { skip(reason, count: n) }
    }
}
