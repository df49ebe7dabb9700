import Foundation
import FundingApp
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Dashboard files served at /")
struct WebUITests {
    static let webDir = TestDatabase.repositoryRoot.appendingPathComponent("web").path

    @Test("the grid at /, every other file under /ui/, with a content type and a script-only-from-here policy",
          .timeLimit(.minutes(2)))
    func served() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db, extra: ["FUNDINGD_WEB_DIR": Self.webDir]) { client, _ in
            let index = try await client.call("/")
            #expect(index.status == .ok)
            #expect(index.headers[.contentType] == "text/html; charset=utf-8")
            #expect(index.text.contains(#"<script type="module" src="/ui/grid.js"></script>"#))
            #expect(index.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            let script = try await client.call("/ui/app.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            // A page reads its own query string: any parameter is accepted (unlike the API's routes).
            let market = try await client.call("/ui/market.html?symbol=BTC&period=7d")
            #expect(market.status == .ok, "\(market.text.prefix(200))")
            for missing in ["/ui/nosuch.js", "/ui/..%2FPackage.swift", "/ui/.hidden.js", "/ui/README.md"] {
                let r = try await client.call(missing)
                #expect(r.status == .notFound, "\(missing)")
                #expect(r.errorCode == "not_found", "\(missing)")
            }
            #expect(try await client.call("/api/v1/dexes").status == .ok)
        }
    }

    @Test("every file a page or script refers to is served")
    func referencesResolve() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db, extra: ["FUNDINGD_WEB_DIR": Self.webDir]) { client, _ in
            let names = try FileManager.default.contentsOfDirectory(atPath: Self.webDir)
                .filter { $0.hasSuffix(".html") || $0.hasSuffix(".js") }
            #expect(names.count >= 13)
            var referenced = Set<String>()
            let patterns = [#"(?:src|href)="/ui/([^"?]+)"#, #"from '\./([^']+)'"#, #"'/ui/([a-z-]+\.html)"#]
            for name in names {
                let text = try String(contentsOfFile: Self.webDir + "/" + name, encoding: .utf8)
                for pattern in patterns {
                    let regex = try NSRegularExpression(pattern: pattern)
                    for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                        referenced.insert(String(text[Range(m.range(at: 1), in: text)!]))
                    }
                }
            }
            #expect(referenced.isSuperset(of: ["app.js", "app.css", "grid.js", "opportunities.html", "market.html",
                                                "health.html", "screener.html", "screener.js", "prices.html",
                                                "prices.js"]), "\(referenced.sorted())")
            for file in referenced.sorted() {
                #expect(try await client.call("/ui/\(file)").status == .ok, "\(file)")
            }
        }
    }

    @Test("FUNDINGD_HTTP_UI=off serves the API only; another value is a configuration error")
    func off() async throws {
        let db = try await FixtureDatabase.shared.get()
        try await withRouter(db, extra: ["FUNDINGD_WEB_DIR": Self.webDir, "FUNDINGD_HTTP_UI": "off"]) { client, deps in
            #expect(deps.webUI == nil)
            for path in ["/", "/ui/app.js"] {
                let r = try await client.call(path)
                #expect(r.status == .notFound, "\(path)")
                #expect(r.errorCode == "not_found", "\(path)")
            }
            #expect(try await client.call("/api/v1/dexes").status == .ok)
        }
        let config = try apiConfig(db, extra: ["FUNDINGD_HTTP_UI": "maybe"])
        #expect(throws: ConfigError.self) { try config.apiSettings() }
    }
}
