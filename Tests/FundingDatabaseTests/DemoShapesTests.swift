import Foundation
@testable import FundingApp
import FundingVenues
import Logging
import Synchronization
import Testing

@Suite("Demo shapes: templates read once, a declaration that no longer fits is said once", .timeLimit(.minutes(2)))
struct DemoShapesTests {
    /// A copy of the recordings in a temporary directory, removed after `body`.
    func withFixtureCopy<T>(_ body: (URL) throws -> T) throws -> T {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("demo-fixtures-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures"),
                                         to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        return try body(copy)
    }

    @Test("an answer's template is read from disk once: with the file gone, the next answer is the same market list")
    func templateReadOnce() throws {
        try withFixtureCopy { fixtures in
            let catalog = try FixtureCatalog(directory: fixtures)
            let shapes = DemoShapes(market: try DemoMarket(catalog: catalog), catalog: catalog)
            let now = Date()
            func symbols() throws -> [String] {
                let text = try #require(try shapes.answer(dex: "binance", method: "GET",
                                                          pathAndQuery: "/fapi/v1/premiumIndex", body: nil, at: now))
                let list = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
                return list.compactMap { $0["symbol"] as? String }
            }
            let first = try symbols()
            #expect(first.count == 300)
            let folder = try #require(catalog.folder(forDex: "binance"))
            try FileManager.default.removeItem(at: folder.appendingPathComponent("premium-index-all.json"))
            // Read from disk again, this would throw (no such file).
            #expect(try symbols() == first)
        }
    }

    @Test("a declaration that does not fit its recording falls back to the recording, with one warning per endpoint")
    func misfitWarnsOnce() throws {
        let log = CapturedLog()
        let logger = Logger(label: "demo-test") { _ in log }
        let warnings = DemoShapeWarnings(logger: logger)
        // Binance's premium index declared under a key its recording (a top-level list) does not have.
        var binance = try #require(DemoShapes.venues.first { $0.dex == "binance" })
        binance.endpoints[0].markets = .list([.key("data")])
        let demo = try DemoVenues(fixtures: TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures"), port: 0,
                                  venues: [binance], warnings: warnings)
        let generate = try #require(demo.server.generate)
        for _ in 0..<3 {
            // nil: the server answers from the recording.
            #expect(generate("binance", "/fapi/v1/premiumIndex", nil) == nil)
            #expect(generate("binance", "/fapi/v1/premiumIndex?symbol=BTCUSDT", nil) == nil)
        }
        // The endpoints that still fit are generated, and not warned about.
        #expect(generate("binance", "/fapi/v1/ticker/24hr", nil) != nil)
        #expect(warnings.endpoints == ["binance GET /fapi/v1/premiumIndex"])
        let lines = log.lines
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("binance GET /fapi/v1/premiumIndex") == true)
        #expect(lines.first?.contains("no key data") == true)
    }
}

/// A log handler keeping every message with its metadata, for tests.
final class CapturedLog: LogHandler, Sendable {
    private let stored = Mutex<[String]>([])
    var lines: [String] { stored.withLock { $0 } }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        let fields = (metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        stored.withLock { $0.append("\(level) \(message) \(fields)") }
    }
}
