import Synchronization

/// An operation that did not finish within its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var limit: Duration
    public init(operation: String, limit: Duration) {
        self.operation = operation
        self.limit = limit
    }
    public var description: String { "\(operation): no answer within \(limit)" }
}

/// Runs `body` and fails with `DeadlineExceeded` after `limit`, or with `CancellationError` as soon as the caller
/// is cancelled, whether or not `body` has returned by then.
///
/// Why the body runs in a task of its own instead of a task group: a group must wait for its children, so a
/// body that never returns would hold the caller forever. That happens with database I/O: a query sent on a
/// PostgresNIO connection that the server is closing can be left with a continuation nobody resumes (seen here
/// when the server stopped: the writer and the leader check waited forever, and SIGTERM with them). Here the
/// caller is resumed by whichever comes first, the body, the timer or cancellation; `abort` (close the
/// connection) runs when the body loses, and a body that still never returns is abandoned with its closed
/// connection instead of holding the service. Use it for I/O whose library may not honour cancellation; for
/// code that does, a plain task group is enough.
///
/// `failEarly`, when given, is called once with a function that ends the race with an error: a connection passes
/// its close notification there, so a backend terminated mid-query fails the call at once instead of at the
/// deadline (the query itself may never complete).
public func withDeadline<T: Sendable, C: Clock>(
    _ limit: Duration, _ operation: String, clock: C = ContinuousClock(), abort: @escaping @Sendable () -> Void = {},
    failEarly: (@Sendable (@escaping @Sendable (any Error) -> Void) -> Void)? = nil,
    body: @escaping @Sendable () async throws -> T
) async throws -> T where C.Duration == Duration {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation)
            failEarly? { error in
                race.finish(.failure(error), first: abort)
            }
            let work = Task {
                let outcome: Result<T, any Error>
                do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
                race.finish(outcome)
            }
            let timer = Task {
                guard (try? await clock.sleep(for: limit)) != nil else { return }
                race.finish(.failure(DeadlineExceeded(operation: operation, limit: limit)), first: abort)
            }
            race.attach(work: work, timer: timer)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()), first: abort)
    }
}

/// The state of one `withDeadline` call: resumes the caller once, and stops the losers.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        // Already decided (the caller was cancelled before it got here): answer at once.
        let decided = state.withLock { s -> Result<T, any Error>? in
            if s.outcome == nil { s.continuation = continuation }
            return s.outcome
        }
        if let decided { continuation.resume(with: decided) }
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let finished = state.withLock { s -> Bool in
            s.work = work
            s.timer = timer
            return s.outcome != nil
        }
        if finished {
            timer.cancel()
            work.cancel()
        }
    }

    /// Resolves the race with `outcome` if it is still open; true when this call decided it. `first` runs when this
    /// call decided it, before the caller resumes (so a connection is closed by the time the caller sees the error).
    @discardableResult
    func finish(_ outcome: Result<T, any Error>, first: () -> Void = {}) -> Bool {
        let decided = state.withLock { s -> (continuation: CheckedContinuation<T, any Error>?, work: Task<Void, Never>?,
                                              timer: Task<Void, Never>?)? in
            guard s.outcome == nil else { return nil }
            s.outcome = outcome
            defer { s.continuation = nil }
            return (s.continuation, s.work, s.timer)
        }
        guard let decided else { return false }
        first()
        decided.timer?.cancel()
        if case .failure = outcome { decided.work?.cancel() }
        decided.continuation?.resume(with: outcome)
        return true
    }
}
