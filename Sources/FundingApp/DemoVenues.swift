import Foundation
import FundingStore
import FundingVenues

/// The venues of `fundingd run --demo`: the repository's recorded payloads replayed by a local `FixtureServer`,
/// with every decimal number scaled by a factor that drifts with time and differs per dex, so rates, prices and
/// open interest move from cycle to cycle and cross-venue divergences change.
public struct DemoVenues: Sendable {
    public var server: FixtureServer
    public var port: Int

    /// `fixtures` is a directory of venue folders with `routes.json` (the repository's `Tests/Fixtures`).
    public init(fixtures: URL, port: Int) throws {
        self.server = FixtureServer(catalog: try FixtureCatalog(directory: fixtures), transform: { dex, body in
            DemoVenues.drift(body, factor: DemoVenues.factor(dex: dex, at: Date()))
        })
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
    /// series move while someone watches.
    public func configure(_ environment: [String: String]) -> [String: String] {
        var env = environment
        for name in Venues.names { env["FUNDINGD_\(name.uppercased())_BASE_URL"] = baseURL(for: name) }
        if env["FUNDINGD_INTERVAL_SECONDS"] == nil { env["FUNDINGD_INTERVAL_SECONDS"] = "15" }
        return env
    }

    /// Within ±0.5 %: a slow sine whose phase depends on the dex, so venues drift apart and back.
    static func factor(dex: String, at date: Date) -> Double {
        let phase = Double(dex.unicodeScalars.reduce(0) { $0 &+ Int($1.value) } % 360) * .pi / 180
        return 1 + 0.005 * sin(date.timeIntervalSince1970 / 600 + phase)
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
