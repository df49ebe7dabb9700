import Foundation
@testable import FundingAPI
import Testing

/// `docs/openapi.json` agrees with the dashboard reads' one declaration (`DashboardRead.all`): the same parameters,
/// where they go, and what each accepts.
@Suite("Dashboard reads in docs/openapi.json")
struct DashboardOpenAPITests {
    static func document() -> [String: Any] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = (try? Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))) ?? Data()
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    @Test("each read's parameters, their place and their accepted values", arguments: DashboardRead.all)
    func agrees(_ read: DashboardRead) throws {
        let paths = Self.document()["paths"] as? [String: Any] ?? [:]
        let operation = (paths[read.path] as? [String: Any])?["get"] as? [String: Any]
        #expect(operation != nil, "\(read.path) is not in docs/openapi.json")
        let documented = operation?["parameters"] as? [[String: Any]] ?? []
        #expect(documented.compactMap { $0["name"] as? String } == read.parameters.map(\.name), "\(read.path)")
        for (parameter, entry) in zip(read.parameters, documented) {
            let label = "\(read.path) \(parameter.name)"
            #expect(entry["in"] as? String == (parameter.inPath ? "path" : "query"), "\(label)")
            #expect(entry["required"] as? Bool == parameter.inPath, "\(label)")
            let schema = entry["schema"] as? [String: Any] ?? [:]
            let type = schema["type"] as? String
            switch parameter.kind {
            case .symbol, .dex, .text:
                #expect(type == "string" && schema["maxLength"] as? Int == 64, "\(label)")
            case .dexes:
                #expect(type == "string", "\(label)")
            case .integer(let range), .seconds(let range):
                #expect(type == "integer", "\(label)")
                #expect(schema["minimum"] as? Int == range.lowerBound, "\(label)")
                #expect(schema["maximum"] as? Int == range.upperBound, "\(label)")
            case .number(let range):
                #expect(type == "number", "\(label)")
                #expect((schema["minimum"] as? NSNumber)?.doubleValue == range.lowerBound, "\(label)")
                #expect((schema["maximum"] as? NSNumber)?.doubleValue == range.upperBound, "\(label)")
            case .choice(let allowed):
                #expect(type == "string" && schema["enum"] as? [String] == allowed, "\(label)")
            }
        }
    }
}
