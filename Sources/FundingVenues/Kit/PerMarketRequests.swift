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


extension PerMarketRequests {
    /// `run`, with the answers sorted into what arrived and what failed.
    static func gather<Key: Sendable, Value: Sendable>(
        _ keys: [Key], limit: Int, spacing: Duration = .zero,
        _ operation: @escaping @Sendable (Key) async throws -> Value
    ) async -> FanOut<Key, Value> {
        let results = await run(keys, limit: limit, spacing: spacing, operation)
        var fanOut = FanOut<Key, Value>()
        for (key, result) in zip(keys, results) {
            switch result {
            case .success(let value): fanOut.values.append((key, value))
            case .failure(let error): fanOut.failures.append((key, error))
            }
        }
        return fanOut
    }
}

/// The outcome of one request per key: the values that arrived, in key order, and the failures.
struct FanOut<Key: Sendable, Value: Sendable>: Sendable {
    var values: [(key: Key, value: Value)] = []
    var failures: [(key: Key, error: any Error)] = []

    /// Throws `AllRequestsFailed` when there were requests and none succeeded: the venue is down, not a market.
    func requireAny(_ request: String) throws {
        if values.isEmpty, let first = failures.first?.error {
            throw AllRequestsFailed(request: request, count: failures.count, first: first)
        }
    }

    /// Records the failures on `result` as one failed request (`request`, the count, the first error), each
    /// having cost `marketsEach` markets.
    func recordFailures(on result: inout VenueFetchResult, request: String, marketsEach: Int = 1) {
        guard let first = failures.first?.error else { return }
        let label = failures.count == 1 ? "\(request) \(failures[0].key)" : "\(request) (\(failures.count) requests)"
        result.fail(label, first, marketsLost: failures.count * marketsEach)
    }
}

/// Every request of a fan-out failed; `first` is the first failure (the others are usually the same).
public struct AllRequestsFailed: Error, Sendable, CustomStringConvertible {
    public var request: String
    public var count: Int
    public var first: any Error

    public var description: String { "all \(count) \(request) requests failed, first: \(first)" }
}
