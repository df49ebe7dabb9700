/// When a source runs next: every `interval`, on the grid started at its first run. A run that overran one or
/// more ticks does not cause a burst of catch-up runs; the next run is one interval after the late one instead.
public struct Schedule<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public var interval: Duration
    public private(set) var nextDue: Instant

    public init(interval: Duration, firstDue: Instant) {
        self.interval = interval
        self.nextDue = firstDue
    }

    /// Moves past the tick that just fired, given the time it is now.
    public mutating func advance(now: Instant) {
        let next = nextDue.advanced(by: interval)
        nextDue = next > now ? next : now.advanced(by: interval)
    }
}
