import Foundation
import Logging
import Synchronization

/// What the routes need, built once by the composition root and shared by every request.
public struct APIDependencies: Sendable {
    public var database: APIDatabase
    public var catalog: NameCatalog
    public var hub: StreamHub
    public var metrics: APIMetrics
    public var settings: APISettings
    /// Responses of the read routes, dropped on every `fundingd_cycle` notification.
    public let cache: ResponseCache
    public var logger: Logger
    /// The OpenAPI document served at `/openapi.json` (read once at start).
    public var openAPIDocument: [UInt8]?
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
        if let path = settings.openAPIPath, let data = FileManager.default.contents(atPath: path) {
            openAPIDocument = Array(data)
        }
    }
}

/// The routes registered on a router, in registration order.
public final class RouteTable: Sendable {
    public struct Route: Sendable, Hashable {
        public var method: String
        public var path: String
    }

    private let storage = Mutex<[Route]>([])

    public init() {}

    func add(_ method: String, _ path: String) {
        storage.withLock { $0.append(Route(method: method, path: path)) }
    }

    public var routes: [Route] { storage.withLock { $0 } }
}
