import Foundation
import FundingCore

/// Per-market requests (one HTTP call per instrument) with bounded concurrency.
///
/// At most `limit` requests are in flight; with a `spacing`, request starts are at least that far apart, which
/// caps the rate at `1 / spacing` for venues whose limit is per time window (OKX: 20 requests / 2 s). When a
/// venue answers 429 or 418 (rate limited / banned), no further requests are started: the ones not yet sent
/// fail with that same error, so the caller keeps those markets with the field missing and counts them.
enum PerMarketRequests {
    static func run<Key: Sendable, Value: Sendable>(
        _ keys: [Key], limit: Int, spacing: Duration = .zero,
        _ operation: @escaping @Sendable (Key) async throws -> Value
    ) async -> [Result<Value, any Error>] {
        guard !keys.isEmpty else { return [] }
        let limit = max(1, limit)
        return await withTaskGroup(of: (Int, Result<Value, any Error>).self) { group in
            var results = [Result<Value, any Error>?](repeating: nil, count: keys.count)
            var next = 0
            var inFlight = 0
            var stop: (any Error)?
            while true {
                while stop == nil, inFlight < limit, next < keys.count {
                    if spacing > .zero, next > 0 { try? await Task.sleep(for: spacing) }
                    let index = next
                    let key = keys[index]
                    group.addTask {
                        do { return (index, .success(try await operation(key))) } catch { return (index, .failure(error)) }
                    }
                    next += 1
                    inFlight += 1
                }
                guard inFlight > 0, let (index, result) = await group.next() else { break }
                inFlight -= 1
                results[index] = result
                if case .failure(let error) = result, isRateLimited(error) { stop = error }
            }
            let unsent: any Error = stop ?? CancellationError()
            return results.map { $0 ?? .failure(unsent) }
        }
    }

    static func isRateLimited(_ error: any Error) -> Bool {
        if let e = error as? HTTPFetchError, case .status(let code, _, _) = e { return code == 429 || code == 418 }
        return false
    }
}

/// Milliseconds elapsed since `start` on the continuous clock.
func elapsedMilliseconds(since start: ContinuousClock.Instant) -> Int {
    Int((ContinuousClock.now - start).wholeMilliseconds)
}

/// Decodes `T` from a venue payload, turning any decoding failure into `VenuePayloadError` for `dex`.
func decodePayload<T: Decodable>(_ type: T.Type, from data: some DataProtocol, dex: String, endpoint: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(data))
    } catch let error as DecodingError {
        throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: describe(error))
    } catch {
        throw VenuePayloadError(dex: dex, endpoint: endpoint, reason: "\(error)")
    }
}

private func describe(_ error: DecodingError) -> String {
    func path(_ c: DecodingError.Context) -> String {
        c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .dataCorrupted(let c): return "malformed JSON at \(path(c)): \(c.debugDescription)"
    case .keyNotFound(let k, let c): return "missing field \(path(c)).\(k.stringValue)"
    case .typeMismatch(_, let c): return "wrong type at \(path(c)): \(c.debugDescription)"
    case .valueNotFound(_, let c): return "null at \(path(c))"
    @unknown default: return "\(error)"
    }
}
