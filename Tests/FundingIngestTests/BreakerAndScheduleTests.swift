import FundingIngest
import Testing

@Suite("Circuit breaker and schedule")
struct BreakerAndScheduleTests {
    typealias Instant = ManualClock.Instant
    func at(_ seconds: Int) -> Instant { Instant(offset: .seconds(seconds)) }

    @Test("opens after the threshold, probes when the pause is over, doubles up to the maximum")
    func breaker() {
        var b = CircuitBreaker<Instant>(failureThreshold: 3, openDuration: .seconds(60), maxOpenDuration: .seconds(150))
        var allowed = b.allowsRequest(at: at(0))
        #expect(allowed)
        var opened = b.recordFailure(at: at(0))
        #expect(!opened)
        opened = b.recordFailure(at: at(1))
        #expect(!opened)
        opened = b.recordFailure(at: at(2))
        #expect(opened)
        #expect(b.state == .open(until: at(62)))
        allowed = b.allowsRequest(at: at(61))
        #expect(!allowed)
        allowed = b.allowsRequest(at: at(62))
        #expect(allowed)
        #expect(b.state == .halfOpen)
        // A failed probe: 120 s.
        opened = b.recordFailure(at: at(63))
        #expect(opened)
        #expect(b.state == .open(until: at(183)))
        allowed = b.allowsRequest(at: at(183))
        #expect(allowed)
        // Another: 240 s capped at 150 s.
        b.recordFailure(at: at(200))
        #expect(b.state == .open(until: at(350)))
        allowed = b.allowsRequest(at: at(350))
        #expect(allowed)
        b.recordSuccess()
        #expect(b.state == .closed)
        #expect(b.consecutiveFailures == 0)
        // Back to the base pause after a success.
        b.recordFailure(at: at(400)); b.recordFailure(at: at(401)); b.recordFailure(at: at(402))
        #expect(b.state == .open(until: at(462)))
    }

    @Test("a run on time keeps the grid; an overrun skips missed ticks instead of bursting")
    func schedule() {
        var s = Schedule<Instant>(interval: .seconds(60), firstDue: at(0))
        s.advance(now: at(0))
        #expect(s.nextDue == at(60))
        s.advance(now: at(61))
        #expect(s.nextDue == at(120))
        // Woke at 300 (a run took 4 minutes): next at 360, not 180, 240, 300 in a burst.
        s.advance(now: at(300))
        #expect(s.nextDue == at(360))
    }
}
