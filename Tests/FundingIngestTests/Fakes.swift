import Foundation
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Synchronization

/// A venue that does nothing: the workers only need its name.
struct NamedVenue: VenueAdapter {
    static let descriptor = DexDescriptor(name: "x", displayName: "X", kind: .dex, defaultBaseURL: "http://x",
                                          defaultFundingIntervalHours: 1)
    func fetch(client: some HTTPFetching, baseURL: String, now: Date) async throws -> VenueFetchResult {
        VenueFetchResult()
    }
}

/// Schedules are keyed by the base URL in these tests (the adapter's name is fixed).
func schedule(_ name: String, every interval: Duration) -> DexSchedule {
    DexSchedule(adapter: NamedVenue(), baseURL: name, interval: interval)
}

func run(_ dex: String, _ status: CollectionRun.Status = .success) -> CollectionRun {
    CollectionRun(dex: dex, startedAt: Date(), finishedAt: Date(), status: status, marketsOk: 1, marketsRejected: 0,
                  error: status == .failed ? "boom" : nil, latencyMs: 1)
}

/// A collector whose answer per source is scripted; `hang` sources never answer until cancelled.
final class FakeCollector: DexCollecting {
    private let state = Mutex<(calls: [String: Int], failing: Set<String>, hanging: Set<String>)>(([:], [], []))

    init(failing: Set<String> = [], hanging: Set<String> = []) {
        state.withLock {
            $0.failing = failing
            $0.hanging = hanging
        }
    }

    func calls(_ source: String) -> Int { state.withLock { $0.calls[source, default: 0] } }

    func collect(_ dex: DexSchedule) async -> DexCollection {
        let source = dex.baseURL
        let (hang, fail) = state.withLock { s -> (Bool, Bool) in
            s.calls[source, default: 0] += 1
            return (s.hanging.contains(source), s.failing.contains(source))
        }
        if hang {
            // Like a venue that never answers: only cancellation ends it.
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        }
        return DexCollection(snapshots: [], run: run(source, fail ? .failed : .success))
    }
}

/// A store that records writes; it can be told to fail transiently, refuse some sources, or hang.
final class FakeStore: CycleStore {
    struct Refusal: WriteRefusal {}
    struct Down: Error {}

    private struct State {
        var written: [[String]] = []
        var down = false
        var hang = false
        var refuse: Set<String> = []
        var attempts = 0
        var lostConnections = 0
        var timeoutAboveCycles = Int.max
    }
    private let state = Mutex(State())

    var written: [[String]] { state.withLock { $0.written } }
    var attempts: Int { state.withLock { $0.attempts } }
    func setDown(_ down: Bool) { state.withLock { $0.down = down } }
    func setHang(_ hang: Bool) { state.withLock { $0.hang = hang } }
    func refuse(_ source: String) { state.withLock { _ = $0.refuse.insert(source) } }
    /// The next `n` writes fail as if the backend had been terminated mid-write.
    func loseConnections(_ n: Int) { state.withLock { $0.lostConnections = n } }
    struct LostConnection: Error {}
    /// Writes merging more than `n` cycles run out of time (a transaction too large for the write deadline).
    func timeOut(aboveCycles n: Int) { state.withLock { $0.timeoutAboveCycles = n } }

    func write(_ cycle: PendingCycle) async throws -> CycleWriteResult {
        let dexes = cycle.runs.map(\.dex)
        let (down, hang, refused, lost, tooLarge) = state.withLock { s -> (Bool, Bool, Bool, Bool, Bool) in
            s.attempts += 1
            let lost = s.lostConnections > 0
            if lost { s.lostConnections -= 1 }
            return (s.down, s.hang, !s.refuse.isDisjoint(with: dexes), lost, cycle.runs.count > s.timeoutAboveCycles)
        }
        if lost { throw LostConnection() }
        if hang {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            throw CancellationError()
        }
        if down { throw DatabaseUnreachable(Down()) }
        if tooLarge { throw DeadlineExceeded(operation: "cycle write", limit: .seconds(30)) }
        if refused { throw Refusal() }
        state.withLock { $0.written.append(dexes) }
        return CycleWriteResult(rowsStaged: 0, rowsInserted: 0, rowsDuplicate: 0, rowsTooOld: 0, marketsCreated: 0,
                                symbolsCreated: 0)
    }
}

/// A lock whose answer the test sets.
final class FakeLeader: LeaderElecting {
    private let state: Mutex<(answer: LeaderCheck, checks: Int, released: Bool)>
    init(_ answer: LeaderCheck) { state = Mutex((answer, 0, false)) }
    func set(_ answer: LeaderCheck) { state.withLock { $0.answer = answer } }
    var checks: Int { state.withLock { $0.checks } }
    var released: Bool { state.withLock { $0.released } }
    func check() async -> LeaderCheck {
        state.withLock {
            $0.checks += 1
            return $0.answer
        }
    }
    func release() async { state.withLock { $0.released = true } }
}
