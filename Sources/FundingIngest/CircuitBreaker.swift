/// Pauses a source that keeps failing and probes it again later, so a dead venue costs one request per pause,
/// not one per cycle.
///
/// Closed: every cycle runs. After `failureThreshold` consecutive failed cycles it opens for `openDuration`,
/// doubling on each failed probe up to `maxOpenDuration`. When the pause is over one probe cycle runs
/// (half-open): success closes it, failure opens it again for longer. A pure value: the worker passes in its own
/// clock's `now`, the same clock its schedule sleeps on.
public struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Instant)
        case halfOpen
    }

    public var failureThreshold: Int
    public var openDuration: Duration
    public var maxOpenDuration: Duration
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var currentOpenDuration: Duration

    public init(failureThreshold: Int = 3, openDuration: Duration = .seconds(60),
                maxOpenDuration: Duration = .seconds(900)) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
        self.maxOpenDuration = max(openDuration, maxOpenDuration)
        self.currentOpenDuration = openDuration
    }

    /// Whether a cycle may run at `now`; moves an expired open breaker to half-open.
    public mutating func allowsRequest(at now: Instant) -> Bool {
        switch state {
        case .closed, .halfOpen:
            return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    public mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        currentOpenDuration = openDuration
    }

    /// Records a failed cycle; returns true when this failure opened the breaker.
    @discardableResult
    public mutating func recordFailure(at now: Instant) -> Bool {
        consecutiveFailures += 1
        switch state {
        case .halfOpen:
            currentOpenDuration = min(currentOpenDuration * 2, maxOpenDuration)
            state = .open(until: now.advanced(by: currentOpenDuration))
            return true
        case .closed where consecutiveFailures >= failureThreshold:
            state = .open(until: now.advanced(by: currentOpenDuration))
            return true
        default:
            return false
        }
    }
}
