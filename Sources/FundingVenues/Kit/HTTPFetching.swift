import Foundation

/// A minimal HTTP client as adapters see it: the ingest module supplies one built on AsyncHTTPClient (with
/// timeouts, retries and the per-dex deadline), tests and the demo supply `FixtureHTTPClient`.
public protocol HTTPFetching: Sendable {
    /// GET `baseURL + path` (path includes any query string) and return the body of a 2xx answer.
    func get(_ path: String, baseURL: String) async throws -> [UInt8]
    /// POST a JSON body to `baseURL + path` and return the body of a 2xx answer.
    func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8]
}

extension HTTPFetching {
    /// A GET whose failure must not fail the venue (an enrichment request): the caller decides what the
    /// failure costs and records it on the `VenueFetchResult`.
    func attempt(_ path: String, baseURL: String) async -> Result<[UInt8], any Error> {
        do { return .success(try await get(path, baseURL: baseURL)) } catch { return .failure(error) }
    }
}
