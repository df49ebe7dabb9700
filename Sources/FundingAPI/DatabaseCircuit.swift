import Foundation
import Synchronization

/// Fails database calls at once while the database is known to be away, so requests answer 503 in milliseconds
/// instead of queueing for a connection that cannot come.
///
/// Closed: every call goes through. A call that could not get a connection (checkout deadline passed, connection
/// refused or lost) opens the circuit for `openDuration`: calls then fail immediately with the reason. After that
/// one call at a time is let through as a probe (the others still fail fast); its success closes the circuit, its
/// failure opens it again. Query errors (bad parameters, statement timeouts) say nothing about availability and
/// leave the circuit alone.
public final class DatabaseCircuit: Sendable {
    struct State {
        var openUntil: ContinuousClock.Instant?
        var probing = false
        var reason: String?
        var trips = 0
    }

    public let openDuration: Duration
    private let state = Mutex(State())

    public init(openDuration: Duration = .seconds(2)) {
        self.openDuration = openDuration
    }

    /// Throws `databaseUnavailable` (with the last reason) while open; lets one probe through once the open period
    /// has passed.
    func admit() throws {
        let refused: String? = state.withLock { s in
            guard let until = s.openUntil else { return nil }
            if ContinuousClock.now < until || s.probing { return s.reason ?? "unavailable" }
            s.probing = true
            return nil
        }
        if let refused { throw APIError.databaseUnavailable(refused) }
    }

    func succeeded() {
        state.withLock { s in
            s.openUntil = nil
            s.probing = false
            s.reason = nil
        }
    }

    func failed(_ reason: String) {
        state.withLock { s in
            if s.openUntil == nil { s.trips += 1 }
            s.openUntil = ContinuousClock.now + openDuration
            s.probing = false
            s.reason = reason
        }
    }

    /// A call that ended without saying anything about availability (cancelled, say): a probe slot is given back.
    func released() {
        state.withLock { $0.probing = false }
    }

    /// Why the database is considered away, or nil while the circuit is closed.
    public var openReason: String? {
        state.withLock { $0.openUntil == nil ? nil : ($0.reason ?? "unavailable") }
    }

    /// How many times the circuit opened since start.
    public var trips: Int { state.withLock { $0.trips } }
}
