import Foundation
@testable import FundingAPI
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The opportunity-query routes with no database: an in-memory store that records each query and answers two canned
/// pairs out of 42 matches. What is checked is the route's side (the parameters it parses, the query it makes, the
/// shape of each answer); the SQL's rows are checked against PostgreSQL in `OpportunitiesPageTests` and
/// `OpportunityTests`.
final class FakeOpportunityStore: OpportunityReading, NameResolving {
    let queries = Mutex<[OpportunityQuery]>([])
    let rows: [ResultRow] = [
        ResultRow(columns: ["symbol", "long_dex", "short_dex", "divergence", "net_profit"],
                  values: [.string("BTC"), .string("okx"), .string("binance"), .double(0.0004), .double(0.0002)]),
        ResultRow(columns: ["symbol", "long_dex", "short_dex", "divergence", "net_profit"],
                  values: [.string("ETH"), .string("binance"), .string("okx"), .double(0.0003), .double(0.0001)]),
    ]

    func opportunities(_ q: OpportunityQuery) async throws -> (rows: [ResultRow], total: Int) {
        queries.withLock { $0.append(q) }
        return (Array(rows.prefix(q.limit)), 42)
    }

    func dex(_ raw: String) async throws -> String {
        guard ["binance", "okx"].contains(raw.lowercased()) else { throw APIError.dexNotFound(raw) }
        return raw.lowercased()
    }

    func symbol(_ raw: String) async throws -> String {
        guard ["BTC", "ETH"].contains(raw.uppercased()) else { throw APIError.symbolNotFound(raw) }
        return raw.uppercased()
    }

    var last: OpportunityQuery? { queries.withLock { $0.last } }
}

@Suite("Opportunity routes (in-memory store)")
struct OpportunityRouteTests {
    func withRouter(_ body: @Sendable (any TestClientProtocol, FakeOpportunityStore) async throws -> Void)
        async throws
    {
        let store = FakeOpportunityStore()
        let table = RouteTable()
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: ErrorMiddleware(routes: table))
        OpportunityQueryRoutes(reads: store, names: store)
            .register(RouteRegistrar(router: router, table: table, cache: ResponseCache(ttl: .zero)))
        try await Application(router: router).test(.router) { client in try await body(client, store) }
    }

    static func json(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    @Test("the design document's names reach the query; the answer carries the rows, total_count and filters_applied")
    func documentNames() async throws {
        try await withRouter { client, store in
            let r = try await client.get("/api/v1/opportunities?min_volume=0&min_profit_percent=-0.5&sort_by=net_profit_percent&dexes=BINANCE,okx")
            #expect(r.status == .ok, "\(r.body)")
            let q = try #require(store.last)
            #expect(q.minVolume24h == 0 && q.minProfit == -0.5 && q.sortBy == "net_profit")
            #expect(q.includeDexes == ["binance", "okx"] && q.limit == 10 && q.minDivergence == 0.0001)
            let body = Self.json(r.body)
            #expect((body["opportunities"] as? [[String: Any]])?.map { $0["symbol"] as? String } == ["BTC", "ETH"])
            #expect(body["total_count"] as? Int == 42)
            let applied = body["filters_applied"] as? [String: Any] ?? [:]
            #expect(applied["min_volume_24h"] as? Double == 0 && applied["min_profit_percent"] as? Double == -0.5)
            #expect(applied["include_dexes"] as? [String] == ["binance", "okx"])
        }
    }

    @Test("a misspelled, repeated, doubly named or out-of-range parameter is a 400 naming it; an unknown name a 404")
    func rejected() async throws {
        try await withRouter { client, store in
            for (uri, named, status) in [
                ("/api/v1/opportunities?min_volum=1", "min_volum", HTTPResponse.Status.badRequest),
                ("/api/v1/opportunities?limit=1&limit=2", "limit", .badRequest),
                ("/api/v1/opportunities?min_volume=1&min_volume_24h=2", "min_volume_24h", .badRequest),
                ("/api/v1/opportunities?dexes=okx&include_dexes=okx", "include_dexes", .badRequest),
                ("/api/v1/opportunities?hold_hours=0", "hold_hours", .badRequest),
                ("/api/v1/opportunities?realised_period=2d", "realised_period", .badRequest),
                ("/api/v1/opportunities/best?sort_by=apy", "sort_by", .badRequest),
                ("/api/v1/opportunities?long_dex=nowhere", "nowhere", .notFound),
            ] {
                let r = try await client.get(uri)
                #expect(r.status == status && r.body.contains(named), "\(uri): \(r.status) \(r.body)")
            }
            #expect(store.queries.withLock { $0.isEmpty }, "no rejected request reached the store")
        }
    }

    @Test("/best asks for one row and answers opportunity, rank and total_opportunities")
    func best() async throws {
        try await withRouter { client, store in
            let r = try await client.get("/api/v1/opportunities/best?fee_type=maker")
            #expect(r.status == .ok)
            #expect(store.last?.limit == 1 && store.last?.feeType == "maker")
            let body = Self.json(r.body)
            #expect((body["opportunity"] as? [String: Any])?["symbol"] as? String == "BTC")
            #expect(body["rank"] as? Int == 1 && body["total_opportunities"] as? Int == 42)
        }
    }

    @Test("/symbol/{symbol} and /compare set what their paths and names say")
    func symbolAndCompare() async throws {
        try await withRouter { client, store in
            #expect(try await client.get("/api/v1/opportunities/symbol/eth").status == .ok)
            #expect(store.last?.symbol == "ETH")
            #expect(try await client.get("/api/v1/opportunities/symbol/DOGE").status == .notFound)
            let r = try await client.get("/api/v1/opportunities/compare?dex1=okx&dex2=binance")
            #expect(r.status == .ok, "\(r.body)")
            let q = try #require(store.last)
            #expect(q.includeDexes == ["okx", "binance"] && q.limit == 1000)
            #expect(q.minDivergence == nil && q.minVolume24h == nil && q.minProfit == nil)
            let body = Self.json(r.body)
            let first = (body["opportunities"] as? [[String: Any]])?.first
            #expect(first?["better_on"] as? String == "binance" && first?["rate_diff"] as? Double == 0.0004)
            #expect(try await client.get("/api/v1/opportunities/compare?dex1=okx&dex2=OKX").status == .badRequest)
        }
    }
}
