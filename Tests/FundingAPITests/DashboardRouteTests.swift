import Foundation
@testable import FundingAPI
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The dashboard reads with no database: an in-memory store that records each call and answers a canned document,
/// and a fixed name catalog. What is checked here is the route's side (validation, names, the call it makes, the
/// body passed through); the SQL's numbers are checked against PostgreSQL in `DashboardTests`.
final class FakeDashboardStore: DashboardReading, NameResolving {
    let calls = Mutex<[DashboardCall]>([])
    let answer: ByteBuffer?
    let dexes: Set<String> = ["binance", "okx", "hyperliquid"]
    let symbols: Set<String> = ["BTC", "ETH"]

    init(answer: String?) { self.answer = answer.map { ByteBuffer(string: $0) } }

    func dashboard(_ call: DashboardCall) async throws -> ByteBuffer? {
        calls.withLock { $0.append(call) }
        return answer
    }

    func dex(_ raw: String) async throws -> String {
        guard dexes.contains(raw.lowercased()) else { throw APIError.dexNotFound(raw) }
        return raw.lowercased()
    }

    func symbol(_ raw: String) async throws -> String {
        guard symbols.contains(raw.uppercased()) else { throw APIError.symbolNotFound(raw) }
        return raw.uppercased()
    }

    var lastCall: DashboardCall? { calls.withLock { $0.last } }
}

func withDashboardRouter(answer: String? = #"{"ok":true}"#,
                         _ body: @Sendable (any TestClientProtocol, FakeDashboardStore, RouteTable) async throws -> Void)
    async throws
{
    let store = FakeDashboardStore(answer: answer)
    let table = RouteTable()
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: ErrorMiddleware(routes: table))
    DashboardRoutes(store: store, names: store)
        .register(RouteRegistrar(router: router, table: table, cache: ResponseCache(ttl: .zero)))
    try await Application(router: router).test(.router) { client in try await body(client, store, table) }
}

extension TestClientProtocol {
    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, body: String) {
        try await execute(uri: uri, method: .get) { ($0.status, String(buffer: $0.body)) }
    }
}

func argument(_ name: String, _ value: DashboardValue) -> DashboardArgument {
    DashboardArgument(name: name, value: value)
}

@Suite("Dashboard routes (no database)", .timeLimit(.minutes(1)))
struct DashboardRouteTests {
    @Test("every declared read is registered with exactly its query names; paths and functions are distinct")
    func registered() async throws {
        try await withDashboardRouter { _, _, table in
            let routes = table.routes
            #expect(routes.map(\.path) == DashboardRead.all.map(\.path))
            for (route, read) in zip(routes, DashboardRead.all) {
                #expect(route.method == "GET")
                #expect(route.query == read.queryNames, "\(read.path)")
                // Every path parameter of the declaration is a {segment} of the path, and the other way round.
                let segments = read.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
                #expect(segments == read.parameters.filter(\.inPath).map(\.name), "\(read.path)")
                #expect(read.function.hasPrefix("dashboard_"))
            }
            #expect(Set(routes.map(\.path)).count == routes.count)
        }
    }

    @Test("names are canonicalised, absent query parameters are left out of the call, the body passes through")
    func calls() async throws {
        try await withDashboardRouter(answer: #"{"symbol":"BTC","contracts":[]}"#) { client, store, _ in
            var r = try await client.get("/api/v1/contracts-by-asset/btc")
            #expect(r.status == .ok)
            #expect(r.body == #"{"symbol":"BTC","contracts":[]}"#)
            #expect(store.lastCall == DashboardCall(function: "dashboard_contracts",
                                                   arguments: [argument("p_symbol", .text("BTC"))]))

            r = try await client.get("/api/v1/funding-rates-grid?dexes=Binance,%20OKX&search=pepe&max_age=60")
            #expect(r.status == .ok)
            #expect(store.lastCall == DashboardCall(function: "dashboard_grid", arguments: [
                argument("p_max_age", .seconds(60)), argument("p_dexes", .texts(["binance", "okx"])),
                argument("p_search", .text("pepe")),
            ]))

            r = try await client.get("/api/v1/arbitrage/opportunity-detail/eth/OKX/binance?days=3&long_contract=ETH-USDT-SWAP")
            #expect(r.status == .ok)
            #expect(store.lastCall == DashboardCall(function: "dashboard_opportunity_detail", arguments: [
                argument("p_symbol", .text("ETH")), argument("p_long_dex", .text("okx")),
                argument("p_short_dex", .text("binance")), argument("p_long_dex_symbol", .text("ETH-USDT-SWAP")),
                argument("p_days", .integer(3)),
            ]))

            r = try await client.get("/api/v1/top-apr/25")
            #expect(store.lastCall == DashboardCall(function: "dashboard_top_apr",
                                                   arguments: [argument("p_limit", .integer(25))]))
            r = try await client.get("/api/v1/contracts-with-zscores?min_abs_zscore=2.5")
            #expect(store.lastCall == DashboardCall(function: "dashboard_zscores",
                                                   arguments: [argument("p_min_abs_zscore", .number(2.5))]))
            r = try await client.get("/api/v1/zscore-summary")
            #expect(store.lastCall == DashboardCall(function: "dashboard_zscore_summary", arguments: []))
        }
    }

    @Test("bad and unknown parameters are 400s naming them; unknown names are 404s; nothing reaches the store")
    func errors() async throws {
        try await withDashboardRouter { client, store, _ in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/api/v1/funding-rates-grid?serch=btc", .badRequest, "serch"),
                ("/api/v1/funding-rates-grid?max_age=0", .badRequest, "max_age"),
                ("/api/v1/funding-rates-grid?max_age=1e3", .badRequest, "max_age"),
                ("/api/v1/funding-rates-grid?dexes=binance,nowhere", .notFound, "nowhere"),
                ("/api/v1/funding-rates-grid?search=", .badRequest, "search"),
                ("/api/v1/funding-rates-grid?search=" + String(repeating: "x", count: 65), .badRequest, "search"),
                ("/api/v1/contracts-by-asset/NOPE", .notFound, "NOPE"),
                ("/api/v1/historical-funding-by-asset/BTC?interval=5m", .badRequest, "interval"),
                ("/api/v1/historical-funding-by-asset/BTC?days=91", .badRequest, "days"),
                ("/api/v1/historical-funding-by-contract/nowhere/BTCUSDT", .notFound, "nowhere"),
                ("/api/v1/funding-sparkline/BTC?hours=169", .badRequest, "hours"),
                ("/api/v1/contracts-with-zscores?min_abs_zscore=-1", .badRequest, "min_abs_zscore"),
                ("/api/v1/contracts-with-zscores?min_abs_zscore=nan", .badRequest, "min_abs_zscore"),
                ("/api/v1/zscore-summary?limit=5", .badRequest, "limit"),
                ("/api/v1/top-apr/0", .badRequest, "limit"),
                ("/api/v1/top-apr/ten", .badRequest, "limit"),
                ("/api/v1/arbitrage/opportunities?page=0", .badRequest, "page"),
                ("/api/v1/arbitrage/opportunities?page_size=501", .badRequest, "page_size"),
                ("/api/v1/arbitrage/opportunities?page=1&page=2", .badRequest, "page"),
                ("/api/v1/arbitrage/opportunity-detail/BTC/binance/nowhere", .notFound, "nowhere"),
            ]
            for (uri, status, mention) in cases {
                let r = try await client.get(uri)
                #expect(r.status == status, "\(uri): \(r.body)")
                #expect(r.body.contains(mention), "\(uri): \(r.body)")
            }
            #expect(store.calls.withLock { $0.isEmpty })
        }
    }

    @Test("a read the function answers NULL for is a 404 with the declared message")
    func missing() async throws {
        try await withDashboardRouter(answer: nil) { client, _, _ in
            let r = try await client.get("/api/v1/historical-funding-by-contract/binance/NOPEUSDT")
            #expect(r.status == .notFound)
            #expect(r.body.contains("the dex lists no such contract"), "\(r.body)")
        }
    }
}
