import Foundation
@testable import FundingAPI
import Testing

/// `docs/openapi.json` agrees with the opportunity parameters' one declaration (`OpportunityQuery.parameters`) on
/// every route that takes them: the same names (aliases included), what each accepts, and its default.
@Suite("Opportunity parameters in docs/openapi.json")
struct OpportunityOpenAPITests {
    /// The routes taking the opportunity parameters, and the query names each adds or drops.
    static let routes: [(path: String, extra: Set<String>, dropped: Set<String>)] = [
        ("/api/v1/opportunities", [], []),
        ("/api/v1/opportunities/best", [], []),
        ("/api/v1/opportunities/symbol/{symbol}", [], ["symbol"]),
        ("/api/v1/opportunities/compare", ["dex1", "dex2"], []),
    ]

    static func queryParameters(_ path: String) -> [String: [String: Any]] {
        let document = DashboardOpenAPITests.document()
        let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?["get"] as? [String: Any]
        let entries = operation?["parameters"] as? [[String: Any]] ?? []
        return Dictionary(entries.filter { $0["in"] as? String == "query" }.map { ($0["name"] as? String ?? "", $0) },
                          uniquingKeysWith: { a, _ in a })
    }

    @Test("each route documents exactly the declared names", arguments: routes.map(\.path))
    func names(_ path: String) {
        let route = Self.routes.first { $0.path == path }!
        let expected = OpportunityQuery.parameterNames.subtracting(route.dropped).union(route.extra)
        #expect(Set(Self.queryParameters(path).keys) == expected, "\(path)")
    }

    @Test("each documented parameter accepts what its declaration accepts, with its default",
          arguments: routes.map(\.path))
    func schemas(_ path: String) {
        let documented = Self.queryParameters(path)
        for parameter in OpportunityQuery.parameters {
            for name in parameter.names {
                guard let entry = documented[name] else { continue }  // `names` reports a missing one
                let label = "\(path) \(name)"
                let schema = entry["schema"] as? [String: Any] ?? [:]
                let type = schema["type"] as? String
                let documentedDefault = schema["default"]
                // /compare answers every pair unless limited: its limit's default is the route's (1000).
                let checksDefault = !(path.hasSuffix("/compare") && name == "limit")
                switch parameter.kind {
                case .symbol, .dex, .symbols, .dexes:
                    #expect(type == "string", "\(label)")
                    #expect(documentedDefault == nil, "\(label)")
                case .quote:
                    #expect(type == "string" && schema["maxLength"] as? Int == 16, "\(label)")
                case .number(_, let range, let value):
                    Self.expectRange(schema, "number", range.lowerBound, range.upperBound, label)
                    #expect((documentedDefault as? NSNumber)?.doubleValue == value, "\(label)")
                case .requiredNumber(_, let range, let value):
                    Self.expectRange(schema, "number", range.lowerBound, range.upperBound, label)
                    #expect((documentedDefault as? NSNumber)?.doubleValue == value, "\(label)")
                case .seconds(_, let range, let value), .integer(_, let range, let value):
                    Self.expectRange(schema, "integer", Double(range.lowerBound), Double(range.upperBound), label)
                    if checksDefault { #expect((documentedDefault as? NSNumber)?.intValue == value, "\(label)") }
                case .choice(_, let allowed):
                    #expect(type == "string" && schema["enum"] as? [String] == allowed, "\(label)")
                    #expect(documentedDefault == nil, "\(label)")
                case .requiredChoice(_, let allowed, let value):
                    #expect(type == "string" && schema["enum"] as? [String] == allowed, "\(label)")
                    #expect(documentedDefault as? String == value, "\(label)")
                case .flag(_, let value):
                    #expect(type == "boolean" && documentedDefault as? Bool == value, "\(label)")
                case .days(_, let periods):
                    #expect(type == "string", "\(label)")
                    #expect(Set(schema["enum"] as? [String] ?? []) == Set(periods.keys), "\(label)")
                }
            }
        }
    }

    static func expectRange(_ schema: [String: Any], _ type: String, _ low: Double, _ high: Double, _ label: String) {
        #expect(schema["type"] as? String == type, "\(label)")
        #expect((schema["minimum"] as? NSNumber)?.doubleValue == low, "\(label)")
        #expect((schema["maximum"] as? NSNumber)?.doubleValue == high, "\(label)")
    }

    @Test("a query without parameters has the declared defaults; filters_applied lists every name")
    func defaults() throws {
        let q = OpportunityQuery()
        #expect(q.minDivergence == 0.0001 && q.minProfit == 0 && q.minVolume24h == 100_000)
        #expect(q.feeType == "taker" && q.holdHours == 8 && q.maxAgeSeconds == 300)
        #expect(q.limit == 10 && q.sortBy == "net_profit" && q.sortDesc && q.realisedDays == nil)
        let data = try APIRequestContext.encoder.encode(q.filtersApplied)
        let applied = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        // Lists appear only when given; every other parameter appears, min_profit also as min_profit_percent.
        let lists: Set<String> = ["symbols", "include_dexes", "exclude_dexes"]
        #expect(Set(applied.keys) == Set(OpportunityQuery.parameters.map(\.name)).subtracting(lists)
                    .union(["min_profit_percent"]))
        #expect(applied["min_profit_percent"] as? Double == 0 && applied["limit"] as? Int == 10)
    }
}
