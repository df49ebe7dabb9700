import Foundation
import FundingAPI
import FundingApp
import FundingStore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing

/// The admin token the API tests configure.
let testAdminToken = "test-admin-token-0123456789"

/// Runs one ingest cycle from the fixture server (optionally faulted) into `db`.
func ingestFixtures(into db: TestDatabase, faults: [String: FixtureFault] = [:]) async throws {
    let writer = try db.writerURL
    try await withFixtureServer(faults: faults) { port in
        let config = try fixtureConfig(port: port, database: writer)
        let group = try await buildApplication(config, mode: .ingest(once: true), migrate: false,
                                               logger: Logger(label: "api-test-ingest"))
        try await group.run()
    }
}

/// A database filled by one fixture cycle, made once and shared by the read-only API tests.
actor FixtureDatabase {
    static let shared = FixtureDatabase()
    private var task: Task<TestDatabase, any Error>?

    func get() async throws -> TestDatabase {
        if task == nil {
            task = Task {
                let db = try await TestDatabase.make()
                try await ingestFixtures(into: db)
                return db
            }
        }
        return try await task!.value
    }
}

/// Configuration for the API against `db` (reader and operator roles), admin token optional, plus `extra` variables.
func apiConfig(_ db: TestDatabase, adminToken: String? = testAdminToken, extra: [String: String] = [:]) throws
    -> FundingConfig
{
    var env = ["DATABASE_URL": try db.writerURL.urlString, "DATABASE_READER_URL": try db.readerURL.urlString,
               "DATABASE_OPERATOR_URL": try db.operatorURL.urlString, "FUNDINGD_HTTP_PORT": "0",
               "FUNDINGD_OPENAPI_PATH": TestDatabase.repositoryRoot.appendingPathComponent("docs/openapi.json").path]
    if let adminToken { env["FUNDINGD_ADMIN_TOKEN"] = adminToken }
    env.merge(extra) { _, new in new }
    return try FundingConfig(environment: env)
}

/// Runs the API's pools for the duration of `body`, which gets the dependencies.
func withAPIDependencies<T: Sendable>(_ db: TestDatabase, adminToken: String? = testAdminToken,
                                      extra: [String: String] = [:],
                                      _ body: @Sendable (APIDependencies) async throws -> T) async throws -> T {
    let config = try apiConfig(db, adminToken: adminToken, extra: extra)
    let (deps, pools) = try buildAPI(config, settings: try config.apiSettings(), logger: Logger(label: "api-test"))
    return try await withThrowingTaskGroup(of: T?.self) { group in
        for pool in pools { group.addTask { await pool.run(); return nil } }
        defer { group.cancelAll() }
        return try await body(deps)
    }
}

/// The router under HummingbirdTesting's `.router` framework.
func withRouter<T: Sendable>(_ db: TestDatabase, adminToken: String? = testAdminToken, extra: [String: String] = [:],
                             _ body: @Sendable (any TestClientProtocol, APIDependencies) async throws -> T)
    async throws -> T
{
    try await withAPIDependencies(db, adminToken: adminToken, extra: extra) { deps in
        let app = Application(router: buildRouter(deps))
        return try await app.test(.router) { client in try await body(client, deps) }
    }
}

/// A decoded response.
struct APIResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var text: String

    var json: [String: Any] {
        get throws {
            guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw TestSetupError(description: "not a JSON object: \(text.prefix(300))")
            }
            return o
        }
    }

    /// `error.code` of an error body.
    var errorCode: String? { (try? json)?["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } }
    var errorMessage: String? { (try? json)?["error"].flatMap { ($0 as? [String: Any])?["message"] as? String } }
}

extension TestClientProtocol {
    func call(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: String? = nil)
        async throws -> APIResponse
    {
        try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            APIResponse(status: $0.status, headers: $0.headers, text: String(buffer: $0.body))
        }
    }
}

extension TestClientProtocol {
    /// Each (uri, status, code, mention): the URI answers `status` with error `code` and a message naming `mention`.
    func expectErrors(_ cases: [(String, HTTPResponse.Status, String, String)],
                      sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (uri, status, code, mention) in cases {
            let r = try await call(uri)
            #expect(r.status == status, "\(uri): \(r.text)", sourceLocation: sourceLocation)
            #expect(r.errorCode == code, "\(uri): \(r.text)", sourceLocation: sourceLocation)
            #expect(r.errorMessage?.contains(mention) == true, "\(uri): \(r.text)", sourceLocation: sourceLocation)
        }
    }
}

/// `value` at a path of nested dictionaries.
func dig(_ value: Any?, _ path: String...) -> Any? {
    var v = value
    for key in path { v = (v as? [String: Any])?[key] }
    return v
}

func double(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }
