import Foundation
import FundingCore
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// A route handler answering a prepared response.
typealias APIHandler = @Sendable (Request, APIRequestContext) async throws -> Response

/// Registers routes on the router and records them in the dependencies' `RouteTable`.
///
/// Every route declares the query parameters it takes; any other name is a 400 `unknown_parameter` naming it,
/// before the handler runs (a misspelled filter must never be silently ignored). The declaration is also what the
/// OpenAPI agreement test compares with `docs/openapi.json`.
struct RouteRegistrar {
    let router: Router<APIRequestContext>
    let table: RouteTable
    let cache: ResponseCache

    /// `path` in OpenAPI syntax (`/api/v1/funding-rates/{dex}`), which Hummingbird also accepts.
    func on(_ method: HTTPRequest.Method, _ path: String, query: [String] = [], _ handler: @escaping APIHandler) {
        let known = Set(query)
        table.add(method.rawValue, path, query: query)
        router.on(RouterPath(path), method: method) { request, context in
            try request.query.rejectUnknown(known)
            return try await handler(request, context)
        }
    }

    func get(_ path: String, query: [String] = [], _ handler: @escaping APIHandler) {
        on(.get, path, query: query, handler)
    }

    func put(_ path: String, query: [String] = [], _ handler: @escaping APIHandler) {
        on(.put, path, query: query, handler)
    }

    /// A read route whose 200 responses are reused until the next ingest cycle (`ResponseCache`).
    func cachedGet(_ path: String, query: [String] = [], _ handler: @escaping APIHandler) {
        on(.get, path, query: query) { [cache] request, context in
            try await cache.response(for: request, route: path) { try await handler(request, context) }
        }
    }
}

/// The HTTP router of the API: every REST route under `/api/v1`, `/metrics`, `/openapi.json`, and the WebSocket
/// paths (which answer 426 to a plain GET; the upgrade goes through `buildWebSocketRouter`).
public func buildRouter(_ deps: APIDependencies) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware(metrics: deps.metrics))
    if !deps.settings.corsOrigins.isEmpty {
        router.add(middleware: AllowListCORSMiddleware(origins: deps.settings.corsOrigins))
    }
    router.add(middleware: ErrorMiddleware(routes: deps.routeTable))
    let routes = RouteRegistrar(router: router, table: deps.routeTable, cache: deps.cache)
    FundingRatesRoutes(deps: deps).register(routes)
    OpportunityQueryRoutes(reads: deps.database, names: deps.catalog).register(routes)
    OpportunitiesRoutes(deps: deps).register(routes)
    HistoryRoutes(deps: deps).register(routes)
    SettlementRoutes(deps: deps).register(routes)
    DexRoutes(deps: deps).register(routes)
    OperationsRoutes(deps: deps).register(routes)
    LeaderboardRoutes(deps: deps).register(routes)
    LiquidationRoutes(deps: deps).register(routes)
    MarketRoutes(deps: deps).register(routes)
    PriceRoutes(deps: deps).register(routes)
    SeedPriceRoutes(deps: deps).register(routes)
    SeedScreenerRoutes(deps: deps).register(routes)
    DashboardRoutes(store: deps.database, names: deps.catalog).register(routes)
    deps.webUI?.register(on: router)
    for path in StreamChannel.allCases.map(\.path) {
        routes.get(path) { _, _ in
            throw APIError(.upgradeRequired, code: "upgrade_required",
                           message: "this is a WebSocket endpoint: connect with an Upgrade: websocket request")
        }
    }
    return router
}

/// The router that accepts WebSocket upgrades on `/api/v1/ws/funding-rates` and `/api/v1/ws/opportunities`.
public func buildWebSocketRouter(_ deps: APIDependencies) -> Router<BasicWebSocketRequestContext> {
    let router = Router(context: BasicWebSocketRequestContext.self)
    for channel in StreamChannel.allCases {
        router.ws(RouterPath(channel.path)) { inbound, outbound, context in
            let session = StreamSession(channel: channel, deps: deps, logger: context.logger)
            await session.run(inbound: inbound, outbound: outbound)
        }
    }
    return router
}

/// The API server: HTTP/1.1 with WebSocket upgrade and keepalive pings, on the configured address. Every
/// connection is bounded by `ConnectionDeadlineHandler` (idle and per-request deadlines).
public func buildAPIApplication(_ deps: APIDependencies,
                                onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    -> some ApplicationProtocol
{
    var ws = WebSocketServerConfiguration()
    ws.maxFrameSize = 1 << 16
    ws.autoPing = .enabled(timePeriod: .seconds(Int64(deps.settings.webSocketPingSeconds)))
    let webSocketResponder = buildWebSocketRouter(deps).buildResponder()
    let channel = HTTP1WebSocketUpgradeChannel.Configuration(http1: .init(idleTimeout: .milliseconds(
        deps.settings.httpIdleTimeout.wholeMilliseconds)), ws: ws)
    let settings = deps.settings
    let idle = TimeAmount.milliseconds(settings.httpIdleTimeout.wholeMilliseconds)
    let request = TimeAmount.milliseconds(settings.httpRequestTimeout.wholeMilliseconds)
    let server = HTTPServerBuilder { responder in
        DeadlineChildChannel(
            base: HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: webSocketResponder,
                configuration: channel),
            idleTimeout: idle, requestTimeout: request)
    }
    return Application(
        router: buildRouter(deps),
        server: server,
        configuration: .init(address: .hostname(deps.settings.host, port: deps.settings.port), serverName: "fundingd"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? deps.settings.port) },
        logger: deps.logger)
}

extension Response {
    /// A JSON response from a writer.
    static func json(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    static func json(status: HTTPResponse.Status = .ok, _ body: (inout JSONWriter) throws -> Void) rethrows
        -> Response
    {
        var w = JSONWriter(capacity: 1024)
        try body(&w)
        return json(w, status: status)
    }
}

extension Request {
    var query: QueryReader { QueryReader(self) }
}

extension APIRequestContext {
    /// A path parameter that the route pattern guarantees.
    func path(_ name: String) throws -> String {
        guard let v = parameters.get(name), !v.isEmpty else {
            throw APIError.invalidParameter(name, "missing")
        }
        let decoded = v.removingPercentEncoding ?? v
        guard decoded.count <= 200, !QueryReader.hasControlCharacter(decoded) else {
            throw APIError.invalidParameter(name, "not a valid name")
        }
        return decoded
    }
}
