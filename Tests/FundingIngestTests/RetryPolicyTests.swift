import FundingCore
import Foundation
import FundingIngest
import Testing

@Suite("Retry policy and Retry-After")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(8))

    @Test("hostile Retry-After headers are not delays", arguments: [
        "1e20", "inf", "Infinity", "nan", "-5", "abc", "99999999999999999999999", "86401", "1.5e3", " ", "",
        "Sun, 06 Nov 1994 08:49:37 PST", "Mon, 30 Feb 2026 08:00:00 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
    ])
    func hostileHeaders(_ header: String) {
        #expect(RetryAfter.seconds(header) == nil)
    }

    @Test("usable Retry-After values: seconds and an HTTP-date")
    func usableHeaders() {
        #expect(RetryAfter.seconds("2") == 2)
        #expect(RetryAfter.seconds(" 0 ") == 0)
        #expect(RetryAfter.seconds("1.5") == 1.5)
        let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 10)
        // A date in the past means "now".
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:17 GMT", now: now) == 0)
    }

    @Test("no value a venue sends makes a delay above maxDelay, or traps")
    func delayIsBounded() {
        for seconds in [1e20, .infinity, -.infinity, .nan, -1, 0, 3, 7.9999, 8, 9, Double.greatestFiniteMagnitude] {
            let delay = policy.delay(afterAttempt: 1, retryAfterSeconds: seconds)
            #expect(delay <= .seconds(8))
            #expect(delay >= .zero)
        }
        #expect(policy.delay(afterAttempt: 1, retryAfterSeconds: 3) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfterSeconds: 1e20) == .seconds(8))
    }

    @Test("backoff: full jitter under baseDelay × 2^(attempt−1), capped; any attempt number is safe")
    func backoff() {
        for attempt in [Int.min, -1, 0, 1, 2, 3, 10, 64, Int.max] {
            for _ in 0..<50 {
                let delay = policy.delay(afterAttempt: attempt)
                #expect(delay >= .zero && delay <= .seconds(8))
            }
        }
        // attempt 2: at most 500 ms × 2 = 1 s.
        for _ in 0..<200 { #expect(policy.delay(afterAttempt: 2) <= .seconds(1)) }
    }
}

@Suite("Deadlines")
struct DeadlineTests {
    @Test("a body that never returns is abandoned at the deadline, and abort runs", .timeLimit(.minutes(1)))
    func abandonsStuckBody() async throws {
        let aborted = AbortFlag()
        // The body never returns, so returning at all is the proof.
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100), "stuck", abort: { aborted.set() }) {
                // Like a query whose continuation nobody resumes: ignores cancellation entirely.
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
        }
        #expect(aborted.isSet)
    }

    @Test("failEarly ends the call with its error before the deadline (a connection that closed)",
          .timeLimit(.minutes(1)))
    func failsEarly() async throws {
        struct Closed: Error {}
        let aborted = AbortFlag()
        await #expect(throws: Closed.self) {
            try await withDeadline(.seconds(3600), "stuck", abort: { aborted.set() },
                                   failEarly: { fail in fail(Closed()) }) {
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
        }
        #expect(aborted.isSet)
    }

    @Test("the body's value and error pass through; a cancelled caller returns at once", .timeLimit(.minutes(1)))
    func passesThrough() async throws {
        let value = try await withDeadline(.seconds(5), "quick") { 42 }
        #expect(value == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await withDeadline(.seconds(5), "fails") { () -> Int in throw Boom() } }
        let aborted = AbortFlag()
        let task = Task {
            try await withDeadline(.seconds(60), "cancelled", abort: { aborted.set() }) {
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(aborted.isSet)
        // Already cancelled before the call.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(.seconds(60), "early") { 1 }
        }
        await #expect(throws: CancellationError.self) { try await early.value }
    }
}

import Synchronization

final class AbortFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
