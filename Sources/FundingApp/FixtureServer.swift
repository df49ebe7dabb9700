import Foundation
import FundingVenues
import Hummingbird
import Logging
import NIOCore

/// Something wrong a fixture venue can be told to do, for fault drills.
public enum FixtureFault: Sendable {
    /// Answer every request with this HTTP status and an error body.
    case status(Int)
    /// Cut every body in half, so it is no longer valid JSON.
    case truncate
    /// Answer nothing for this long (bounded, so the server can still shut down).
    case hang(Duration)
    /// Rewrite every body (e.g. to put an absurd rate into an otherwise valid payload).
    case rewrite(@Sendable (String) -> String)
}

/// A local HTTP server that answers as the recorded venues did: dex `X` lives under `/X`, so pointing
/// `FUNDINGD_X_BASE_URL` at `http://127.0.0.1:<port>/X` replays `X`'s recordings at the venue's real paths (POST
/// bodies matched as `routes.json` says). Used by the end-to-end tests and `fundingd run --demo`.
public struct FixtureServer: Sendable {
    public var catalog: FixtureCatalog
    public var faults: [String: FixtureFault]
    /// Applied to every body that is not faulted (demo mode moves the numbers a little each request).
    public var transform: (@Sendable (_ dex: String, _ body: String) -> String)?
    /// Answers a request no recording can (demo mode: the Hyperliquid accounts it invents), before the recordings
    /// are consulted; nil leaves the request to them.
    public var generate: (@Sendable (_ dex: String, _ pathAndQuery: String, _ body: [UInt8]?) -> String?)?

    public init(catalog: FixtureCatalog, faults: [String: FixtureFault] = [:],
                transform: (@Sendable (String, String) -> String)? = nil) {
        self.catalog = catalog
        self.faults = faults
        self.transform = transform
    }

    /// The Hummingbird application serving the recordings on `host:port` (port 0 picks a free one; `onRunning`
    /// receives the bound port).
    public func application(host: String = "127.0.0.1", port: Int = 0, logger: Logger,
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            try await self.respond(request)
        }
        router.on("**", method: .get, use: handler)
        router.on("**", method: .post, use: handler)
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "fixture-venues"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    func respond(_ request: Request) async throws -> Response {
        var components = request.uri.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
        guard !components.isEmpty else { return Self.text(.notFound, "no dex in path") }
        let dex = String(components.removeFirst())
        let path = "/" + (components.first.map(String.init) ?? "")
        let pathAndQuery = path + (request.uri.query.map { "?" + $0 } ?? "")
        let body = request.method == .post ? Array(try await request.body.collect(upTo: 1 << 20).readableBytesView) : nil

        switch faults[dex] {
        case .status(let code)?:
            return Self.text(HTTPResponse.Status(code: code), "{\"error\":\"fixture fault \(code)\"}")
        case .hang(let duration)?:
            try await Task.sleep(for: duration)
            return Self.text(.gatewayTimeout, "")
        default:
            break
        }
        if faults[dex] == nil, let generated = generate?(dex, pathAndQuery, body) {
            return Self.text(.ok, generated)
        }
        guard let answer = try catalog.answer(dex: dex, method: request.method.rawValue, pathAndQuery: pathAndQuery,
                                              body: body) else {
            return Self.text(.notFound, "{\"error\":\"no recording for \(request.method.rawValue) \(pathAndQuery)\"}")
        }
        var text = String(decoding: answer.body, as: UTF8.self)
        switch faults[dex] {
        case .truncate?: text = String(text.prefix(text.count / 2))
        case .rewrite(let f)?: text = f(text)
        default: if let transform { text = transform(dex, text) }
        }
        return Self.text(HTTPResponse.Status(code: answer.status), text)
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension FixtureServer {
    /// Serves the recordings under `directory` until the process is told to stop (`fundingd fixture-server`).
    public static func serve(directory: URL, host: String, port: Int, faults: [String: FixtureFault] = [:],
                             logger: Logger) async throws {
        let catalog = try FixtureCatalog(directory: directory)
        let app = FixtureServer(catalog: catalog, faults: faults).application(host: host, port: port, logger: logger) { port in
            logger.info("fixture server listening", metadata: ["address": "http://\(host):\(port)"])
        }
        try await app.runService()
    }
}
