import Foundation
import FundingStore
import FundingVenues
import Logging
import Synchronization

/// The venues of `fundingd run --demo`, served by a local `FixtureServer`: the endpoints `DemoShapes` declares answer
/// from the `DemoMarket` in the recordings' shapes, the demo's Hyperliquid accounts from `DemoPositions`, and every
/// other request from the repository's recordings, with every decimal number scaled by a factor that drifts with
/// time and differs per dex, and every next funding time that lies in the past (the recordings are months old) moved
/// forward to the next slot of its grid, so countdowns run and roll over.
public struct DemoVenues: Sendable {
    public var server: FixtureServer
    public var port: Int
    /// The declared venues' answers from the demo market (also what `DemoSampledHistory` seeds from).
    let shapes: DemoShapes

    /// `fixtures` is a directory of venue folders with `routes.json` (the repository's `Tests/Fixtures`); `venues`
    /// are the declared venues (`DemoShapes.venues`).
    public init(fixtures: URL, port: Int, logger: Logger = Logger(label: "fundingd.demo-venues")) throws {
        try self.init(fixtures: fixtures, port: port, venues: DemoShapes.venues, warnings: DemoShapeWarnings(logger: logger))
    }

    init(fixtures: URL, port: Int, venues: [DemoVenue], warnings: DemoShapeWarnings) throws {
        let catalog = try FixtureCatalog(directory: fixtures)
        self.server = FixtureServer(catalog: catalog, transform: { dex, body in
            let now = Date()
            return DemoVenues.drift(DemoVenues.rollForward(body, now: now), factor: DemoVenues.factor(dex: dex, at: now))
        })
        let market = try DemoMarket(catalog: catalog)
        let accounts = DemoPositions(market: market)
        let shapes = DemoShapes(market: market, catalog: catalog, venues: venues)
        self.shapes = shapes
        self.server.generate = { dex, pathAndQuery, body in
            let now = Date()
            let method = body == nil ? "GET" : "POST"
            do {
                if let answer = try shapes.answer(dex: dex, method: method, pathAndQuery: pathAndQuery, body: body,
                                                  at: now) {
                    return answer
                }
            } catch {
                // A declaration that no longer fits its recording: said once, then the recording answers.
                warnings.warn(dex: dex, method: method, pathAndQuery: pathAndQuery, error: error)
            }
            guard dex == "hyperliquid" else { return nil }
            return accounts.answer(pathAndQuery: pathAndQuery, body: body, at: now)
        }
        self.port = port
    }

    /// Where the demo replays `dex`.
    public func baseURL(for dex: String) -> String { "http://127.0.0.1:\(port)/\(dex)" }

    /// Demo venues on a free local port, replaying `Tests/Fixtures` under the SQL root (or `FUNDINGD_DEMO_FIXTURES`).
    public static func local(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DemoVenues {
        let directory = environment["FUNDINGD_DEMO_FIXTURES"].map { URL(fileURLWithPath: $0) }
            ?? SQLSource.locate(environment: environment)?.root.appendingPathComponent("Tests/Fixtures")
        guard let directory, FileManager.default.fileExists(atPath: directory.path) else {
            throw ConfigError(key: "FUNDINGD_DEMO_FIXTURES", message: "no recorded venue payloads found (Tests/Fixtures)")
        }
        return try DemoVenues(fixtures: directory, port: LocalCluster.freePort(from: 9100))
    }

    /// `environment` with every venue pointed at the demo and, unless set, a 15 s collection interval so the
    /// series move while someone watches, and the position scanner following the demo's Hyperliquid accounts
    /// (priority every 15 s, the rest every minute).
    public func configure(_ environment: [String: String]) -> [String: String] {
        var env = environment
        for name in Venues.names { env["FUNDINGD_\(name.uppercased())_BASE_URL"] = baseURL(for: name) }
        let defaults = [
            "FUNDINGD_INTERVAL_SECONDS": "15",
            "FUNDINGD_HYPERLIQUID_ADDRESSES": DemoPositions.addresses.joined(separator: ","),
            "FUNDINGD_HYPERLIQUID_PRIORITY_SECONDS": "15",
            "FUNDINGD_HYPERLIQUID_BACKGROUND_SECONDS": "60",
        ]
        for (key, value) in defaults where env[key] == nil { env[key] = value }
        return env
    }

    /// Within ±0.5 %: a slow sine whose phase depends on the dex, so venues drift apart and back.
    static func factor(dex: String, at date: Date) -> Double {
        let phase = Double(dex.unicodeScalars.reduce(0) { $0 &+ Int($1.value) } % 360) * .pi / 180
        return 1 + 0.005 * sin(date.timeIntervalSince1970 / 600 + phase)
    }

    /// The venues' next-funding-time fields: epoch seconds, milliseconds or nanoseconds, as a number or a string.
    /// (KuCoin's `nextFundingRateTime` is a duration, not a time: too short to match.) BitMEX's is ISO 8601;
    /// Backpack's is `nextFundingTimestamp` (ms).
    static let nextFundingField = try! NSRegularExpression(
        pattern: #"("(?:next_?funding_?time(?:stamp)?|next_?settle_?time|funding_next_apply)"\s*:\s*"?)(\d{19}|\d{13}|\d{10})(?=\D)"#,
        options: [.caseInsensitive])
    static let nextFundingISO = try! NSRegularExpression(
        pattern: #"("fundingTimestamp"\s*:\s*")(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)(?=")"#)

    /// Every next funding time before `now` moved forward by whole steps of its grid (8 h when it lies on the
    /// 00/08/16 UTC grid, else 4 h when on a 4-hour one, else 1 h) to the first slot after `now`, in its own unit.
    public static func rollForward(_ body: String, now: Date) -> String {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        let epochs = replace(nextFundingField, in: rollPairs(body, now: nowSeconds)) { digits in
            let perSecond: Int64 = switch digits.count { case 19: 1_000_000_000; case 13: 1000; default: 1 }
            guard let raw = Int64(digits) else { return nil }
            return roll(raw / perSecond, now: nowSeconds).map { String($0 * perSecond + raw % perSecond) }
        }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return replace(nextFundingISO, in: epochs) { text in
            guard let date = iso.date(from: text) ?? ISO8601DateFormatter().date(from: text),
                  let moved = roll(Int64(date.timeIntervalSince1970), now: nowSeconds) else { return nil }
            return iso.string(from: Date(timeIntervalSince1970: TimeInterval(moved)))
        }
    }

    /// OKX and edgeX answer two funding times side by side, `fundingTime` then `nextFundingTime` (ms): the OKX
    /// adapter reads the interval as their difference, so both move by the same whole number of slots (the first
    /// to the first slot after now); moved apart, the market was rejected for a bad interval.
    static let fundingTimePair = try! NSRegularExpression(
        pattern: #"("fundingTime"\s*:\s*"?)(\d{13})("?\s*,[^{}]*?"nextFundingTime"\s*:\s*"?)(\d{13})(?=\D)"#)

    static func rollPairs(_ body: String, now: Int64) -> String {
        let ns = NSMutableString(string: body)
        for match in fundingTimePair.matches(in: body, range: NSRange(location: 0, length: ns.length)).reversed() {
            guard let first = Int64(ns.substring(with: match.range(at: 2))),
                  let second = Int64(ns.substring(with: match.range(at: 4))),
                  let moved = roll(first / 1000, now: now) else { continue }
            let shift = (moved - first / 1000) * 1000
            ns.replaceCharacters(in: match.range(at: 4), with: String(second + shift))
            ns.replaceCharacters(in: match.range(at: 2), with: String(first + shift))
        }
        return ns as String
    }

    /// `seconds` moved to the first slot of its grid after `now`; nil when it is already in the future.
    static func roll(_ seconds: Int64, now: Int64) -> Int64? {
        guard seconds <= now else { return nil }
        let step: Int64 = seconds % 28_800 == 0 ? 28_800 : seconds % 14_400 == 0 ? 14_400 : 3600
        return seconds + ((now - seconds) / step + 1) * step
    }

    /// `text` with capture group 2 of every match of `regex` replaced by `transform` (nil keeps it).
    static func replace(_ regex: NSRegularExpression, in text: String, _ transform: (String) -> String?) -> String {
        let ns = text as NSString
        var out = ""
        var last = 0
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let range = match.range(at: 2)
            guard let value = transform(ns.substring(with: range)) else { continue }
            out += ns.substring(with: NSRange(location: last, length: range.location - last)) + value
            last = range.location + range.length
        }
        return last == 0 ? text : out + ns.substring(from: last)
    }

    /// Scales every decimal number written with a fractional part (`"0.0000125"`, `93951.8`); integers — ids,
    /// timestamps, counts — are left alone so the payload still parses to the same markets.
    static func drift(_ body: String, factor: Double) -> String {
        var out = ""
        out.reserveCapacity(body.utf8.count)
        var i = body.startIndex
        while i < body.endIndex {
            let c = body[i]
            let startsNumber = c.isNumber || (c == "-" && body.index(after: i) < body.endIndex
                                               && body[body.index(after: i)].isNumber)
            let previousIsWord = i > body.startIndex && {
                let p = body[body.index(before: i)]
                return p.isLetter || p.isNumber || p == "_" || p == "."
            }()
            guard startsNumber, !previousIsWord else {
                out.append(c)
                i = body.index(after: i)
                continue
            }
            var j = body.index(after: i)
            while j < body.endIndex, body[j].isNumber || body[j] == "." || body[j] == "e" || body[j] == "E"
                || ((body[j] == "-" || body[j] == "+") && (body[body.index(before: j)] == "e" || body[body.index(before: j)] == "E")) {
                j = body.index(after: j)
            }
            let token = body[i..<j]
            let followedByWord = j < body.endIndex && (body[j].isLetter || body[j] == "_")
            if token.contains("."), !followedByWord, let value = Double(token) {
                out += String(value * factor)
            } else {
                out += token
            }
            i = j
        }
        return out
    }
}

/// The demo endpoints whose declaration failed to fill its recording (`DemoShapes.answer` threw): each is logged as a
/// warning once (per dex, method and path), not every cycle, and then answered from the recording.
final class DemoShapeWarnings: Sendable {
    let logger: Logger
    private let warned = Mutex<Set<String>>([])

    init(logger: Logger) { self.logger = logger }

    /// The endpoints warned about, as `dex METHOD /path`.
    var endpoints: Set<String> { warned.withLock { $0 } }

    func warn(dex: String, method: String, pathAndQuery: String, error: any Error) {
        let endpoint = "\(dex) \(method) \(FixtureCatalog.split(pathAndQuery).0)"
        guard warned.withLock({ $0.insert(endpoint).inserted }) else { return }
        logger.warning("demo declaration does not fit its recording; answering from the recording",
                       metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
    }
}
