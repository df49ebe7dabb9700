import Foundation
import Hummingbird
import NIOCore

/// The dashboard's static files (`web/` of the installation), read once at start and served at `/` (the funding
/// grid) and `/ui/{file}` (every other page, script and style sheet).
///
/// The pages are plain HTML and JavaScript modules that call the public API, so the UI adds no route of its own to
/// the API: these routes stay out of the `RouteTable` (and the OpenAPI document), and accept any query string
/// (a page reads its own parameters, such as `market.html?dex=binance&symbol=BTC`). Only files directly in the
/// folder with a known type are served; nothing is read from disk per request, so no path can escape the folder.
public struct WebUI: Sendable {
    /// One servable file.
    struct File: Sendable {
        var contentType: String
        var bytes: [UInt8]
    }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
    ]

    /// Scripts only from this origin, connections only to it (HTTP and WebSocket); styles may be set from scripts.
    static let contentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
        + "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    let files: [String: File]

    /// Every file of a known type directly in `directory`; an error when it holds no `index.html`.
    public static func load(directory: String) throws -> WebUI {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        var files: [String: File] = [:]
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            guard let type = contentTypes[ext], !name.hasPrefix("."),
                  let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path)
            else { continue }
            files[name] = File(contentType: type, bytes: Array(data))
        }
        guard files["index.html"] != nil else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.appendingPathComponent("index.html").path])
        }
        return WebUI(files: files)
    }

    func register(on router: Router<APIRequestContext>) {
        router.get("/") { _, _ in try response(for: "index.html") }
        router.get("/ui/{file}") { _, context in try response(for: context.parameters.get("file") ?? "") }
    }

    func response(for name: String) throws -> Response {
        guard let file = files[name] else {
            throw APIError(.notFound, code: "not_found", message: "no such page or file: \(name)")
        }
        return Response(status: .ok, headers: [
            .contentType: file.contentType, .cacheControl: "no-cache",
            .contentSecurityPolicy: Self.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
