import Foundation
import FundingApp
import FundingCore
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Fault drills of the ingest core against real PostgreSQL: the database stopped and restarted (within and beyond
/// the buffer), writer backends terminated while staging a cycle and during `ingest_apply`, a restart with a second daemon
/// waiting, a venue hanging, and the daemon killed with SIGKILL mid-cycle. Each checks that every collected cycle
/// is written or counted as dropped, that no cycle is written twice or in part, that one daemon leads, and that
/// SIGTERM ends the service within seconds. Every wait is bounded; `scripts/test.sh` runs the binary under an
/// outer `timeout` as well.
@Suite("Ingest fault drills", .serialized)
struct IngestFaultDrillTests {
    static let logger = Logger(label: "drill")

    // MARK: - The database stopped and restarted

    @Test("database stopped for several cycles within the buffer: every cycle written once, whole",
          .timeLimit(.minutes(3)))
    func outageWithinBuffer() async throws {
        try await withOwnCluster { cluster in
            let url = try cluster.url(role: .writer)
            let stats = try await withFixtureServer { port in
                let config = try fixtureConfig(port: port, database: url, extra: [
                    "FUNDINGD_DEXES": "binance,hyperliquid", "FUNDINGD_INTERVAL_SECONDS": "1",
                ])
                let ingest = try buildIngest(config, url: url, dexes: nil, logger: Self.logger)
                return try await Self.running(ingest) {
                    try await waitUntil("first cycles written") { ingest.stats.cyclesWritten >= 2 }
                    try await offload { try cluster.stop() }
                    let atStop = ingest.stats.cyclesCollected
                    try await waitUntil("6 cycles collected while down") {
                        ingest.stats.cyclesCollected >= atStop + 6
                    }
                    #expect(ingest.buffer.count >= 4)
                    let collectedWhileDown = ingest.stats.cyclesCollected
                    try await offload { try cluster.start() }
                    try await waitUntil("every cycle collected while down written") {
                        ingest.stats.cyclesWritten >= collectedWhileDown
                    }
                }
            }
            #expect(stats.cyclesDropped == 0)
            #expect(stats.cyclesWritten == stats.cyclesCollected)
            #expect(stats.shutdownSeconds < 5)
            try await Self.checkWholeCycles(url: try cluster.url(role: .reader), writtenCycles: stats.cyclesWritten,
                                            rowsPerRun: ["binance": 373, "hyperliquid": 5])
        }
    }

    @Test("database stopped beyond the buffer: the oldest cycles are dropped and counted, the rest written",
          .timeLimit(.minutes(3)))
    func outageBeyondBuffer() async throws {
        try await withOwnCluster { cluster in
            let url = try cluster.url(role: .writer)
            let stats = try await withFixtureServer { port in
                let config = try fixtureConfig(port: port, database: url, extra: [
                    "FUNDINGD_DEXES": "hyperliquid", "FUNDINGD_INTERVAL_SECONDS": "1", "FUNDINGD_BUFFER_CYCLES": "2",
                ])
                let ingest = try buildIngest(config, url: url, dexes: nil, logger: Self.logger)
                return try await Self.running(ingest) {
                    try await waitUntil("first cycle written") { ingest.stats.cyclesWritten >= 1 }
                    try await offload { try cluster.stop() }
                    let atStop = ingest.stats.cyclesCollected
                    try await waitUntil("5 cycles collected while down") {
                        ingest.stats.cyclesCollected >= atStop + 5
                    }
                    #expect(ingest.buffer.count == 2)
                    let collectedWhileDown = ingest.stats.cyclesCollected
                    try await offload { try cluster.start() }
                    try await waitUntil("the buffer written") {
                        let s = ingest.stats.snapshot
                        return s.cyclesWritten + s.cyclesDropped >= collectedWhileDown
                    }
                }
            }
            #expect(stats.cyclesDropped >= 3)
            #expect(stats.cyclesWritten + stats.cyclesDropped == stats.cyclesCollected)
            #expect(stats.shutdownSeconds < 5)
            try await Self.checkWholeCycles(url: try cluster.url(role: .reader), writtenCycles: stats.cyclesWritten,
                                            rowsPerRun: ["hyperliquid": 5])
        }
    }

    // MARK: - Backends terminated mid-write

    @Test("writer backends terminated while staging and during ingest_apply: nothing lost, nothing partial",
          .timeLimit(.minutes(3)))
    func backendsTerminatedMidWrite() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let writerURL = try db.writerURL
        // Cycles of 5,000 synthetic Binance markets (a large venue set), so staging and ingest_apply each last long
        // enough to be caught by a 5 ms poll.
        let collector = SyntheticCollector(markets: 5_000)
        var settings = IngestService.Settings()
        settings.writeRetry = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(50), maxDelay: .milliseconds(200))
        let ingest = IngestService(
            schedules: [DexSchedule(adapter: BinanceAdapter(), baseURL: "unused", interval: .seconds(3))],
            collector: collector, store: PostgresCycleStore(url: writerURL, logger: Self.logger),
            leader: LeaderLock(url: writerURL, logger: Self.logger), settings: settings, logger: Self.logger)
        let admin = try db.adminURL
        let stats = try await Self.running(ingest) {
            try await waitUntil("first cycle written") { ingest.stats.cyclesWritten >= 1 }
            let kills = try await Self.terminateWriter(admin: admin, database: db.name, stage: 2, apply: 2,
                                                       within: .seconds(60))
            #expect(kills.stage >= 2)
            #expect(kills.apply >= 2)
            let collectedDuringKills = ingest.stats.cyclesCollected
            try await waitUntil("every cycle collected during the kills written") {
                ingest.stats.cyclesWritten >= collectedDuringKills
            }
        }
        #expect(stats.cyclesWritten + stats.cyclesDropped == stats.cyclesCollected)
        #expect(stats.shutdownSeconds < 5)
        try await Self.checkWholeCycles(url: try db.readerURL, writtenCycles: stats.cyclesWritten,
                                        rowsPerRun: ["binance": 5_000])
    }

    // MARK: - Leadership across a restart

    @Test("a restart with a second daemon waiting: one leader before and after, both stop on SIGTERM",
          .timeLimit(.minutes(3)))
    func restartWithSecondDaemon() async throws {
        try await withOwnCluster { cluster in
            let url = try cluster.url(role: .writer)
            try await withFixtureServer { port in
                let config = try fixtureConfig(port: port, database: url, extra: [
                    "FUNDINGD_DEXES": "hyperliquid", "FUNDINGD_INTERVAL_SECONDS": "1",
                ])
                func daemon() throws -> IngestService {
                    var settings = IngestService.Settings()
                    settings.leaderCheckInterval = .seconds(1)
                    return IngestService(
                        schedules: try config.dexSchedules(), collector: DexCollector(
                            fetcher: AsyncHTTPFetcher(timeout: .seconds(2), logger: Self.logger), logger: Self.logger),
                        store: PostgresCycleStore(url: url, logger: Self.logger),
                        leader: LeaderLock(url: url, timeout: .seconds(2), logger: Self.logger),
                        settings: settings, logger: Self.logger)
                }
                let a = try daemon(), b = try daemon()
                let groupA = ServiceGroup(configuration: .init(services: [a], logger: Self.logger))
                let groupB = ServiceGroup(configuration: .init(services: [b], logger: Self.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await groupA.run() }
                    try await waitUntil("A leads and writes") { a.stats.snapshot.isLeader && a.stats.cyclesWritten >= 1 }
                    tasks.addTask { try await groupB.run() }
                    try await Task.sleep(for: .seconds(3))
                    #expect(!b.stats.snapshot.isLeader)
                    #expect(b.stats.cyclesCollected == 0)

                    try await offload { try cluster.stop() }
                    try await Task.sleep(for: .seconds(4))
                    try await offload { try cluster.start() }
                    try await waitUntil("one leader again") {
                        a.stats.snapshot.isLeader != b.stats.snapshot.isLeader
                    }
                    // Give the loser one check interval to learn it lost, then watch: never two leaders.
                    try await Task.sleep(for: .seconds(2))
                    var samples = 0
                    var bothOrNone = 0
                    let watchUntil = ContinuousClock.now + .seconds(5)
                    while ContinuousClock.now < watchUntil {
                        if a.stats.snapshot.isLeader == b.stats.snapshot.isLeader { bothOrNone += 1 }
                        samples += 1
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(samples >= 20)  // about 50 at 100 ms; fewer when the machine is saturated
                    #expect(bothOrNone == 0)
                    // The database holds exactly one ingest lock.
                    let locks = try await Self.scalar(try cluster.url(role: .admin), """
                        SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                          AND objid::bigint = \(LeaderLock.defaultKey & 0xffff_ffff)
                        """)
                    #expect(locks == 1)

                    let stop = ContinuousClock.now
                    await groupA.triggerGracefulShutdown()
                    await groupB.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    #expect(ContinuousClock.now - stop < .seconds(5))
                }
            }
        }
    }

    // MARK: - A hanging venue

    @Test("a hanging venue (25 s, longer than the whole observation) delays no other venue; SIGTERM still ends the service",
          .timeLimit(.minutes(3)))
    func hangingVenue() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let url = try db.writerURL
        let stats = try await withFixtureServer(faults: ["okx": .hang(.seconds(25))]) { port in
            let config = try fixtureConfig(port: port, database: url, extra: [
                "FUNDINGD_DEXES": "okx,hyperliquid,bybit", "FUNDINGD_INTERVAL_SECONDS": "1",
                "FUNDINGD_REQUEST_TIMEOUT_SECONDS": "60", "FUNDINGD_VENUE_DEADLINE_SECONDS": "60",
            ])
            let ingest = try buildIngest(config, url: url, dexes: nil, logger: Self.logger)
            return try await Self.running(ingest) {
                try await waitUntil("first cycles written") { ingest.stats.cyclesWritten >= 2 }
                try await Task.sleep(for: .seconds(10))
                #expect(ingest.stats.cyclesCollected >= 10)
            }
        }
        #expect(stats.shutdownSeconds < 5)
        let runs = try await Self.runsPerDex(try db.readerURL)
        // okx hangs longer than the whole run, so it finished no cycle. Had the healthy venues waited for it (as
        // one shared cycle did), they would have one cycle at most; with a 1 s interval over about 11 s they have
        // many (at least 5 even when the test machine is saturated).
        #expect(runs["okx", default: 0] == 0)
        #expect(runs["hyperliquid", default: 0] >= 5)
        #expect(runs["bybit", default: 0] >= 5)
    }

    // MARK: - SIGKILL mid-cycle

    @Test("the daemon killed with SIGKILL mid-cycle and restarted: no partial cycle; SIGTERM ends it",
          .timeLimit(.minutes(3)))
    func sigkillAndRestart() async throws {
        let binary = TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/fundingd").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestSetupError(description: "\(binary) missing: `swift build` builds it")
        }
        let db = try await TestDatabase.make()
        defer { db.drop() }
        let url = try db.writerURL
        try await withFixtureServer { port in
            var env = ProcessInfo.processInfo.environment
            env["DATABASE_URL"] = url.urlString
            env["FUNDINGD_SQL_DIR"] = TestDatabase.repositoryRoot.path
            env["FUNDINGD_DEXES"] = "binance,hyperliquid"
            env["FUNDINGD_INTERVAL_SECONDS"] = "1"
            for name in Venues.names { env["FUNDINGD_\(name.uppercased())_BASE_URL"] = "http://127.0.0.1:\(port)/\(name)" }
            let reader = try db.readerURL
            let first = try ChildProcess(binary, ["ingest", "--no-migrate"], environment: env)
            defer { first.kill(SIGKILL) }
            try await waitUntil("first daemon wrote 4 runs") { (try? await Self.runsPerDex(reader).values.reduce(0, +)) ?? 0 >= 4 }
            first.kill(SIGKILL)
            #expect(try await first.wait(timeout: .seconds(5)) != nil)
            let before = try await Self.runsPerDex(reader).values.reduce(0, +)
            let second = try ChildProcess(binary, ["ingest", "--no-migrate"], environment: env)
            defer { second.kill(SIGKILL) }
            try await waitUntil("second daemon writes") {
                (try? await Self.runsPerDex(reader).values.reduce(0, +)) ?? 0 >= before + 4
            }
            let stop = ContinuousClock.now
            second.kill(SIGTERM)
            let status = try await second.wait(timeout: .seconds(5))
            #expect(status == 0)
            #expect(ContinuousClock.now - stop < .seconds(5))
        }
        // Whatever the kill interrupted was rolled back: every run's rows are all there.
        let runs = try await Self.runsPerDex(try db.readerURL)
        try await Self.checkWholeCycles(url: try db.readerURL, writtenCycles: runs.values.reduce(0, +),
                                        rowsPerRun: ["binance": 373, "hyperliquid": 5])
    }
}

// MARK: - Support

extension IngestFaultDrillTests {
    struct RunStats: Sendable {
        var cyclesCollected: Int
        var cyclesWritten: Int
        var cyclesDropped: Int
        var shutdownSeconds: Double
    }

    /// Runs `ingest` in a service group while `body` runs, then SIGTERM-style graceful shutdown, timed.
    static func running(_ ingest: IngestService, _ body: @Sendable () async throws -> Void) async throws -> RunStats {
        let group = ServiceGroup(configuration: .init(services: [ingest], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            let stop = ContinuousClock.now
            try await step("stop ingest") {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let elapsed = ContinuousClock.now - stop
            let s = ingest.stats.snapshot
            return RunStats(cyclesCollected: s.cyclesCollected, cyclesWritten: s.cyclesWritten,
                            cyclesDropped: s.cyclesDropped,
                            shutdownSeconds: Double(elapsed.components.seconds)
                                + Double(elapsed.components.attoseconds) / 1e18)
        }
    }

    /// Every run in `collection_runs` is one written cycle (none twice), and every run's sample time has exactly
    /// the dex's number of rows (none written in part).
    static func checkWholeCycles(url: DatabaseURL, writtenCycles: Int, rowsPerRun: [String: Int]) async throws {
        try await step("check whole cycles") {
            try await checkWholeCyclesNow(url: url, writtenCycles: writtenCycles, rowsPerRun: rowsPerRun)
        }
    }

    private static func checkWholeCyclesNow(url: DatabaseURL, writtenCycles: Int, rowsPerRun: [String: Int])
        async throws
    {
        let runs = try await runsPerDex(url)
        #expect(runs.values.reduce(0, +) == writtenCycles)
        let duplicates = try await scalar(url, """
            SELECT count(*)::int FROM (SELECT dex, started_at FROM collection_runs GROUP BY 1, 2 HAVING count(*) > 1) x
            """)
        #expect(duplicates == 0)
        for (dex, rows) in rowsPerRun {
            let times = try await scalar(url, """
                SELECT count(DISTINCT f.time)::int FROM funding_rates f JOIN markets m ON m.id = f.market_id
                JOIN dexes d ON d.id = m.dex_id WHERE d.name = \(dex)
                """)
            #expect(times == runs[dex, default: 0], "\(dex): one sample time per written run")
            let partial = try await scalar(url, """
                SELECT count(*)::int FROM (
                    SELECT f.time FROM funding_rates f JOIN markets m ON m.id = f.market_id
                    JOIN dexes d ON d.id = m.dex_id WHERE d.name = \(dex)
                    GROUP BY f.time HAVING count(*) <> \(rows)) x
                """)
            #expect(partial == 0, "\(dex): every sample time has \(rows) rows")
        }
    }

    static func runsPerDex(_ url: DatabaseURL) async throws -> [String: Int] {
        try await withConnection(url) { conn in
            var counts: [String: Int] = [:]
            let rows = try await conn.query("SELECT dex, count(*)::int FROM collection_runs GROUP BY dex",
                                            logger: logger)
            for try await (dex, n) in rows.decode((String, Int).self) { counts[dex] = n }
            return counts
        }
    }

    static func scalar(_ url: DatabaseURL, _ query: PostgresQuery) async throws -> Int {
        try await withConnection(url) { conn in
            var value = 0
            for try await n in try await conn.query(query, logger: logger).decode(Int.self) { value = n }
            return value
        }
    }

    static func withConnection<T: Sendable>(_ url: DatabaseURL, _ body: (PostgresConnection) async throws -> T)
        async throws -> T
    {
        var configuration = try url.connectionConfiguration()
        configuration.options.connectTimeout = .seconds(3)
        // A check query never waits on the drill's server for long (it just restarted; the suite shares two cores).
        configuration.options.additionalStartupParameters = [("statement_timeout", "30s")]
        let conn = try await PostgresConnection.connect(configuration: configuration, id: 7, logger: logger)
        do {
            let value = try await body(conn)
            try? await conn.close()
            return value
        } catch {
            try? await conn.close()
            throw error
        }
    }

    /// Terminates the writer's backend each time it is seen staging a cycle (`ingest_stage`, until `stage` kills)
    /// or in `ingest_apply` (until `apply` kills), within `within`.
    static func terminateWriter(admin: DatabaseURL, database: String, stage: Int, apply: Int, within: Duration)
        async throws -> (stage: Int, apply: Int)
    {
        try await withConnection(admin) { conn in
            var kills = (stage: 0, apply: 0)
            let deadline = ContinuousClock.now + within
            while (kills.stage < stage || kills.apply < apply) && ContinuousClock.now < deadline {
                let rows = try await conn.query("""
                    SELECT pid, query FROM pg_stat_activity
                    WHERE datname = \(database) AND application_name = 'fundingd-writer' AND state = 'active'
                    """, logger: logger)
                for try await (pid, query) in rows.decode((Int32, String).self) {
                    let isStage = query.contains("ingest_stage")
                    let isApply = query.contains("ingest_apply")
                    guard (isStage && kills.stage < stage) || (isApply && kills.apply < apply) else { continue }
                    var terminated = false
                    for try await ok in try await conn.query("SELECT pg_terminate_backend(\(pid))", logger: logger)
                        .decode(Bool.self) { terminated = ok }
                    if terminated {
                        if isStage { kills.stage += 1 } else { kills.apply += 1 }
                    }
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            return kills
        }
    }
}

/// A cluster of the drill's own (a temporary home, a free port from a random start), started and migrated for
/// `body`, then stopped and removed: stopping it disturbs no other test.
func withOwnCluster<T: Sendable>(_ body: @Sendable (LocalCluster) async throws -> T) async throws -> T {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("fundingd-drill-\(UUID().uuidString)")
    let cluster = LocalCluster(environment: [
        "FUNDINGD_HOME": home.path, "FUNDINGD_PG_PORT": "\(Int.random(in: 56_000...59_000))",
    ])
    // Stopped off the cooperative pool (pg_ctl blocks until the server is down), whether `body` threw or not.
    func tearDown() async {
        await step("stop the drill's cluster") { _ = try? await offload { try cluster.stop() } }
        try? FileManager.default.removeItem(at: home)
    }
    let result: Result<T, any Error>
    do {
        try await offload { try cluster.start() }
        try await DatabaseSetup.migrate(url: try cluster.url(role: .owner),
                                        source: SQLSource(root: TestDatabase.repositoryRoot), logger: TestDatabase.logger)
        result = .success(try await body(cluster))
    } catch {
        result = .failure(error)
    }
    await tearDown()
    return try result.get()
}

/// Runs `body` and names it in the log when it takes longer than `warnAfter` (again every `warnAfter`, until it
/// ends): a drill that overruns its time limit then says which step held it.
func step<T: Sendable>(_ name: String, warnAfter: Duration = .seconds(10),
                       _ body: () async throws -> T) async rethrows -> T {
    let start = ContinuousClock.now
    let watchdog = Task {
        while !Task.isCancelled {
            try await Task.sleep(for: warnAfter)
            IngestFaultDrillTests.logger.warning("drill step still running",
                                                 metadata: ["step": "\(name)", "elapsed": "\(ContinuousClock.now - start)"])
        }
    }
    defer { watchdog.cancel() }
    return try await body()
}

/// Polls `condition` every 100 ms until it holds, failing after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw TestSetupError(description: "not reached in time: \(what)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// A collector producing `markets` synthetic Binance markets per run, stamped like the real one.
struct SyntheticCollector: DexCollecting {
    let markets: Int

    func collect(_ dex: DexSchedule) async -> DexCollection {
        let now = Date()
        let snapshots = (0..<markets).map { i in
            MarketSnapshot(dex: "binance", dexSymbol: "SYN\(i)USDT", symbol: "SYN\(i)", quote: "USDT", time: now,
                           fundingRate: 0.0001, fundingIntervalHours: 8, markPrice: 1 + Double(i % 100) / 100,
                           openInterestUSD: 1_000_000, volume24hUSD: 5_000_000)
        }
        return DexCollection(
            snapshots: snapshots,
            run: CollectionRun(dex: "binance", startedAt: now, finishedAt: Date(), status: .success,
                               marketsOk: markets, marketsRejected: 0, error: nil, latencyMs: 1))
    }
}

/// A child process started with posix_spawn, for the SIGKILL drill.
final class ChildProcess: Sendable {
    let pid: pid_t

    init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, nil, nil, argv, envp)
        guard rc == 0 else { throw TestSetupError(description: "posix_spawn \(path): \(rc)") }
        self.pid = pid
    }

    func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// The exit status (or 128 + signal), or nil when it did not exit within `timeout`.
    func wait(timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if rc < 0 { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}
