import Foundation
import FundingVenues

/// The repository's recorded venue payloads (`Tests/Fixtures/<venue>/` with `SOURCE.md` and `routes.json`).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let catalog: FixtureCatalog = {
        do { return try FixtureCatalog(directory: directory) } catch { fatalError("fixture catalog: \(error)") }
    }()

    /// A client that answers `dex`'s requests from the recordings.
    static func client(_ dex: String) -> FixtureHTTPClient { FixtureHTTPClient(catalog: catalog, dex: dex) }

    /// The raw bytes of one recorded file, e.g. `data("binance-usdm", "premium-index-all.json")`.
    static func data(_ folder: String, _ file: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(folder).appendingPathComponent(file))
    }
}

/// Answers `dex`'s requests from the recordings, except paths starting with `failing` (timed out).
struct RecordingsWithOutage: HTTPFetching {
    var dex: String
    var failing: [String]
    func get(_ path: String, baseURL: String) async throws -> [UInt8] {
        if failing.contains(where: path.hasPrefix) { throw HTTPFetchError.timeout(url: baseURL + path) }
        return try await Fixtures.client(dex).get(path, baseURL: baseURL)
    }
    func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
        try await Fixtures.client(dex).post(path, json: body, baseURL: baseURL)
    }
}
