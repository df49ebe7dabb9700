import Foundation
import FundingApp
import FundingIngest
import FundingStore
import FundingVenues
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// The repository's recordings, served over HTTP at each venue's real paths.
let fixtureCatalog: FixtureCatalog = {
    do { return try FixtureCatalog(directory: TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures")) }
    catch { fatalError("fixture catalog: \(error)") }
}()

/// Runs a fixture server for the duration of `body`, passing its port. The server is shut down gracefully (it
/// stops accepting, then finishes what is in flight): cancelling it while a client connects trips NIO's
/// "Deinited NIOAsyncWriter without calling finish()".
func withFixtureServer<T: Sendable>(faults: [String: FixtureFault] = [:], server: FixtureServer? = nil,
                                    _ body: @Sendable (Int) async throws -> T) async throws -> T {
    let server = server ?? FixtureServer(catalog: fixtureCatalog, faults: faults)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let logger = Logger(label: "fixture-server")
    let app = server.application(logger: logger) { port in continuation.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask { try await group.run(); return nil }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestSetupError(description: "fixture server did not start") }
        let result: Result<T, any Error>
        do { result = .success(try await body(port)) } catch { result = .failure(error) }
        try await step("stop the fixture server") {
            await group.triggerGracefulShutdown()
            // Bounded: once (1 drill run in 15 on CI, 2026-12-02) the graceful stop never finished after the
            // daemons had stopped, holding the drill until its time limit; cause not found (a connection the
            // shared HTTP client kept open is the suspect). After 20 s the server is cancelled instead. No client
            // is connecting by then, so the NIO trap above does not apply.
            let stopStarted = ContinuousClock.now
            tasks.addTask { try await Task.sleep(for: .seconds(20)); return nil }
            _ = try await tasks.next()
            if ContinuousClock.now - stopStarted >= .seconds(20) {
                logger.warning("fixture server: graceful stop took over 20 s; cancelling it")
            }
            tasks.cancelAll()
            do { try await tasks.waitForAll() } catch is CancellationError {}
        }
        return try result.get()
    }
}

/// Configuration pointing every venue at the fixture server and the database at `url`.
func fixtureConfig(port: Int, database url: DatabaseURL, extra: [String: String] = [:]) throws -> FundingConfig {
    // Generous: the whole suite runs at once on two cores, and Binance alone is some 380 requests. Tests of
    // timeouts and deadlines set their own.
    var env = ["DATABASE_URL": url.urlString, "FUNDINGD_REQUEST_TIMEOUT_SECONDS": "5",
               "FUNDINGD_VENUE_DEADLINE_SECONDS": "30", "FUNDINGD_RETRY_ATTEMPTS": "2"]
    for name in Venues.names { env["FUNDINGD_\(name.uppercased())_BASE_URL"] = "http://127.0.0.1:\(port)/\(name)" }
    env.merge(extra) { $1 }
    return try FundingConfig(environment: env)
}

/// Market counts per dex produced from the recordings, as the adapter tests establish them by hand.
let expectedMarkets = ["binance": 373, "bybit": 1, "edgex": 8, "grvt": 1, "hyperliquid": 5, "lighter": 1, "okx": 1,
                       "paradex": 2, "binance_coinm": 1, "dydx": 3, "drift": 1, "aster": 1,
                       // CEX venues of issue 11 (see each adapter test's fetchThroughRecordedRoutes)
                       "gate": 1, "kucoin": 1, "mexc": 1, "bitget": 1, "bitmex": 2, "deribit": 1, "phemex": 1,
                       "kraken": 2, "pacifica": 1, "backpack": 8, "hibachi": 5]

/// Run statuses from the recordings: a venue whose recordings lack some answers (a failed sub-request) or list a
/// market without its required data (a drop) is `partial`; rows missing only optional fields are not.
let expectedStatuses = [
    "binance": "success",      // open interest recorded for BTCUSDT only: degraded rows, no market lost
    "bybit": "partial",        // the linear category has no recording
    "edgex": "success",        // one ticker recorded: degraded rows
    "grvt": "partial",         // 5 of 6 tickers not recorded
    "hyperliquid": "partial",  // builder dex flx not recorded
    "lighter": "partial",      // BTC has no Lighter funding row (dropped)
    "okx": "partial",          // 2 of 3 funding-rate answers not recorded
    "paradex": "success",
    "binance_coinm": "success",  // docs examples: the perpetual's volume, book and open interest are degraded
    "dydx": "success",
    "drift": "success",
    "aster": "success",        // no bookTicker recording: degraded rows
    "gate": "partial",         // settle btc not recorded; the BTC_USDT ticker has no contract row (dropped)
    "kucoin": "partial",       // the XBTUSDM ticker has no contract row (dropped)
    "mexc": "success",
    "bitget": "partial",       // COIN- and USDC-FUTURES funding not recorded
    "bitmex": "success",       // XBTETH excluded (quoted in ETH), not a problem
    "deribit": "success",
    "phemex": "partial",       // BTCUSDT has no v3 ticker, the ETHUSDT ticker no product (both dropped)
    "kraken": "success",
    "pacifica": "success",
    "backpack": "partial",     // IP_USDC_PERP (orderBookState Closed) has no mark price (dropped)
    "hibachi": "success",      // FARTCOIN/USDT-P closed: excluded, not a problem
]

@Suite("End-to-end ingest against the fixture server")
struct EndToEndIngestTests {
    @Test("fundingd ingest --once fills the database from every venue's recordings")
    func onceFromFixtures() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await ingestFixtures(into: db)
        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.query("""
                SELECT d.name, count(*)::int FROM funding_rates f JOIN markets m ON m.id = f.market_id
                JOIN dexes d ON d.id = m.dex_id GROUP BY d.name ORDER BY d.name
                """, logger: TestDatabase.logger)
            var counts: [String: Int] = [:]
            for try await (dex, n) in rows.decode((String, Int).self) { counts[dex] = n }
            #expect(counts == expectedMarkets)

            // Binance BTCUSDT, worked out from premium-index-all.json and open-interest.json:
            // lastFundingRate 0.00013062 per 8h; mark 93951.8; OI 10659.509 BTC × 93951.8 = 1,001,480,057.6662 USD.
            let btc = try await conn.query("""
                SELECT f.funding_rate, f.funding_interval_hours, f.mark_price, f.index_price, f.open_interest_base,
                       f.open_interest_usd
                FROM funding_rates f JOIN markets m ON m.id = f.market_id JOIN dexes d ON d.id = m.dex_id
                WHERE d.name = 'binance' AND m.dex_symbol = 'BTCUSDT'
                """, logger: TestDatabase.logger)
            var found = 0
            for try await (rate, interval, mark, index, oiBase, oiUSD) in
                btc.decode((Double, Double, Double, Double, Double?, Double?).self) {
                found += 1
                #expect(rate == 0.00013062)
                #expect(interval == 8)
                #expect(mark == 93951.8)
                #expect(index == 93902.89680851)
                #expect(oiBase == 10659.509)
                #expect(abs((oiUSD ?? 0) - 1_001_480_057.6662) < 1e-3)
            }
            #expect(found == 1)

            // 1000PEPEUSDT: the multiplier market, symbol PEPE.
            let pepe = try await conn.query("""
                SELECT s.symbol, m.multiplier, f.funding_rate, f.mark_price FROM funding_rates f
                JOIN markets m ON m.id = f.market_id JOIN dexes d ON d.id = m.dex_id JOIN symbols s ON s.id = m.symbol_id
                WHERE d.name = 'binance' AND m.dex_symbol = '1000PEPEUSDT'
                """, logger: TestDatabase.logger)
            var pepeRows = 0
            for try await (symbol, multiplier, rate, mark) in pepe.decode((String, Double, Double, Double).self) {
                pepeRows += 1
                #expect(symbol == "PEPE")
                #expect(multiplier == 1000)
                #expect(rate == 0.0001)
                #expect(mark == 0.0183524)
            }
            #expect(pepeRows == 1)

            // Kraken PI_XBTUSD: the absolute funding amount became a fraction in the database:
            // -3.995839963e-09 BTC per 1-USD contract per hour × mark 91,506.6009839176 = -0.000365645733089833 per 1 h.
            let kraken = try await conn.query("""
                SELECT f.funding_rate, f.funding_interval_hours, f.open_interest_usd FROM funding_rates f
                JOIN markets m ON m.id = f.market_id JOIN dexes d ON d.id = m.dex_id
                WHERE d.name = 'kraken' AND m.dex_symbol = 'PI_XBTUSD'
                """, logger: TestDatabase.logger)
            var krakenRows = 0
            for try await (rate, interval, oiUSD) in kraken.decode((Double, Double, Double?).self) {
                krakenRows += 1
                #expect(abs(rate - -0.000365645733089833) < 1e-15)
                #expect(interval == 1)
                #expect(oiUSD == 21_279_580)
            }
            #expect(krakenRows == 1)

            let runs = try await conn.query(
                "SELECT dex, status, markets_ok FROM collection_runs ORDER BY dex", logger: TestDatabase.logger)
            var statuses: [String: (String, Int)] = [:]
            for try await (dex, status, ok) in runs.decode((String, String, Int).self) { statuses[dex] = (status, ok) }
            #expect(statuses.mapValues(\.1) == expectedMarkets)
            #expect(statuses.mapValues(\.0) == expectedStatuses)
        }
    }

    @Test("a 500, a truncated payload, a hanging venue and an absurd rate cost only those venues' rows")
    func faultsCostOnlyTheFaultyVenue() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        // BTC on Hyperliquid (the market with mark 14.3161) is told to charge 10 per hour.
        let absurd: FixtureFault = .rewrite { body in
            body.replacingOccurrences(of: #""funding":"0.0000125",(\s*"impactPxs":\[\s*"14.3047")"#,
                                      with: #""funding":"10",$1"#, options: .regularExpression)
        }
        try await ingestFixtures(into: db, faults: ["okx": .status(500), "edgex": .truncate,
                                                    "paradex": .hang(.seconds(20)), "hyperliquid": absurd])

        try await db.with(try db.readerURL) { conn in
            let rows = try await conn.query("""
                SELECT d.name, count(*)::int FROM funding_rates f JOIN markets m ON m.id = f.market_id
                JOIN dexes d ON d.id = m.dex_id GROUP BY d.name
                """, logger: TestDatabase.logger)
            var counts: [String: Int] = [:]
            for try await (dex, n) in rows.decode((String, Int).self) { counts[dex] = n }
            // The faulted venues lose their rows (hyperliquid only its absurd BTC row); every other venue keeps its own.
            let faulted: Set<String> = ["okx", "edgex", "paradex", "hyperliquid"]
            let untouched = expectedMarkets.filter { !faulted.contains($0.key) }
            #expect(counts == untouched.merging(["hyperliquid": 4]) { $1 })

            let runs = try await conn.query(
                "SELECT dex, status, markets_ok, markets_rejected, coalesce(error, '') FROM collection_runs",
                logger: TestDatabase.logger)
            var byDex: [String: (String, Int, Int, String)] = [:]
            for try await (dex, status, ok, rejected, error) in runs.decode((String, String, Int, Int, String).self) {
                byDex[dex] = (status, ok, rejected, error)
            }
            #expect(byDex["okx"]?.0 == "failed")
            #expect(byDex["okx"]?.3.contains("HTTP 500") == true)
            #expect(byDex["edgex"]?.0 == "failed")
            #expect(byDex["paradex"]?.0 == "failed")
            // The hanging venue (20 s) was given up on (request timeout, then the deadline), not waited out.
            let paradexLatency = try await conn.scalar(
                "SELECT latency_ms FROM collection_runs WHERE dex = 'paradex'", as: Int.self)
            #expect(paradexLatency < 20_000)
            #expect(byDex["paradex"]?.3.contains("within") == true || byDex["paradex"]?.3.contains("timed out") == true)
            #expect(byDex["hyperliquid"]?.0 == "partial")
            #expect(byDex["hyperliquid"]?.1 == 4)
            #expect(byDex["hyperliquid"]?.2 == 1)
            // The rejection first, then the recordings' missing builder dex (see expectedStatuses).
            #expect(byDex["hyperliquid"]?.3.hasPrefix(
                "rejected 1 absurd_rate; info metaAndAssetCtxs dex=flx failed (HTTP 404 from http://127.0.0.1:") == true)
            #expect(byDex["binance"]?.0 == "success", "\(byDex["binance"]?.3 ?? "")")

            let health = try await conn.query(
                "SELECT name, consecutive_errors, last_error IS NOT NULL FROM dexes WHERE name IN ('okx','edgex','paradex','binance')",
                logger: TestDatabase.logger)
            var errors: [String: (Int, Bool)] = [:]
            for try await (name, n, hasError) in health.decode((String, Int, Bool).self) { errors[name] = (n, hasError) }
            #expect(errors["okx"]?.0 == 1)
            #expect(errors["edgex"]?.0 == 1)
            #expect(errors["paradex"]?.0 == 1)
            #expect(errors["okx"]?.1 == true)
            #expect(errors["binance"]?.0 == 0)
        }
    }
}
