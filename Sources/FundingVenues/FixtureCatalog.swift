import Foundation

/// One recorded answer of a venue, as listed in a fixture folder's `routes.json`.
public struct FixtureRoute: Sendable, Codable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    /// Path without query, e.g. `/fapi/v1/premiumIndex`.
    public var path: String
    /// Query parameters that must all be present with these values; absent means any query matches.
    public var query: [String: String]?
    /// For POST: top-level JSON fields the request body must carry with these values (compared as JSON).
    public var body: [String: JSONValue]?
    /// The response body file, relative to the venue's fixture folder.
    public var file: String
    /// HTTP status to answer with (default 200).
    public var status: Int?
}

/// A venue's fixture folder manifest (`Tests/Fixtures/<folder>/routes.json`).
public struct FixtureManifest: Sendable, Codable {
    /// The dex these recordings stand in for (`binance` for the `binance-usdm` folder).
    public var dex: String
    /// Routes in priority order: the first that matches answers.
    public var routes: [FixtureRoute]
}

/// A loose JSON value, enough to compare request bodies with recorded ones.
public enum JSONValue: Sendable, Codable, Hashable {
    case string(String), number(Double), bool(Bool), null
    case array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// Recorded venue payloads, matched by request: the adapters' tests, the end-to-end fixture server and the demo
/// mode all answer from this one catalog, so they agree on what each venue "said".
public struct FixtureCatalog: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    struct Entry: Sendable {
        var folder: URL
        var route: FixtureRoute
    }

    /// Entries per dex, in manifest order.
    let entries: [String: [Entry]]

    /// Loads every `<folder>/routes.json` under `directory`.
    public init(directory: URL) throws {
        var entries: [String: [Entry]] = [:]
        let folders = try FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: nil
        ).sorted { $0.lastPathComponent < $1.lastPathComponent }
        for folder in folders {
            let manifestURL = folder.appendingPathComponent("routes.json")
            guard FileManager.default.fileExists(atPath: manifestURL.path) else { continue }
            let manifest = try JSONDecoder().decode(FixtureManifest.self, from: Data(contentsOf: manifestURL))
            entries[manifest.dex, default: []] += manifest.routes.map { Entry(folder: folder, route: $0) }
        }
        self.entries = entries
    }

    /// The dexes that have recordings.
    public var dexes: [String] { entries.keys.sorted() }

    /// The folder holding `dex`'s recordings (`binance-usdm` for `binance`).
    public func folder(forDex dex: String) -> URL? { entries[dex]?.first?.folder }

    /// The recorded answer for a request to `dex`, or `nil` when nothing was recorded for it.
    /// `pathAndQuery` is what follows the host, e.g. `/fapi/v1/openInterest?symbol=BTCUSDT`.
    public func answer(dex: String, method: String, pathAndQuery: String, body: [UInt8]? = nil) throws -> Answer? {
        let (path, query) = Self.split(pathAndQuery)
        let requestBody = body.flatMap { try? JSONDecoder().decode([String: JSONValue].self, from: Data($0)) }
        for entry in entries[dex] ?? [] {
            let route = entry.route
            guard route.method.uppercased() == method.uppercased(), route.path == path else { continue }
            if let wanted = route.query, !wanted.allSatisfy({ query[$0.key] == $0.value }) { continue }
            if let wanted = route.body {
                guard let got = requestBody, wanted.allSatisfy({ got[$0.key] == $0.value }) else { continue }
            }
            let data = try Data(contentsOf: entry.folder.appendingPathComponent(route.file))
            return Answer(status: route.status ?? 200, body: Array(data))
        }
        return nil
    }

    /// `pathAndQuery`'s path and its query parameters, percent-decoded.
    public static func split(_ pathAndQuery: String) -> (String, [String: String]) {
        guard let q = pathAndQuery.firstIndex(of: "?") else { return (pathAndQuery, [:]) }
        var query: [String: String] = [:]
        for pair in pathAndQuery[pathAndQuery.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            query[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return (String(pathAndQuery[..<q]), query)
    }
}

/// An `HTTPFetching` client answering one dex's requests from a `FixtureCatalog`; a request with no recording
/// fails with HTTP 404 as a real venue would for an unknown path.
public struct FixtureHTTPClient: HTTPFetching {
    public var catalog: FixtureCatalog
    public var dex: String

    public init(catalog: FixtureCatalog, dex: String) {
        self.catalog = catalog
        self.dex = dex
    }

    public func get(_ path: String, baseURL: String) async throws -> [UInt8] {
        try respond(method: "GET", path: path, body: nil, baseURL: baseURL)
    }

    public func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
        try respond(method: "POST", path: path, body: body, baseURL: baseURL)
    }

    private func respond(method: String, path: String, body: [UInt8]?, baseURL: String) throws -> [UInt8] {
        guard let answer = try catalog.answer(dex: dex, method: method, pathAndQuery: path, body: body) else {
            throw HTTPFetchError.status(404, url: baseURL + path, retryAfterSeconds: nil)
        }
        guard (200..<300).contains(answer.status) else {
            throw HTTPFetchError.status(answer.status, url: baseURL + path, retryAfterSeconds: nil)
        }
        return answer.body
    }
}
