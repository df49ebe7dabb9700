import Foundation
@testable import FundingApp
import FundingVenues
import Testing

@Suite("Demo shapes: templates read once", .timeLimit(.minutes(2)))
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
}
