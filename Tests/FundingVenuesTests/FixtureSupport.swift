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
