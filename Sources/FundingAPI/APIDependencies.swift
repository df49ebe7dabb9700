import Foundation
import Logging
import Synchronization

/// What the routes need, built once by the composition root and shared by every request.
public struct APIDependencies: Sendable {
    public var database: APIDatabase
    public var catalog: NameCatalog
    public var hub: StreamHub
    /// Pushes of live prices and price spreads (`PriceListener` feeds it).
    public var priceHub: PriceHub
    /// Pushes of leaderboards that changed (`LeaderboardPusher` drives it).
    public var leaderboardHub: LeaderboardHub
    public var metrics: APIMetrics
    public var settings: APISettings
    /// Responses of the read routes, dropped on every `fundingd_cycle` notification.
    public let cache: ResponseCache
    public var logger: Logger
    /// The ingest writer's state when ingest runs in this process (`fundingd run`); reported and judged by
    /// `/api/v1/health`. Its `ingestStatus()` must answer promptly (no I/O).
    public var ingestStatus: (any IngestStatusProviding)?
    /// The OpenAPI document served at `/openapi.json` (read once at start).
    public var openAPIDocument: [UInt8]?
    /// The dashboard's files (read once at start); nil when `settings.webRoot` is nil or holds no dashboard.
    public var webUI: WebUI?
    /// Every route `buildRouter` registered, as `(method, OpenAPI path)`: what the route/document agreement test
    /// compares with `docs/openapi.json`.
    public let routeTable = RouteTable()

    public init(database: APIDatabase, settings: APISettings, logger: Logger) {
        self.database = database
        self.catalog = NameCatalog(database: database)
        self.metrics = .shared
        self.settings = settings
        self.cache = ResponseCache(ttl: settings.responseCacheTTL)
        self.logger = logger
        self.hub = StreamHub(database: database, catalog: catalog, queueSize: settings.webSocketQueueSize,
                             logger: logger)
        self.priceHub = PriceHub(database: database, logger: logger)
        self.leaderboardHub = LeaderboardHub(database: database, catalog: catalog, logger: logger)
        if let path = settings.openAPIPath, let data = FileManager.default.contents(atPath: path) {
            openAPIDocument = Array(data)
        }
        if let root = settings.webRoot {
            do {
                webUI = try WebUI.load(directory: root)
            } catch {
                logger.warning("no dashboard served at /", metadata: ["web_root": "\(root)", "error": "\(error)"])
            }
        }
    }
}

/// The routes registered on a router, in registration order.
public final class RouteTable: Sendable {
    public struct Route: Sendable, Hashable {
        public var method: String
        public var path: String
        /// The query parameters the route takes (every other name is a 400).
        public var query: [String]
    }

    private let storage = Mutex<[Route]>([])

    public init() {}

    func add(_ method: String, _ path: String, query: [String]) {
        storage.withLock { $0.append(Route(method: method, path: path, query: query)) }
    }

    public var routes: [Route] { storage.withLock { $0 } }

    /// The methods registered for a concrete request path (`{name}` segments match any one segment), sorted.
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = Set<String>()
        for route in routes {
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: true)
            guard pattern.count == segments.count else { continue }
            if zip(pattern, segments).allSatisfy({ p, s in p == s || (p.hasPrefix("{") && p.hasSuffix("}")) }) {
                methods.insert(route.method)
            }
        }
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }
}
