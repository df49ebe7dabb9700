import Foundation

/// Pauses a venue that keeps failing and probes it again later, so a dead venue costs one request per pause,
/// not one per cycle.
///
/// Closed: every cycle runs. After `failureThreshold` consecutive failed cycles it opens for `openDuration`,
/// doubling on each failed probe up to `maxOpenDuration`. When the pause is over one probe cycle runs
/// (half-open): success closes it, failure opens it again for longer.
public struct CircuitBreaker: Sendable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Date)
        case halfOpen
    }

    public var failureThreshold: Int
    public var openDuration: TimeInterval
    public var maxOpenDuration: TimeInterval
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var currentOpenDuration: TimeInterval

    public init(failureThreshold: Int = 3, openDuration: TimeInterval = 60, maxOpenDuration: TimeInterval = 900) {
        self.failureThreshold = failureThreshold
        self.openDuration = openDuration
        self.maxOpenDuration = maxOpenDuration
        self.currentOpenDuration = openDuration
    }

    /// Whether a cycle may run at `now`; moves an expired open breaker to half-open.
    public mutating func allowsRequest(at now: Date) -> Bool {
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

    public mutating func recordFailure(at now: Date) {
        consecutiveFailures += 1
        switch state {
        case .halfOpen:
            currentOpenDuration = min(currentOpenDuration * 2, maxOpenDuration)
            state = .open(until: now.addingTimeInterval(currentOpenDuration))
        case .closed where consecutiveFailures >= failureThreshold:
            state = .open(until: now.addingTimeInterval(currentOpenDuration))
        default:
            break
        }
    }
}
