import ArgumentParser
import Foundation
import FundingCore
import FundingStore
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension Bench {
    /// Push latency of the live prices: a replay venue speaking Binance's bookTicker protocol sends every market's
    /// top of book at a fixed rate to a running daemon (`bench/streams.sh` starts it with
    /// `FUNDINGD_BINANCE_STREAM_URL` pointing here), and a client subscribed to the daemon's `/api/v1/ws/prices`
    /// times each pushed row against the moment its frame was written.
    ///
    /// The frame carries its own send time: its bid is 1 + the seconds since the bench started (µs resolution), so
    /// a pushed bid names the frame it came from without a lookup table. Only the newest frame of a market before a
    /// flush is ever pushed (the book keeps the latest state), so the figures are per pushed row.
    struct StreamLatency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stream-latency",
            abstract: "Replay venue + push client: latency from a frame written to its WebSocket push (p50/p99).")

        @Option(help: "Seed this many binance markets (SYM<n>USDT) into DATABASE_URL, then exit.")
        var seed: Int?
        @Option(help: "Port of the replay venue (the daemon's FUNDINGD_BINANCE_STREAM_URL).") var replayPort: Int = 18_765
        @Option(help: "The daemon's HTTP port.") var httpPort: Int = 18_080
        @Option(help: "Updates per second per market.") var rate: Double = 10
        @Option(help: "Seconds of warm-up (not counted), then seconds measured.") var warmup: Double = 10
        @Option(help: "Seconds measured.") var seconds: Double = 20
        @Option(help: "The daemon's pid, for its CPU time over the measured window (/proc/<pid>/stat).")
        var daemonPid: Int?

        func run() async throws {
            if let markets = seed {
                try await Bench.withScratchClient { client, logger in
                    let time = Date()
                    let snapshots = (0..<markets).map { m in
                        let mark = 100 + Double(m % 97) / 10
                        return MarketSnapshot(
                            dex: "binance", dexSymbol: "SYM\(m)USDT", symbol: "SYM\(m)", quote: "USDT", time: time,
                            fundingRate: 0.0001, fundingIntervalHours: 8, markPrice: mark,
                            volume24hUSD: 1e7, bestBid: mark - 0.01, bestAsk: mark + 0.01)
                    }
                    let result = try await CycleWriter(client: client, logger: logger).write(snapshots: snapshots, runs: [])
                    print("seeded \(result.marketsCreated) binance markets")
                }
                return
            }
            let logger = Logger(label: "bench")
            let start = ContinuousClock.now
            let stats = LatencyStats()
            let venue = ReplayVenue(start: start, rate: rate)
            let group = ServiceGroup(configuration: .init(services: [venue.application(port: replayPort, logger: logger)],
                                                          logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                defer { tasks.cancelAll() }
                let measureFrom = start + .seconds(warmup)
                let measureTo = measureFrom + .seconds(seconds)
                tasks.addTask {
                    try await Self.subscribe(port: httpPort, start: start, from: measureFrom, to: measureTo,
                                             stats: stats, logger: logger)
                }
                try await Task.sleep(until: measureFrom)
                let cpu0 = daemonPid.flatMap(Self.cpuSeconds)
                let sent0 = venue.sent.load(ordering: .relaxed)
                try await Task.sleep(until: measureTo)
                let cpu1 = daemonPid.flatMap(Self.cpuSeconds)
                let sent1 = venue.sent.load(ordering: .relaxed)
                try await Task.sleep(for: .seconds(3))   // pushes of frames sent before the window's end
                let s = stats.summary()
                let frames = Double(sent1 - sent0) / seconds
                print(String(format: "stream_latency markets=%d rate_per_market=%.1f frames_per_s_sent=%.0f "
                             + "subscriptions=%d pushes=%d rows_pushed_per_s=%.0f p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f max_ms=%.0f",
                             venue.subscribed, rate, frames, stats.subscriptions, s.pushes, Double(s.rows) / seconds, s.p50, s.p90, s.p99,
                             s.max))
                if let c0 = cpu0, let c1 = cpu1 {
                    print(String(format: "daemon_cpu_s_per_s=%.2f cpu_us_per_frame=%.1f", (c1 - c0) / seconds,
                                 (c1 - c0) / Double(max(1, sent1 - sent0)) * 1e6))
                }
                await group.triggerGracefulShutdown()
            }
        }

        /// Subscribes to the daemon's price pushes (retrying until it answers) and records each pushed row's
        /// latency inside the window.
        static func subscribe(port: Int, start: ContinuousClock.Instant, from: ContinuousClock.Instant,
                              to: ContinuousClock.Instant, stats: LatencyStats, logger: Logger) async throws {
            // The daemon closes a subscriber that falls behind its queue bound; then this client subscribes again
            // (counted) until the window ends.
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < to + .seconds(3), stats.subscriptions > 0 || ContinuousClock.now < deadline {
                do {
                    try await WebSocketClient.connect(
                        url: "ws://127.0.0.1:\(port)/api/v1/ws/prices",
                        configuration: .init(maxFrameSize: 1 << 26), logger: logger
                    ) { inbound, outbound, _ in
                        stats.session()
                        try await outbound.write(.text(#"{"action":"subscribe","filters":{"dexes":["binance"]}}"#))
                        for try await message in inbound.messages(maxSize: 1 << 26) {
                            let now = ContinuousClock.now
                            guard case .text(let text) = message, now >= from, now <= to + .seconds(3) else { continue }
                            // Scanned, not decoded: a 5,000-row push is ~1.6 MB, and a JSON decode of it here
                            // would put this client's own backlog into the figures.
                            guard text.prefix(64).contains(#""type":"update""#) else { continue }
                            let elapsed = Bench.seconds(now - start)
                            let first = Bench.seconds(from - start), last = Bench.seconds(to - start)
                            var latencies: [Double] = []
                            for bid in Self.numbers(after: #""bid":"#, in: text) {
                                let sentAt = bid - 1
                                // Frames sent before the window are warm-up; the window's end bounds the frames.
                                guard sentAt >= first, sentAt <= last else { continue }
                                latencies.append((elapsed - sentAt) * 1000)
                            }
                            stats.add(latencies)
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            if stats.subscriptions > 0 { return }
            throw ValidationError("the daemon's /api/v1/ws/prices on port \(port) did not answer within 120 s")
        }

        /// Every number that follows `key` in `text` (`"bid":12.5,` → 12.5).
        static func numbers(after key: String, in text: String) -> [Double] {
            var values: [Double] = []
            let bytes = Array(text.utf8), pattern = Array(key.utf8)
            var i = 0
            while i + pattern.count < bytes.count {
                if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                    var j = i + pattern.count
                    while j < bytes.count, bytes[j] != UInt8(ascii: ","), bytes[j] != UInt8(ascii: "}") { j += 1 }
                    if let value = Double(String(decoding: bytes[(i + pattern.count)..<j], as: UTF8.self)) {
                        values.append(value)
                    }
                    i = j
                } else {
                    i += 1
                }
            }
            return values
        }

        /// utime + stime of a process, in seconds.
        static func cpuSeconds(_ pid: Int) -> Double? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state is field 3, utime 14, stime 15 (1-based), so indexes 11 and 12 here.
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }
}

/// Latencies of pushed rows (milliseconds).
final class LatencyStats: Sendable {
    private let state = Mutex<(pushes: Int, values: [Double])>((0, []))
    private let sessions = Atomic<Int>(0)

    func session() { sessions.add(1, ordering: .relaxed) }
    var subscriptions: Int { sessions.load(ordering: .relaxed) }

    func add(_ latencies: [Double]) {
        guard !latencies.isEmpty else { return }
        state.withLock { $0.pushes += 1; $0.values += latencies }
    }

    func summary() -> (pushes: Int, rows: Int, p50: Double, p90: Double, p99: Double, max: Double) {
        let (pushes, values) = state.withLock { ($0.pushes, $0.values.sorted()) }
        func q(_ p: Double) -> Double { values.isEmpty ? .nan : values[min(values.count - 1, Int(Double(values.count) * p))] }
        return (pushes, values.count, q(0.5), q(0.9), q(0.99), values.last ?? .nan)
    }
}

/// A venue speaking Binance USDⓈ-M's bookTicker protocol: answers SUBSCRIBE with `{"result":null,"id":n}`, then
/// sends every subscribed symbol's top of book `rate` times a second, bid = 1 + seconds since `start`.
final class ReplayVenue: Sendable {
    let start: ContinuousClock.Instant
    let rate: Double
    let sent = Atomic<Int>(0)
    private let symbols = Mutex<Set<String>>([])

    init(start: ContinuousClock.Instant, rate: Double) {
        self.start = start
        self.rate = rate
    }

    var subscribed: Int { symbols.withLock { $0.count } }

    func application(port: Int, logger: Logger) -> some Service {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/top_of_book") { inbound, outbound, _ in
            let mine = Subscribed()
            try? await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let tick = Duration.seconds(1 / self.rate)
                    // Each connection at its own phase, so the frames reach the daemon spread over the flush interval
                    // rather than all in one burst at a fixed distance from its flushes.
                    var next = ContinuousClock.now + tick * Double.random(in: 0..<1)
                    var sequence = 0
                    while true {
                        next += tick
                        try await Task.sleep(until: next)
                        let batch = mine.symbols.withLock { $0 }
                        for symbol in batch {
                            sequence += 1
                            let now = ContinuousClock.now
                            let seconds = Bench.seconds(now - self.start)
                            let ms = Int64(Date().timeIntervalSince1970 * 1000)
                            let bid = String(format: "%.6f", 1 + seconds)
                            let ask = String(format: "%.6f", 2 + seconds)
                            try await outbound.write(.text(
                                #"{"e":"bookTicker","u":\#(sequence),"E":\#(ms),"T":\#(ms),"s":"\#(symbol)","b":"\#(bid)","B":"1.5","a":"\#(ask)","A":"2.5"}"#))
                        }
                        self.sent.add(batch.count, ordering: .relaxed)
                    }
                }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message,
                          let request = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                          let params = request["params"] as? [String] else { continue }
                    let names = params.compactMap { $0.split(separator: "@").first.map { $0.uppercased() } }
                    mine.symbols.withLock { $0 += names }
                    self.symbols.withLock { $0.formUnion(names) }
                    try await outbound.write(.text(#"{"result":null,"id":\#(request["id"] as? Int ?? 0)}"#))
                }
                group.cancelAll()
            }
        }
        return Application(
            router: Router(),
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            logger: logger)
    }
}

/// The symbols one replay connection was asked for.
final class Subscribed: Sendable {
    let symbols = Mutex<[String]>([])
}
